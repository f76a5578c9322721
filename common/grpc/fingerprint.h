// Fingerprints of create requests for idempotency: the same body gives the same fingerprint.
#pragma once

#include <string>

#include <google/protobuf/message.h>

namespace ocop::grpcutil {

// Hex SHA-256 of the deterministic serialisation of `request` with its request_id field cleared.
std::string RequestFingerprint(const google::protobuf::Message& request);

}  // namespace ocop::grpcutil
