// How one of our services takes part in identity (docs/identity.md):
//   - it authenticates every call it serves: tokens are verified offline against the registry's
//     published keys (GetJwks), and the role x method table is applied (grpc_auth.h);
//   - it follows revocations on the registry's change feed, so a revoked session, API key or user
//     stops working here within seconds;
//   - it calls other services with its own service token, minted from its API key.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/channel.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/access_token.h"
#include "common/auth/authenticator.h"
#include "common/auth/grpc_auth.h"
#include "common/auth/token_source.h"
#include "common/feed/feed_follower.h"

namespace ocop::auth {

// The registry's token keys, fetched with IdentityService.GetJwks (no credential needed).
KeySource RegistryKeys(std::shared_ptr<grpc::Channel> registry, absl::Duration deadline);

// Mints access tokens from `secret` (an API key, or a session secret) with
// IdentityService.MintAccessToken.
Minter MintFromRegistry(std::shared_ptr<grpc::Channel> registry, std::string secret, absl::Duration deadline);

class ServiceAuth {
 public:
  // `keys`: where token keys come from; `outbound`: this service's own tokens.
  ServiceAuth(VerifierOptions verifier, KeySource keys, std::shared_ptr<TokenSource> outbound,
              std::function<absl::Time()> clock);
  ~ServiceAuth();

  // For grpcutil::ServerOptions::interceptors.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> Interceptors();
  // Records denied attempts (UNAUTHENTICATED, PERMISSION_DENIED) in `database`'s audit trail (not
  // owned). Call before the server starts.
  void AuditDeniedTo(store::Database* database);
  // A channel to `target` whose calls carry this service's token.
  std::shared_ptr<grpc::Channel> Channel(const std::string& target) const;
  const std::shared_ptr<TokenSource>& tokens() const { return outbound_; }
  Authenticator& authenticator() { return authenticator_; }

  // Follows revocations on the registry's change feed at `registry` (with this service's token)
  // until Stop(). The feed is read from its start, so revocations made while this service was
  // down are applied too.
  void FollowRevocations(const std::string& registry);
  void Stop();

 private:
  std::shared_ptr<TokenSource> outbound_;
  Authenticator authenticator_;
  DeniedSink denied_;
  std::unique_ptr<feed::FeedFollower> revocations_;
};

// The flags every service shares (--token_issuer, --token_audience, --api_key_file): a ServiceAuth
// that verifies tokens from the registry at `registry` and calls out with the API key read from
// --api_key_file (a 0600 file). `service` names the service in errors.
absl::StatusOr<std::unique_ptr<ServiceAuth>> ServiceAuthFromFlags(const std::string& service,
                                                                 const std::string& registry);
// When --oidc_issuer is set, makes `auth` also believe that OpenID Connect provider's tokens
// (--oidc_audience, --oidc_jwks_file, --oidc_role_claim, --oidc_role_map). ServiceAuthFromFlags
// calls it; the registry, which builds its ServiceAuth itself, calls it too.
absl::Status AddOidcProviderFromFlags(ServiceAuth& auth);
// --token_issuer and --token_audience as VerifierOptions (the registry signs with them too).
VerifierOptions VerifierOptionsFromFlags();

}  // namespace ocop::auth
