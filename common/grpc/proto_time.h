// absl::Time <-> google.protobuf.Timestamp.
#pragma once

#include <google/protobuf/timestamp.pb.h>

#include "absl/time/time.h"

namespace ocop::grpcutil {

void ToProtoTime(absl::Time time, google::protobuf::Timestamp* out);
absl::Time FromProtoTime(const google::protobuf::Timestamp& timestamp);

}  // namespace ocop::grpcutil
