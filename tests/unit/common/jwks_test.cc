#include "common/jwks/jwks.h"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "common/crypto/ed25519.h"

namespace ocop::jwks {
namespace {

TEST(Jwks, FollowsRfc8037ForEd25519) {
  // RFC 8037 appendix A.2: the public key of the example Ed25519 key.
  std::string public_key;
  ASSERT_TRUE(absl::WebSafeBase64Unescape("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", &public_key));
  common::v1::Jwks jwks = MakeJwks({{0x0a0b0c0d, public_key}});
  ASSERT_EQ(jwks.keys_size(), 1);
  EXPECT_EQ(jwks.keys(0).x(), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
  EXPECT_EQ(ToJson(jwks),
            "{\"keys\":[{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\","
            "\"kid\":\"0a0b0c0d\",\"use\":\"sig\",\"alg\":\"EdDSA\"}]}");
}

TEST(Jwks, RoundTripsAGeneratedKey) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  common::v1::Jwks jwks = MakeJwks({{1, key->PublicKey()}, {2, key->PublicKey()}});
  ASSERT_EQ(jwks.keys_size(), 2);
  std::string decoded;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(jwks.keys(1).x(), &decoded));
  EXPECT_EQ(decoded, key->PublicKey());
  EXPECT_EQ(jwks.keys(1).x().find('='), std::string::npos);
}

}  // namespace
}  // namespace ocop::jwks
