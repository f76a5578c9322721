#include "common/crypto/ed25519.h"

#include <gtest/gtest.h>

#include "common/crypto/digest.h"
#include "tests/support/status_matchers.h"

namespace ocop::crypto {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

TEST(Ed25519, SignVerifyAndRejectTamperedMessageOrSignature) {
  auto key = Ed25519PrivateKey::Generate();
  ASSERT_THAT(key, IsOk());
  auto signature = key->Sign("lot TN-2026-001");
  ASSERT_THAT(signature, IsOk());
  EXPECT_EQ(signature->size(), kEd25519SignatureSize);
  auto verifier = Ed25519Verifier::FromPublicKey(key->PublicKey());
  ASSERT_THAT(verifier, IsOk());
  EXPECT_TRUE(verifier->Verify("lot TN-2026-001", *signature));
  EXPECT_FALSE(verifier->Verify("lot TN-2026-002", *signature));
  std::string flipped = *signature;
  flipped[10] ^= 1;
  EXPECT_FALSE(verifier->Verify("lot TN-2026-001", flipped));
  EXPECT_FALSE(verifier->Verify("lot TN-2026-001", signature->substr(1)));
}

TEST(Ed25519, PemRoundTripKeepsTheKey) {
  auto key = Ed25519PrivateKey::Generate();
  ASSERT_THAT(key, IsOk());
  auto pem = key->ToPem();
  ASSERT_THAT(pem, IsOk());
  EXPECT_NE(pem->find("BEGIN PRIVATE KEY"), std::string::npos);
  auto loaded = Ed25519PrivateKey::FromPem(*pem);
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(loaded->PublicKey(), key->PublicKey());
  EXPECT_EQ(*loaded->Sign("x"), *key->Sign("x"));  // Ed25519 is deterministic
}

TEST(Ed25519, RejectsGarbagePemAndWrongSizedPublicKey) {
  EXPECT_THAT(Ed25519PrivateKey::FromPem("not a key"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Ed25519Verifier::FromPublicKey(std::string(31, 'a')),
              StatusIs(absl::StatusCode::kInvalidArgument, "32 bytes"));
}

TEST(Digest, APrecomputedHmacKeyGivesTheSameMacs) {
  const HmacSha256Key jefe("Jefe");
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(jefe.Mac("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const std::string long_key(131, '\xaa');  // RFC 4231 test case 6: a key longer than the block
  const HmacSha256Key hashed(long_key);
  EXPECT_EQ(HexEncode(hashed.Mac("Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  for (const char* data : {"", "203.0.113.7", "2001:db8:42:7::/64"}) {
    EXPECT_EQ(jefe.Mac(data), HmacSha256("Jefe", data)) << data;
  }
}

TEST(Digest, Sha256AndHmacMatchKnownVectors) {
  EXPECT_EQ(HexEncode(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  EXPECT_EQ(HexEncode(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Digest, RandomBytesHaveTheSizeAskedAndDiffer) {
  auto a = RandomBytes(16);
  auto b = RandomBytes(16);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(a->size(), 16u);
  EXPECT_NE(*a, *b);
}

}  // namespace
}  // namespace ocop::crypto
