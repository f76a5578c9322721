#include "common/auth/access_token.h"

#include <cstdio>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/digest.h"
#include "common/status/status_macros.h"
#include "nlohmann/json.hpp"

namespace ocop::auth {
namespace {

using Json = nlohmann::json;

// common/crypto takes std::string_view; Debian's Abseil has its own string_view.
std::string_view Std(absl::string_view text) { return std::string_view(text.data(), text.size()); }

absl::Status Unauthenticated(absl::string_view reason) { return absl::UnauthenticatedError(reason); }

std::string Encode(absl::string_view bytes) { return absl::WebSafeBase64Escape(bytes); }

// Strict base64url without padding.
bool Decode(absl::string_view text, std::string* out) {
  if (text.empty() || text.find('=') != absl::string_view::npos) return false;
  return absl::WebSafeBase64Unescape(text, out);
}

std::string TimeText(absl::Time time) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone()); }

// A NumericDate claim (seconds since the epoch), or InfinitePast when absent.
absl::StatusOr<absl::Time> TimeClaim(const Json& payload, const char* name) {
  auto it = payload.find(name);
  if (it == payload.end()) return absl::InfinitePast();
  if (!it->is_number()) return Unauthenticated(absl::StrCat("malformed token: \"", name, "\" is not a number"));
  return absl::FromUnixSeconds(it->get<int64_t>());
}

std::string StringClaim(const Json& payload, const char* name) {
  auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

absl::StatusOr<std::string> SignAccessToken(const AccessClaims& claims, uint32_t key_id,
                                            const crypto::Ed25519PrivateKey& key) {
  if (claims.issuer.empty() || claims.subject.empty() || claims.expires_at == absl::InfinitePast()) {
    return absl::InvalidArgumentError("access token: issuer, subject and expiry are required");
  }
  char kid[9];
  std::snprintf(kid, sizeof(kid), "%08x", key_id);
  // Keys in a fixed order, so a token is a stable function of its claims (test vectors).
  Json header = Json::object();
  header["alg"] = "EdDSA";
  header["typ"] = "JWT";
  header["kid"] = kid;
  Json payload = Json::object();
  payload["iss"] = claims.issuer;
  if (!claims.audience.empty()) payload["aud"] = claims.audience;
  payload["sub"] = claims.subject;
  if (claims.issued_at != absl::InfinitePast()) payload["iat"] = absl::ToUnixSeconds(claims.issued_at);
  if (claims.not_before != absl::InfinitePast()) payload["nbf"] = absl::ToUnixSeconds(claims.not_before);
  payload["exp"] = absl::ToUnixSeconds(claims.expires_at);
  if (!claims.token_id.empty()) payload["jti"] = claims.token_id;
  if (!claims.role.empty()) payload["role"] = claims.role;
  if (!claims.producer.empty()) payload["producer"] = claims.producer;
  if (!claims.province.empty()) payload["province"] = claims.province;
  if (!claims.printer.empty()) payload["printer"] = claims.printer;
  if (!claims.credential.empty()) payload["cred"] = claims.credential;
  std::string signing_input = absl::StrCat(Encode(header.dump()), ".", Encode(payload.dump()));
  OCOP_ASSIGN_OR_RETURN(std::string signature, key.Sign(signing_input));
  return absl::StrCat(signing_input, ".", Encode(signature));
}

absl::StatusOr<std::map<std::string, std::string>> ParseJwks(absl::string_view json) {
  Json set = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!set.is_object() || !set.contains("keys") || !set["keys"].is_array()) {
    return absl::InvalidArgumentError("jwks: not a JWK Set (no \"keys\" list)");
  }
  std::map<std::string, std::string> keys;
  for (const Json& key : set["keys"]) {
    if (!key.is_object() || key.value("kty", "") != "OKP" || key.value("crv", "") != "Ed25519") continue;
    std::string raw;
    const std::string kid = key.value("kid", "");
    if (kid.empty() || !Decode(key.value("x", ""), &raw) || raw.size() != crypto::kEd25519PublicKeySize) {
      return absl::InvalidArgumentError(absl::StrCat("jwks: key '", kid, "' is not a usable Ed25519 key"));
    }
    keys[kid] = raw;
  }
  return keys;
}

TokenVerifier::TokenVerifier(VerifierOptions options, KeySource keys, std::function<absl::Time()> clock)
    : options_(std::move(options)), keys_(std::move(keys)), clock_(std::move(clock)) {}

absl::Status TokenVerifier::Refresh() {
  std::lock_guard one_fetch_at_a_time(refresh_mutex_);
  return FetchKeys();
}

absl::Status TokenVerifier::FetchKeys() {
  {
    std::lock_guard lock(mutex_);
    last_refresh_ = clock_();
  }
  absl::StatusOr<std::map<std::string, std::string>> keys = keys_();
  std::map<std::string, crypto::Ed25519Verifier> verifiers;
  if (keys.ok()) {
    for (const auto& [kid, public_key] : *keys) {
      absl::StatusOr<crypto::Ed25519Verifier> verifier = crypto::Ed25519Verifier::FromPublicKey(public_key);
      if (verifier.ok()) verifiers.emplace(kid, std::move(*verifier));
    }
  }
  std::lock_guard lock(mutex_);
  last_refresh_ok_ = keys.ok();
  if (!keys.ok()) return keys.status();
  // The key set is replaced: a key the issuer withdrew stops verifying at once, and tokens it
  // signed are dropped from the cache.
  verifiers_ = std::move(verifiers);
  for (auto it = cache_.begin(); it != cache_.end();) {
    if (verifiers_.count(it->second.kid) > 0) {
      ++it;
      continue;
    }
    recency_.erase(it->second.recency);
    it = cache_.erase(it);
  }
  return absl::OkStatus();
}

absl::StatusOr<crypto::Ed25519Verifier> TokenVerifier::KeyFor(const std::string& kid) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = verifiers_.find(kid); it != verifiers_.end()) return it->second;
  }
  // Callers meeting an unknown key wait for the one fetch in flight rather than answering before
  // it lands (the first calls after a start arrive together).
  std::lock_guard one_fetch_at_a_time(refresh_mutex_);
  bool due = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = verifiers_.find(kid); it != verifiers_.end()) return it->second;
    due = clock_() - last_refresh_ >= options_.refresh_interval;
  }
  if (due) {
    if (absl::Status refreshed = FetchKeys(); !refreshed.ok()) {
      return absl::UnavailableError(absl::StrCat("unknown key id ", kid, " and the keys cannot be fetched now: ",
                                                 refreshed.message()));
    }
  }
  std::lock_guard lock(mutex_);
  if (auto it = verifiers_.find(kid); it != verifiers_.end()) return it->second;
  if (!last_refresh_ok_) return absl::UnavailableError(absl::StrCat("unknown key id ", kid, " (keys not fetched yet)"));
  return Unauthenticated(absl::StrCat("unknown key id ", kid));
}

absl::Status TokenVerifier::CheckTimes(const AccessClaims& claims, absl::Time now) const {
  if (now - options_.leeway >= claims.expires_at) {
    return Unauthenticated(absl::StrCat("token expired at ", TimeText(claims.expires_at)));
  }
  if (claims.not_before != absl::InfinitePast() && now + options_.leeway < claims.not_before) {
    return Unauthenticated(absl::StrCat("token not valid before ", TimeText(claims.not_before)));
  }
  return absl::OkStatus();
}

absl::StatusOr<AccessClaims> TokenVerifier::Verify(absl::string_view token) {
  const std::string digest = crypto::Sha256(Std(token));
  const absl::Time now = clock_();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(digest); it != cache_.end()) {
      ++cache_hits_;
      OCOP_RETURN_IF_ERROR(CheckTimes(it->second.claims, now));
      recency_.splice(recency_.begin(), recency_, it->second.recency);
      return it->second.claims;
    }
  }
  std::string kid;
  OCOP_ASSIGN_OR_RETURN(AccessClaims claims, VerifyUncached(token, &kid));
  OCOP_RETURN_IF_ERROR(CheckTimes(claims, now));
  std::lock_guard lock(mutex_);
  if (cache_.size() >= options_.max_cached && !recency_.empty()) {
    cache_.erase(recency_.back());
    recency_.pop_back();
  }
  if (cache_.find(digest) == cache_.end()) {
    recency_.push_front(digest);
    cache_.emplace(digest, Cached{claims, kid, recency_.begin()});
  }
  return claims;
}

absl::StatusOr<AccessClaims> TokenVerifier::VerifyUncached(absl::string_view token, std::string* signed_by) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("malformed token: not three base64url parts");
  std::string header_text;
  std::string payload_text;
  std::string signature;
  if (!Decode(parts[0], &header_text) || !Decode(parts[1], &payload_text) ||
      (!parts[2].empty() && !Decode(parts[2], &signature))) {
    return Unauthenticated("malformed token: bad base64url");
  }
  Json header = Json::parse(header_text, nullptr, /*allow_exceptions=*/false);
  if (!header.is_object()) return Unauthenticated("malformed token: the header is not a JSON object");
  const std::string alg = header.contains("alg") && header["alg"].is_string() ? header["alg"].get<std::string>() : "";
  if (alg == "none" || alg.empty()) return Unauthenticated("alg none refused: tokens must be signed (EdDSA)");
  if (alg != "EdDSA") return Unauthenticated(absl::StrCat("alg ", alg, " refused: only EdDSA is accepted"));
  const std::string kid = header.contains("kid") && header["kid"].is_string() ? header["kid"].get<std::string>() : "";
  if (kid.empty()) return Unauthenticated("malformed token: no key id (kid)");
  OCOP_ASSIGN_OR_RETURN(crypto::Ed25519Verifier verifier, KeyFor(kid));
  const absl::string_view signing_input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (signature.size() != crypto::kEd25519SignatureSize || !verifier.Verify(Std(signing_input), signature)) {
    return Unauthenticated("bad signature");
  }
  *signed_by = kid;
  Json payload = Json::parse(payload_text, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return Unauthenticated("malformed token: the payload is not a JSON object");
  AccessClaims claims;
  claims.issuer = StringClaim(payload, "iss");
  claims.subject = StringClaim(payload, "sub");
  claims.role = StringClaim(payload, "role");
  claims.producer = StringClaim(payload, "producer");
  claims.province = StringClaim(payload, "province");
  claims.printer = StringClaim(payload, "printer");
  claims.token_id = StringClaim(payload, "jti");
  claims.credential = StringClaim(payload, "cred");
  OCOP_ASSIGN_OR_RETURN(claims.issued_at, TimeClaim(payload, "iat"));
  OCOP_ASSIGN_OR_RETURN(claims.not_before, TimeClaim(payload, "nbf"));
  OCOP_ASSIGN_OR_RETURN(claims.expires_at, TimeClaim(payload, "exp"));
  if (claims.expires_at == absl::InfinitePast()) return Unauthenticated("malformed token: no expiry (exp)");
  if (claims.subject.empty()) return Unauthenticated("malformed token: no subject (sub)");
  if (claims.issuer != options_.issuer) {
    return Unauthenticated(absl::StrCat("wrong issuer '", claims.issuer, "' (expected '", options_.issuer, "')"));
  }
  // "aud" is a string or a list of strings (RFC 7519 4.1.3).
  bool audience_ok = false;
  if (auto aud = payload.find("aud"); aud != payload.end()) {
    if (aud->is_string()) {
      claims.audience = aud->get<std::string>();
      audience_ok = claims.audience == options_.audience;
    } else if (aud->is_array()) {
      for (const Json& entry : *aud) {
        if (entry.is_string() && entry.get<std::string>() == options_.audience) audience_ok = true;
      }
      claims.audience = options_.audience;
    }
  }
  if (!audience_ok) {
    return Unauthenticated(absl::StrCat("wrong audience '", claims.audience, "' (expected '", options_.audience, "')"));
  }
  return claims;
}

int64_t TokenVerifier::cache_hits() const {
  std::lock_guard lock(mutex_);
  return cache_hits_;
}

}  // namespace ocop::auth
