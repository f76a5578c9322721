// Abuse limits on lookup's public endpoints: a token bucket per client (HTTP 429 or gRPC
// RESOURCE_EXHAUSTED, both saying when to retry), with the client taken from X-Forwarded-For only
// when the peer is a trusted proxy (common/http/client_address.h).
#pragma once

#include <optional>
#include <string>

#include <grpcpp/server_context.h>

#include "absl/time/time.h"
#include "common/http/client_address.h"
#include "common/http/http_server.h"
#include "common/ratelimit/token_bucket.h"

namespace ocop::lookup {

class PublicLimits {
 public:
  // `rate` requests per second per client on average, bursts of `burst`, `max_clients` remembered.
  PublicLimits(double rate, double burst, http::TrustedProxies trusted, size_t max_clients = 100000)
      : limiter_(rate, burst, max_clients), trusted_(std::move(trusted)) {}

  // A 429 response when the request's client is over its limit; nothing when it may go on.
  std::optional<http::HttpResponse> CheckHttp(const http::HttpRequest& request, absl::Time now);
  // The same for a client already found with ClientOf (so a request works it out once).
  std::optional<http::HttpResponse> CheckHttpClient(const std::string& client, absl::Time now);
  // RESOURCE_EXHAUSTED when the call's client (found with ClientOf) is over its limit; OK
  // otherwise.
  grpc::Status CheckGrpcClient(const std::string& client, absl::Time now);

  // The client of a request or call: the peer, or behind a trusted proxy the forwarded client, as
  // its network (http::ClientNetwork: an IPv6 /64, an IPv4 address). Rate limits, scan counting and
  // PIN tries all use this one identity.
  std::string ClientOf(const http::HttpRequest& request) const;
  std::string ClientOf(const grpc::ServerContextBase& context) const;

 private:
  ratelimit::TokenBucketLimiter limiter_;
  http::TrustedProxies trusted_;
  prometheus::Counter& http_rejections_ = ratelimit::RejectionsOf("lookup_http");
  prometheus::Counter& grpc_rejections_ = ratelimit::RejectionsOf("lookup_grpc");
};

}  // namespace ocop::lookup
