// Client-side gRPC helpers: channels to other services, and contexts with a deadline and the
// caller's identity, so no call can hang.
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "absl/time/time.h"

namespace ocop::grpcutil {

// An insecure channel to `target` ("host:port") that reconnects quickly after the peer restarts.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target);

// Sets a deadline `timeout` from now and identifies the caller as `actor` (x-ocop-actor).
void PrepareContext(grpc::ClientContext& context, absl::Duration timeout, const std::string& actor);

}  // namespace ocop::grpcutil
