// Who is calling: turns a call's "authorization: Bearer <access token>" into the Actor every
// domain call takes, and applies the role x method table (access_policy.h). Revocations announced
// on the registry's change feed (entity "revocation") take effect at once, also for
// tokens already verified and cached.
#pragma once

#include <memory>
#include <mutex>
#include <functional>
#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/actor/actor.h"
#include "common/auth/access_token.h"
#include "common/auth/oidc.h"

namespace ocop::auth {

class Authenticator {
 public:
  // A revocation is remembered for `longest_token_life` (tokens minted before it have expired by
  // then, and the registry mints no new ones from a revoked credential), so memory stays bounded.
  Authenticator(std::unique_ptr<TokenVerifier> verifier, std::function<absl::Time()> clock,
                absl::Duration longest_token_life = absl::Hours(1))
      : verifier_(std::move(verifier)), clock_(std::move(clock)), longest_token_life_(longest_token_life) {}

  // The caller of `method` ("pkg.Service/Method") given the call's "authorization" metadata value
  // (empty when absent):
  //   - a method open to anyone without a token: the anonymous actor;
  //   - no token otherwise: UNAUTHENTICATED "no credential: ...";
  //   - a token that does not verify, or whose credential or user was revoked: UNAUTHENTICATED
  //     with the reason;
  //   - a role the method does not allow: PERMISSION_DENIED naming the rule.
  absl::StatusOr<Actor> Authenticate(absl::string_view method, absl::string_view authorization);
  // Who a non-empty "authorization" value says the caller is (verified, revocations applied), with
  // no method's rule applied: e.g. to record who was refused.
  absl::StatusOr<Actor> Identify(absl::string_view authorization);

  // Also believes tokens of an external OpenID Connect provider (those whose "iss" is its issuer).
  // Call before serving.
  void AddProvider(std::unique_ptr<OidcVerifier> provider) { provider_ = std::move(provider); }

  // Change-feed hook: `entity` "revocation" revokes the credential (a session or API key) or the
  // user (every token whose subject it is) named `name`; other entities are ignored.
  void OnChange(absl::string_view entity, absl::string_view name);

 private:
  std::unique_ptr<TokenVerifier> verifier_;
  std::unique_ptr<OidcVerifier> provider_;
  std::function<absl::Time()> clock_;
  const absl::Duration longest_token_life_;
  std::mutex mutex_;
  // Revoked credential or user name -> when it was revoked.
  std::map<std::string, absl::Time, std::less<>> revoked_;
};

}  // namespace ocop::auth
