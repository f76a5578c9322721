#include "services/lookup/public_limits.h"

#include <prometheus/counter.h>

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ocop::lookup {
namespace {

// Whole seconds, at least 1: Retry-After has no fractions.
int64_t RetrySeconds(absl::Duration wait) {
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(absl::ToDoubleSeconds(wait))));
}

}  // namespace

std::string PublicLimits::ClientOf(const http::HttpRequest& request) const {
  auto forwarded = request.headers.find("x-forwarded-for");
  return http::ClientNetwork(http::ClientAddress(
      request.peer_address, forwarded == request.headers.end() ? "" : forwarded->second, trusted_));
}

std::string PublicLimits::ClientOf(const grpc::ServerContextBase& context) const {
  std::string forwarded;
  auto header = context.client_metadata().find("x-forwarded-for");
  if (header != context.client_metadata().end()) forwarded.assign(header->second.data(), header->second.size());
  return http::ClientNetwork(http::ClientAddress(http::AddressOfGrpcPeer(context.peer()), forwarded, trusted_));
}

std::optional<http::HttpResponse> PublicLimits::CheckHttp(const http::HttpRequest& request, absl::Time now) {
  return CheckHttpClient(ClientOf(request), now);
}

std::optional<http::HttpResponse> PublicLimits::CheckHttpClient(const std::string& client, absl::Time now) {
  ratelimit::Decision decision = limiter_.Allow(client, now);
  if (decision.allowed) return std::nullopt;
  http_rejections_.Increment();
  const int64_t seconds = RetrySeconds(decision.retry_after);
  http::HttpResponse response;
  response.status = 429;
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                      {"Retry-After", absl::StrCat(seconds)},
                      {"Cache-Control", "no-store"}};
  response.body = absl::StrCat("Quá nhiều yêu cầu, vui lòng thử lại sau ", seconds,
                               " giây.\nToo many requests; please retry in ", seconds, " s.\n");
  return response;
}

grpc::Status PublicLimits::CheckGrpcClient(const std::string& client, absl::Time now) {
  ratelimit::Decision decision = limiter_.Allow(client, now);
  if (decision.allowed) return grpc::Status::OK;
  grpc_rejections_.Increment();
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrCat("rate limit: too many requests from ", client, "; retry in ",
                                   RetrySeconds(decision.retry_after), " s"));
}

}  // namespace ocop::lookup
