// An external OpenID Connect provider (a province's Keycloak, a national identity service) whose
// access tokens our services accept beside the registry's own: its issuer, our audience, its
// published keys (a JWK Set: RSA, EC P-256 or Ed25519 keys; RS256, ES256 or EdDSA tokens) and how
// its claims map to our roles and scopes. A provider's user acts as "oidc:{sub}".
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"

namespace ocop::auth {

struct OidcProvider {
  // "iss" exactly as the provider writes it, e.g. "https://sso.thainguyen.gov.vn/realms/ocop".
  std::string issuer;
  // Must be in the token's "aud".
  std::string audience;
  // The provider's JWK Set (JSON), as published at its jwks_uri.
  std::string jwks_json;
  // The claim holding the caller's role (a string, or a list of strings: the first one mapped wins).
  std::string role_claim = "ocop_role";
  // The provider's role names -> ours (admin, office, council, producer, printer, integrator).
  // A token whose role maps to nothing is refused.
  std::map<std::string, std::string> role_map;
  // Claims holding the scope (a producer name, a province code, a printing house).
  std::string producer_claim = "ocop_producer";
  std::string province_claim = "ocop_province";
  std::string printer_claim = "ocop_printer";
  // Clock skew allowed on exp and nbf.
  absl::Duration leeway = absl::Seconds(30);
};

class OidcVerifier {
 public:
  // INVALID_ARGUMENT when the provider is incomplete or its JWK Set holds no usable key.
  static absl::StatusOr<std::unique_ptr<OidcVerifier>> Create(OidcProvider provider,
                                                              std::function<absl::Time()> clock);
  ~OidcVerifier();

  // The caller a provider's token speaks for. UNAUTHENTICATED with the reason ("alg none
  // refused", "unknown key id ...", "bad signature", "token expired at ...", "wrong audience ...",
  // "role '...' is not mapped to an ocop-trace role").
  absl::StatusOr<Actor> Verify(absl::string_view token) const;
  const std::string& issuer() const { return provider_.issuer; }

 private:
  struct Key;
  OidcVerifier(OidcProvider provider, std::function<absl::Time()> clock);

  OidcProvider provider_;
  std::function<absl::Time()> clock_;
  std::map<std::string, std::unique_ptr<Key>> keys_;  // by "kid"
};

// The "iss" a token claims, read without checking anything (to pick its verifier); empty when
// the token is not readable.
std::string UnverifiedIssuer(absl::string_view token);

// "a=b,c=d" -> {a: b, c: d}; INVALID_ARGUMENT naming `flag` for a malformed entry.
absl::StatusOr<std::map<std::string, std::string>> ParseRoleMap(const std::string& flag, absl::string_view text);

}  // namespace ocop::auth
