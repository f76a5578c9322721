// The standard gRPC health check (grpc.health.v1.Health/Check), as a client: what ocopctl health
// and container health checks ask. Encoded by hand (two one-field messages) rather than by linking
// gRPC's health proto, which Debian does not ship as a library.
#pragma once

#include <grpcpp/channel.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ocop::grpcutil {

// Whether the server at `channel` reports `service` (empty: the whole server) as SERVING; the
// call's error (UNAVAILABLE when nothing listens, NOT_FOUND for an unknown service) otherwise.
absl::StatusOr<bool> CheckHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                                 absl::Duration deadline);

}  // namespace ocop::grpcutil
