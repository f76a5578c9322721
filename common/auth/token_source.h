// The client side of identity: where a caller's access token comes from, and channels whose every
// call carries it ("authorization: Bearer <token>"). Our services use this to call each other
// with their own service token; tests use it with a token they sign themselves.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ocop::auth {

struct MintedToken {
  std::string token;
  absl::Time expire_time;
};

// Gets a fresh access token (from the registry with an API key, or by signing one).
using Minter = std::function<absl::StatusOr<MintedToken>()>;

// Hands out a token and reuses it until it nears its expiry, so a caller mints about once per
// token lifetime, not once per call. Thread-safe.
class TokenSource {
 public:
  TokenSource(Minter mint, std::function<absl::Time()> clock) : mint_(std::move(mint)), clock_(std::move(clock)) {}

  // A token with at least a minute (or a quarter of its life, if shorter) left. The minter's
  // error when none can be had; the next call tries again.
  absl::StatusOr<std::string> Token();

 private:
  const Minter mint_;
  const std::function<absl::Time()> clock_;
  std::mutex mutex_;
  MintedToken current_;
  absl::Time renew_at_ = absl::InfinitePast();
};

// A token source that always hands out `token` (a test, or `ocopctl` with a token it already has).
std::shared_ptr<TokenSource> FixedToken(std::string token);

// A channel to `target` (see grpcutil::MakeChannel) that sends `tokens`' token on every call. When
// no token can be had the call goes out without one, and the server answers UNAUTHENTICATED.
std::shared_ptr<grpc::Channel> AuthenticatedChannel(const std::string& target, std::shared_ptr<TokenSource> tokens);

}  // namespace ocop::auth
