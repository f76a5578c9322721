// Protobuf text format (the shipped rule and criteria files), parsed with the first error returned
// instead of logged: an operator sees "line 12 column 3: ..." in the refusal, and a fuzzer or a
// bad file does not flood stderr.
#pragma once

#include <string>

#include <google/protobuf/message.h>

#include "absl/status/status.h"

namespace ocop::grpcutil {

// Parses `text` into `message` (cleared first). INVALID_ARGUMENT naming the line and column of
// the first error.
absl::Status ParseTextProto(const std::string& text, google::protobuf::Message* message);

}  // namespace ocop::grpcutil
