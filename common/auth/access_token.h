// Access tokens: short-lived JWTs (RFC 7519) signed with Ed25519 (JWS "EdDSA", RFC 8037) that every
// service verifies offline against the issuer's published keys (a JWK Set).
//
// Format (docs/identity.md has the fixed test vector):
//   header  {"alg":"EdDSA","typ":"JWT","kid":"<8 hex digits>"}
//   payload {"iss":..., "aud":..., "sub":..., "iat":..., "nbf":..., "exp":..., "jti":...,
//            "role":..., "producer":..., "province":..., "printer":..., "cred":...}
//   token   base64url(header) "." base64url(payload) "." base64url(signature), no padding
// Only "EdDSA" is accepted: "none", HMAC and every other algorithm are refused by name, so a token
// cannot choose how it is checked.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/crypto/ed25519.h"

namespace ocop::auth {

// Who a token speaks for.
struct AccessClaims {
  std::string issuer;
  std::string audience;
  std::string subject;     // a user ("users/{id}"), an API key's owner or a service
  std::string role;        // admin, office, council, producer, printer, integrator, service
  std::string producer;    // "producers/{id}" for producer users and producer-scoped integrators
  std::string province;    // a province code for office staff and province-scoped integrators
  std::string printer;     // a printing house id for printers
  std::string token_id;    // "jti": unique per token
  std::string credential;  // the session or API key the token was minted from (for revocation)
  absl::Time issued_at = absl::InfinitePast();
  absl::Time not_before = absl::InfinitePast();
  absl::Time expires_at = absl::InfinitePast();
};

// The compact JWS of `claims`, signed by `key` under the key id `key_id`. INVALID_ARGUMENT when
// the claims lack an issuer, subject or expiry.
absl::StatusOr<std::string> SignAccessToken(const AccessClaims& claims, uint32_t key_id,
                                            const crypto::Ed25519PrivateKey& key);

// The Ed25519 keys of a JWK Set's JSON (kid -> raw 32-byte public key); keys of other types are
// skipped. INVALID_ARGUMENT when the text is not a JWK Set.
absl::StatusOr<std::map<std::string, std::string>> ParseJwks(absl::string_view json);

struct VerifierOptions {
  // Expected "iss" and "aud" (a token's "aud" may be a string or a list holding it).
  std::string issuer;
  std::string audience;
  // Clock skew allowed on exp and nbf.
  absl::Duration leeway = absl::Seconds(30);
  // An unknown key id fetches the keys again, at most this often.
  absl::Duration refresh_interval = absl::Seconds(1);
  // Verified tokens remembered until they expire (at most this many).
  size_t max_cached = 100000;
};

// The issuer's public keys: kid -> raw Ed25519 public key. UNAVAILABLE when they cannot be fetched.
using KeySource = std::function<absl::StatusOr<std::map<std::string, std::string>>()>;

// Verifies access tokens. Thread-safe. A verified token is cached until it expires, so a caller's
// second call costs a hash lookup, not a signature check.
class TokenVerifier {
 public:
  TokenVerifier(VerifierOptions options, KeySource keys, std::function<absl::Time()> clock);

  // The claims of a valid token. UNAUTHENTICATED with the reason otherwise: "malformed token",
  // "alg none refused", "unknown key id 1a2b3c4d", "bad signature", "token expired at ...",
  // "token not valid before ...", "wrong issuer ...", "wrong audience ...". UNAVAILABLE when the
  // key is unknown and the keys could not be fetched.
  absl::StatusOr<AccessClaims> Verify(absl::string_view token);

  // Fetches the keys now (e.g. at start).
  absl::Status Refresh();

  // Verifications answered from the cache, for tests and metrics.
  int64_t cache_hits() const;

 private:
  // The claims of a token whose signature verifies, and the key id that signed it.
  absl::StatusOr<AccessClaims> VerifyUncached(absl::string_view token, std::string* kid);
  // The verifier for `kid`, refreshing the keys once (rate-limited) when it is unknown.
  absl::StatusOr<crypto::Ed25519Verifier> KeyFor(const std::string& kid);
  absl::Status CheckTimes(const AccessClaims& claims, absl::Time now) const;
  // Replaces the keys with the source's; the caller holds refresh_mutex_.
  absl::Status FetchKeys();

  const VerifierOptions options_;
  const KeySource keys_;
  const std::function<absl::Time()> clock_;

  // Held while keys are fetched (never with mutex_ held first), so one fetch runs at a time.
  std::mutex refresh_mutex_;
  mutable std::mutex mutex_;
  std::map<std::string, crypto::Ed25519Verifier> verifiers_;
  absl::Time last_refresh_ = absl::InfinitePast();
  bool last_refresh_ok_ = false;
  // token digest -> claims, with an LRU bound.
  struct Cached {
    AccessClaims claims;
    std::string kid;  // dropped when the issuer withdraws this key
    std::list<std::string>::iterator recency;
  };
  std::unordered_map<std::string, Cached> cache_;
  std::list<std::string> recency_;
  int64_t cache_hits_ = 0;
};

}  // namespace ocop::auth
