#include "common/auth/authenticator.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/auth/access_policy.h"
#include "common/status/status_macros.h"

namespace ocop::auth {

absl::StatusOr<Actor> Authenticator::Authenticate(absl::string_view method, absl::string_view authorization) {
  authorization = absl::StripAsciiWhitespace(authorization);
  if (authorization.empty()) {
    const MethodRule* rule = RuleFor(method);
    if (rule != nullptr && rule->anonymous) return Actor{};
    if (rule == nullptr) return CheckRole(method, "");  // default deny names the method
    return absl::UnauthenticatedError(
        absl::StrCat("no credential: ", method, " needs \"authorization: Bearer <access token>\""));
  }
  OCOP_ASSIGN_OR_RETURN(Actor actor, Identify(authorization));
  OCOP_RETURN_IF_ERROR(CheckRole(method, actor.role));
  return actor;
}

absl::StatusOr<Actor> Authenticator::Identify(absl::string_view authorization) {
  authorization = absl::StripAsciiWhitespace(authorization);
  absl::string_view token = authorization;
  if (!absl::ConsumePrefix(&token, "Bearer ") && !absl::ConsumePrefix(&token, "bearer ")) {
    return absl::UnauthenticatedError("authorization: must be \"Bearer <access token>\"");
  }
  token = absl::StripAsciiWhitespace(token);
  if (provider_ != nullptr && UnverifiedIssuer(token) == provider_->issuer()) {
    OCOP_ASSIGN_OR_RETURN(Actor actor, provider_->Verify(token));
    std::lock_guard lock(mutex_);
    if (revoked_.count(actor.subject) > 0) return absl::UnauthenticatedError(absl::StrCat(actor.subject, " is disabled"));
    return actor;
  }
  OCOP_ASSIGN_OR_RETURN(AccessClaims claims, verifier_->Verify(token));
  {
    std::lock_guard lock(mutex_);
    if (!claims.credential.empty() && revoked_.count(claims.credential) > 0) {
      return absl::UnauthenticatedError(absl::StrCat("credential ", claims.credential, " was revoked"));
    }
    if (revoked_.count(claims.subject) > 0) {
      return absl::UnauthenticatedError(absl::StrCat(claims.subject, " is disabled"));
    }
  }
  Actor actor;
  actor.subject = claims.subject;
  actor.role = claims.role;
  actor.producer = claims.producer;
  actor.province = claims.province;
  actor.printer = claims.printer;
  actor.credential = claims.credential;
  return actor;
}

void Authenticator::OnChange(absl::string_view entity, absl::string_view name) {
  if (entity != "revocation") return;
  const absl::Time now = clock_();
  std::lock_guard lock(mutex_);
  for (auto it = revoked_.begin(); it != revoked_.end();) {
    it = it->second != absl::InfiniteFuture() && now - it->second > longest_token_life_ ? revoked_.erase(it)
                                                                                          : std::next(it);
  }
  // A provider's user keeps getting tokens from the provider, so its revocation is kept for good
  // (there are few); ours cannot mint new tokens once revoked, so theirs expire with the tokens.
  revoked_.insert_or_assign(std::string(name), absl::StartsWith(name, "oidc:") ? absl::InfiniteFuture() : now);
}

}  // namespace ocop::auth
