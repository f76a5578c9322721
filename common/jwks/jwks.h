// Ed25519 public keys as a JWK Set (RFC 7517, RFC 8037).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "ocop/common/v1/common.pb.h"

namespace ocop::jwks {

// A JWK Set of `keys` (key id -> raw 32-byte Ed25519 public key), in key id order.
common::v1::Jwks MakeJwks(const std::map<uint32_t, std::string>& keys);

// Its JSON text: {"keys":[{"kty":"OKP","crv":"Ed25519","x":"...","kid":"...","use":"sig","alg":"EdDSA"}]}.
std::string ToJson(const common::v1::Jwks& jwks);

}  // namespace ocop::jwks
