// The common ending of a service's gRPC handlers: the domain result becomes the response, or
// its status is mapped to gRPC's (common/status). ToProto is found by argument-dependent lookup
// next to the domain type.
#pragma once

#include <grpcpp/support/status.h>

#include "absl/status/statusor.h"
#include "common/status/grpc_status.h"

namespace ocop::grpcutil {

template <typename Value, typename Response>
grpc::Status Reply(const absl::StatusOr<Value>& result, Response* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = ToProto(*result);
  return grpc::Status::OK;
}

}  // namespace ocop::grpcutil
