#include "common/jwks/jwks.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/escaping.h"
#include "common/token/token.h"

namespace ocop::jwks {

common::v1::Jwks MakeJwks(const std::map<uint32_t, std::string>& keys) {
  common::v1::Jwks jwks;
  for (const auto& [key_id, public_key] : keys) {
    common::v1::Jwk* jwk = jwks.add_keys();
    jwk->set_kty("OKP");
    jwk->set_crv("Ed25519");
    // RFC 8037: "x" is base64url of the raw key without padding (absl's web-safe form pads not).
    jwk->set_x(absl::WebSafeBase64Escape(public_key));
    jwk->set_kid(token::KeyIdToHex(key_id));
    jwk->set_use("sig");
    jwk->set_alg("EdDSA");
  }
  return jwks;
}

std::string ToJson(const common::v1::Jwks& jwks) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(jwks, &json, options).ok()) return "{\"keys\":[]}";
  return json;
}

}  // namespace ocop::jwks
