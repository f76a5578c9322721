// Identity domain logic (docs/identity.md): users, password sign-in with limits, sessions and API
// keys, and the short-lived access tokens they mint, signed with the registry's own token keys.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "common/auth/access_token.h"
#include "common/auth/token_source.h"
#include "common/keys/key_store.h"
#include "common/ratelimit/token_bucket.h"
#include "services/registry/identity_repository.h"

namespace ocop::registry {

struct IdentityConfig {
  // "iss" of access tokens; every verifier expects it.
  std::string issuer = "ocop-trace/registry";
  // "aud" of access tokens.
  std::string audience = "ocop-trace";
  absl::Duration access_token_lifetime = absl::Minutes(15);
  absl::Duration session_lifetime = absl::Hours(12);
  absl::Duration default_api_key_lifetime = absl::Hours(24 * 90);
  absl::Duration longest_api_key_lifetime = absl::Hours(24 * 366);
  // Wrong passwords in a row before a user is locked, and for how long.
  int max_failed_logins = 5;
  absl::Duration login_lock = absl::Minutes(15);
  // Failed logins a client may make per minute (a burst of as many), across all users.
  double failed_logins_per_client_per_minute = 10;
};

// An access token and its expiry.
using IssuedToken = auth::MintedToken;

struct LoginResult {
  std::string session;         // sessions/{id}
  std::string session_secret;  // shown once
  absl::Time session_expire_time;
  IssuedToken access_token;
};

struct NewApiKey {
  std::string name;  // apiKeys/{id}
  std::string key;   // shown once
  absl::Time expire_time;
};

class Identity {
 public:
  // Nothing is owned. `keys` holds the token-signing keys.
  Identity(IdentityRepository* repository, const keys::KeyStore* keys, IdentityConfig config,
           std::function<absl::Time()> clock, std::string issuer_prefix);

  // Admin only. INVALID_ARGUMENT naming the field (username, role, scope, password rules).
  absl::StatusOr<User> CreateUser(const Actor& actor, User user, const std::string& password,
                                  const std::string& request_id, const std::string& request_fingerprint);
  // Creates `username` as an admin with `password` unless a user of that name exists (the first
  // start of a deployment, and the quickstart).
  absl::Status EnsureAdmin(const std::string& username, const std::string& password);
  // See IdentityService.Login. `client` is the caller's network, for the per-client limit.
  absl::StatusOr<LoginResult> Login(const std::string& username, const std::string& password,
                                    const std::string& client);
  // Exactly one of `session_secret` and `api_key`.
  absl::StatusOr<IssuedToken> MintAccessToken(const std::string& session_secret, const std::string& api_key);
  // Admin only.
  absl::StatusOr<NewApiKey> CreateApiKey(const Actor& actor, const std::string& user, const std::string& display_name,
                                         absl::Time expire_time);
  absl::Status Revoke(const Actor& actor, const std::string& name, const std::string& reason);
  // Key id -> raw Ed25519 public key of every token key (published as a JWK Set).
  std::map<uint32_t, std::string> PublicKeys() const;
  // The same keyed by the tokens' "kid" (8 hex digits): the registry verifies its own tokens
  // against these, without asking itself over the network.
  std::map<std::string, std::string> VerificationKeys() const;
  // A token for the registry itself as a service ("services/{service}", role service), e.g. to
  // follow its own change feed. Minted locally: no credential exists for it to revoke.
  absl::StatusOr<IssuedToken> MintServiceToken(const std::string& service);

 private:
  absl::StatusOr<IssuedToken> Mint(const User& user, const std::string& credential);
  // A credential's secret: "{kind}_{id}.{random}"; the id finds the row, the rest is checked
  // against its SHA-256.
  absl::StatusOr<Credential> NewCredential(const std::string& collection, const std::string& kind,
                                           const std::string& user, const std::string& display_name,
                                           absl::Time expire_time, std::string* secret);
  // The user a session secret or API key acts for, and the credential's name.
  absl::StatusOr<User> UserOfSecret(const std::string& secret, std::string* credential_name);

  IdentityRepository* repository_;
  const keys::KeyStore* keys_;
  IdentityConfig config_;
  std::function<absl::Time()> clock_;
  std::string issuer_prefix_;
  ratelimit::TokenBucketLimiter failed_logins_by_client_;
};

}  // namespace ocop::registry
