#include "common/auth/oidc.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/status_macros.h"

namespace ocop::auth {
namespace {

using Json = nlohmann::json;

absl::Status Unauthenticated(absl::string_view reason) { return absl::UnauthenticatedError(reason); }

bool Decode(absl::string_view text, std::string* out) { return absl::WebSafeBase64Unescape(text, out); }

std::string TimeText(absl::Time time) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone()); }

std::string StringClaim(const Json& payload, const std::string& name) {
  auto it = payload.find(name);
  return it != payload.end() && it->is_string() ? it->get<std::string>() : "";
}

struct FreeKey {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

}  // namespace

// A provider's public key and the one JWS algorithm it verifies.
struct OidcVerifier::Key {
  std::string alg;  // RS256, ES256 or EdDSA
  std::unique_ptr<EVP_PKEY, FreeKey> key;

  bool Verify(absl::string_view input, const std::string& signature) const {
    std::string der;
    absl::string_view checked = signature;
    if (alg == "ES256") {
      // JWS carries r || s (32 bytes each); OpenSSL wants DER.
      if (signature.size() != 64) return false;
      ECDSA_SIG* sig = ECDSA_SIG_new();
      BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()), 32, nullptr);
      BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(signature.data()) + 32, 32, nullptr);
      ECDSA_SIG_set0(sig, r, s);
      unsigned char* out = nullptr;
      int length = i2d_ECDSA_SIG(sig, &out);
      ECDSA_SIG_free(sig);
      if (length <= 0) return false;
      der.assign(reinterpret_cast<char*>(out), static_cast<size_t>(length));
      OPENSSL_free(out);
      checked = der;
    }
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    const EVP_MD* digest = alg == "EdDSA" ? nullptr : EVP_sha256();
    bool ok = EVP_DigestVerifyInit(context, nullptr, digest, nullptr, key.get()) == 1 &&
              EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(checked.data()), checked.size(),
                               reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
    EVP_MD_CTX_free(context);
    return ok;
  }
};

namespace {

// A public key from a JWK: RSA (n, e), EC P-256 (x, y) or OKP Ed25519 (x). Null when unusable.
std::unique_ptr<EVP_PKEY, FreeKey> KeyFromJwk(const Json& jwk, std::string* alg) {
  const std::string kty = jwk.value("kty", "");
  std::unique_ptr<EVP_PKEY, FreeKey> key;
  OSSL_PARAM_BLD* build = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  const char* type = nullptr;
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  std::string point;
  if (kty == "RSA") {
    std::string n_bytes, e_bytes;
    if (!Decode(jwk.value("n", ""), &n_bytes) || !Decode(jwk.value("e", ""), &e_bytes) || n_bytes.size() < 256) {
      OSSL_PARAM_BLD_free(build);
      return nullptr;  // RSA below 2048 bits is refused
    }
    n = BN_bin2bn(reinterpret_cast<const unsigned char*>(n_bytes.data()), static_cast<int>(n_bytes.size()), nullptr);
    e = BN_bin2bn(reinterpret_cast<const unsigned char*>(e_bytes.data()), static_cast<int>(e_bytes.size()), nullptr);
    OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(build, OSSL_PKEY_PARAM_RSA_E, e);
    type = "RSA";
    *alg = "RS256";
  } else if (kty == "EC" && jwk.value("crv", "") == "P-256") {
    std::string x, y;
    if (!Decode(jwk.value("x", ""), &x) || !Decode(jwk.value("y", ""), &y) || x.size() != 32 || y.size() != 32) {
      OSSL_PARAM_BLD_free(build);
      return nullptr;
    }
    point = "\x04" + x + y;
    OSSL_PARAM_BLD_push_utf8_string(build, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0);
    OSSL_PARAM_BLD_push_octet_string(build, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size());
    type = "EC";
    *alg = "ES256";
  } else if (kty == "OKP" && jwk.value("crv", "") == "Ed25519") {
    OSSL_PARAM_BLD_free(build);
    std::string x;
    if (!Decode(jwk.value("x", ""), &x) || x.size() != 32) return nullptr;
    key.reset(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                          reinterpret_cast<const unsigned char*>(x.data()), x.size()));
    *alg = "EdDSA";
    return key;
  } else {
    OSSL_PARAM_BLD_free(build);
    return nullptr;
  }
  params = OSSL_PARAM_BLD_to_param(build);
  EVP_PKEY_CTX* context = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* made = nullptr;
  if (params != nullptr && context != nullptr && EVP_PKEY_fromdata_init(context) == 1 &&
      EVP_PKEY_fromdata(context, &made, EVP_PKEY_PUBLIC_KEY, params) == 1) {
    key.reset(made);
  }
  EVP_PKEY_CTX_free(context);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(build);
  BN_free(n);
  BN_free(e);
  return key;
}

}  // namespace

OidcVerifier::OidcVerifier(OidcProvider provider, std::function<absl::Time()> clock)
    : provider_(std::move(provider)), clock_(std::move(clock)) {}

OidcVerifier::~OidcVerifier() = default;

absl::StatusOr<std::unique_ptr<OidcVerifier>> OidcVerifier::Create(OidcProvider provider,
                                                                  std::function<absl::Time()> clock) {
  if (provider.issuer.empty() || provider.audience.empty()) {
    return absl::InvalidArgumentError("oidc: the provider needs an issuer and an audience");
  }
  if (provider.role_map.empty()) return absl::InvalidArgumentError("oidc: the role map is empty");
  for (const auto& [theirs, ours] : provider.role_map) {
    // A provider's users are people and integrators; our services' identity stays ours.
    if (ours != "admin" && ours != "office" && ours != "council" && ours != "producer" && ours != "printer" &&
        ours != "integrator") {
      return absl::InvalidArgumentError(absl::StrCat("oidc: role map: '", theirs, "' maps to '", ours,
                                                     "', not one of admin, office, council, producer, printer, "
                                                     "integrator"));
    }
  }
  Json set = Json::parse(provider.jwks_json, nullptr, /*allow_exceptions=*/false);
  if (!set.is_object() || !set.contains("keys") || !set["keys"].is_array()) {
    return absl::InvalidArgumentError("oidc: the JWK Set is not a JSON object with a \"keys\" list");
  }
  std::unique_ptr<OidcVerifier> verifier(new OidcVerifier(std::move(provider), std::move(clock)));
  for (const Json& jwk : set["keys"]) {
    if (!jwk.is_object() || jwk.value("use", "sig") != "sig" || jwk.value("kid", "").empty()) continue;
    auto key = std::make_unique<Key>();
    key->key = KeyFromJwk(jwk, &key->alg);
    if (!key->key) continue;
    // A key that names its algorithm verifies only that one.
    if (jwk.contains("alg") && jwk.value("alg", "") != key->alg) continue;
    verifier->keys_[jwk.value("kid", "")] = std::move(key);
  }
  if (verifier->keys_.empty()) return absl::InvalidArgumentError("oidc: the JWK Set holds no usable signing key");
  return verifier;
}

absl::StatusOr<Actor> OidcVerifier::Verify(absl::string_view token) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Unauthenticated("malformed token: not three base64url parts");
  std::string header_text, payload_text, signature;
  if (!Decode(parts[0], &header_text) || !Decode(parts[1], &payload_text) || !Decode(parts[2], &signature)) {
    return Unauthenticated("malformed token: bad base64url");
  }
  Json header = Json::parse(header_text, nullptr, false);
  Json payload = Json::parse(payload_text, nullptr, false);
  if (!header.is_object() || !payload.is_object()) return Unauthenticated("malformed token: not JSON objects");
  const std::string alg = StringClaim(header, "alg");
  if (alg == "none" || alg.empty()) return Unauthenticated("alg none refused");
  const std::string kid = StringClaim(header, "kid");
  auto key = keys_.find(kid);
  if (key == keys_.end()) return Unauthenticated(absl::StrCat("unknown key id ", kid.substr(0, 64)));
  if (alg != key->second->alg) {
    return Unauthenticated(absl::StrCat("alg ", alg.substr(0, 16), " refused for key ", kid.substr(0, 64)));
  }
  const absl::string_view input = token.substr(0, parts[0].size() + 1 + parts[1].size());
  if (!key->second->Verify(input, signature)) return Unauthenticated("bad signature");

  if (StringClaim(payload, "iss") != provider_.issuer) return Unauthenticated("wrong issuer");
  bool audience_ok = false;
  if (auto aud = payload.find("aud"); aud != payload.end()) {
    if (aud->is_string()) audience_ok = aud->get<std::string>() == provider_.audience;
    if (aud->is_array()) {
      for (const Json& entry : *aud) audience_ok = audience_ok || (entry.is_string() && entry == provider_.audience);
    }
  }
  if (!audience_ok) return Unauthenticated(absl::StrCat("wrong audience (expected '", provider_.audience, "')"));
  const absl::Time now = clock_();
  if (!payload.contains("exp") || !payload["exp"].is_number()) return Unauthenticated("malformed token: no expiry (exp)");
  const absl::Time expires = absl::FromUnixSeconds(payload["exp"].get<int64_t>());
  if (now - provider_.leeway >= expires) return Unauthenticated(absl::StrCat("token expired at ", TimeText(expires)));
  if (payload.contains("nbf") && payload["nbf"].is_number()) {
    const absl::Time not_before = absl::FromUnixSeconds(payload["nbf"].get<int64_t>());
    if (now + provider_.leeway < not_before) {
      return Unauthenticated(absl::StrCat("token not valid before ", TimeText(not_before)));
    }
  }
  const std::string subject = StringClaim(payload, "sub");
  if (subject.empty()) return Unauthenticated("malformed token: no subject (sub)");

  // The role: the first of the provider's role names that maps to one of ours.
  std::vector<std::string> names;
  if (auto role = payload.find(provider_.role_claim); role != payload.end()) {
    if (role->is_string()) names.push_back(role->get<std::string>());
    if (role->is_array()) {
      for (const Json& entry : *role) {
        if (entry.is_string()) names.push_back(entry.get<std::string>());
      }
    }
  }
  Actor actor;
  for (const std::string& name : names) {
    if (auto mapped = provider_.role_map.find(name); mapped != provider_.role_map.end()) {
      actor.role = mapped->second;
      break;
    }
  }
  if (actor.role.empty()) {
    return Unauthenticated(absl::StrCat("no role in \"", provider_.role_claim, "\" is mapped to an ocop-trace role"));
  }
  actor.subject = absl::StrCat("oidc:", subject.substr(0, 200));
  actor.producer = StringClaim(payload, provider_.producer_claim);
  actor.province = StringClaim(payload, provider_.province_claim);
  actor.printer = StringClaim(payload, provider_.printer_claim);
  return actor;
}

std::string UnverifiedIssuer(absl::string_view token) {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string payload_text;
  if (parts.size() != 3 || !Decode(parts[1], &payload_text)) return "";
  Json payload = Json::parse(payload_text, nullptr, false);
  return payload.is_object() ? StringClaim(payload, "iss") : "";
}

absl::StatusOr<std::map<std::string, std::string>> ParseRoleMap(const std::string& flag, absl::string_view text) {
  std::map<std::string, std::string> map;
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::vector<absl::string_view> pair = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    if (pair.size() != 2 || absl::StripAsciiWhitespace(pair[0]).empty() ||
        absl::StripAsciiWhitespace(pair[1]).empty()) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": '", entry, "' is not provider_role=our_role"));
    }
    map[std::string(absl::StripAsciiWhitespace(pair[0]))] = std::string(absl::StripAsciiWhitespace(pair[1]));
  }
  return map;
}

}  // namespace ocop::auth
