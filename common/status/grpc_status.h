// The one place where absl::Status and grpc::Status are converted.
#pragma once

#include <grpcpp/support/status.h>

#include <string>

#include "absl/status/status.h"

namespace ocop {

// Converts an absl::Status to a grpc::Status with the same code and message.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts a grpc::Status (e.g. from a client call) to an absl::Status with the same code and
// message.
absl::Status FromGrpcStatus(const grpc::Status& status);
// The same, its message prefixed with what failed ("CreateBatch: ...").
absl::Status FromGrpcStatus(const std::string& what, const grpc::Status& status);

}  // namespace ocop
