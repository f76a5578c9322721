#include "common/token/token.h"

#include <gtest/gtest.h>

#include "absl/strings/ascii.h"
#include "common/digital_link/digital_link.h"
#include "common/token/base32.h"
#include "tests/support/status_matchers.h"

namespace ocop::token {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::Ed25519PrivateKey::Generate();
    ASSERT_THAT(key, IsOk());
    key_ = std::make_unique<crypto::Ed25519PrivateKey>(*key);
    auto verifier = crypto::Ed25519Verifier::FromPublicKey(key_->PublicKey());
    ASSERT_THAT(verifier, IsOk());
    verifier_ = std::make_unique<crypto::Ed25519Verifier>(*verifier);
  }
  std::unique_ptr<crypto::Ed25519PrivateKey> key_;
  std::unique_ptr<crypto::Ed25519Verifier> verifier_;
};

// RFC 8032's first Ed25519 test key (public knowledge, for test vectors only).
constexpr char kRfc8032Key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";

// The published vectors of docs/token-format.md, computed independently of this code (Python's
// base32 and struct, OpenSSL's Ed25519): anyone verifying stamps can check their reader on them.
TEST(TokenFormat, FixedTestVectors) {
  auto key = crypto::Ed25519PrivateKey::FromPem(kRfc8032Key);
  ASSERT_THAT(key, IsOk());
  const std::string token =
      "AENCWPCNAAAAAAAAAAB6TNWDYMSDGVXVGECOYOWPOLNKQJQLOJRFQ5QAYRMHUJDVDC2XUSYJLE26OFHH3534DWTHGWIE7K57"
      "YBBOOVH44W7VXE2TFZFPDDY5RIFA";
  EXPECT_EQ(*EncodeToken(0x1a2b3c4d, 1001, *key), token);
  auto decoded = DecodeToken(token);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(decoded->key_id, 0x1a2b3c4du);
  EXPECT_EQ(decoded->serial, 1001u);
  auto verifier = crypto::Ed25519Verifier::FromPublicKey(key->PublicKey());
  ASSERT_THAT(verifier, IsOk());
  EXPECT_TRUE(VerifyToken(*decoded, *verifier));
  EXPECT_EQ(*digital_link::Encode("https://ocop.tn.gov.vn", 0x1a2b3c4d, "08930000000019", "TC-2026/03", 1001, *key),
      "https://ocop.tn.gov.vn/01/08930000000019/10/TC-2026%2F03/21/1001?k=1a2b3c4d&s=E7Qi3UhxWjV1LMxE5-"
      "b_YbY_DKPDiliBNe5tlEVUTeuGn93RUkMkY4Ihw8YcJBfGoQplrR87WU652qNPXyyxAQ");
}

TEST(Base32, MatchesRfc4648Vectors) {
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32Encode("f"), "MY");
  EXPECT_EQ(*Base32Decode("MZXW6YTBOI"), "foobar");
  EXPECT_EQ(*Base32Decode("mzxw6ytboi"), "foobar");
}

TEST(Base32, RejectsNonCanonicalTrailingBitsAndBadCharacters) {
  // "MY" is "f"; "MZ" differs only in trailing bits and must not decode to the same byte.
  EXPECT_THAT(Base32Decode("MZ"), StatusIs(absl::StatusCode::kInvalidArgument, "non-canonical"));
  EXPECT_THAT(Base32Decode("M1"), StatusIs(absl::StatusCode::kInvalidArgument, "invalid character"));
  EXPECT_THAT(Base32Decode("MY======"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Base32Decode("MZX"), StatusIs(absl::StatusCode::kInvalidArgument, "length"));
}

TEST_F(TokenTest, RoundTripKeepsKeyIdAndSerialAndVerifies) {
  auto text = EncodeToken(0xdeadbeef, 1234567890123ULL, *key_);
  ASSERT_THAT(text, IsOk());
  EXPECT_EQ(text->size(), kTokenChars);
  EXPECT_EQ(*text, absl::AsciiStrToUpper(*text));
  auto token = DecodeToken(*text);
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(token->key_id, 0xdeadbeefu);
  EXPECT_EQ(token->serial, 1234567890123ULL);
  EXPECT_TRUE(VerifyToken(*token, *verifier_));
}

TEST_F(TokenTest, LowerCaseSpellingIsTheSameToken) {
  auto text = EncodeToken(7, 42, *key_);
  ASSERT_THAT(text, IsOk());
  auto token = DecodeToken(absl::AsciiStrToLower(*text));
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(token->serial, 42u);
  EXPECT_TRUE(VerifyToken(*token, *verifier_));
}

TEST_F(TokenTest, EverySingleBitFlipIsRejected) {
  auto text = EncodeToken(0x01020304, 99, *key_);
  ASSERT_THAT(text, IsOk());
  std::string bytes = *Base32Decode(*text);
  int rejected = 0;
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::string flipped = bytes;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    auto token = DecodeToken(Base32Encode(flipped));
    // A flip either breaks the format (version) or the signature; never both verify.
    if (!token.ok() || !VerifyToken(*token, *verifier_)) ++rejected;
  }
  EXPECT_EQ(rejected, static_cast<int>(bytes.size() * 8));
}

TEST_F(TokenTest, NonCanonicalSpellingIsRejected) {
  auto text = EncodeToken(5, 6, *key_);
  ASSERT_THAT(text, IsOk());
  // 77 bytes = 616 bits in 124 characters: the last character carries 1 data bit and 4 zero bits.
  // Setting one of the zero bits spells the same bytes differently.
  std::string altered = *text;
  char last = altered.back();
  altered.back() = last == 'A' ? 'B' : (last == 'Q' ? 'R' : 'B');
  EXPECT_THAT(DecodeToken(altered), StatusIs(absl::StatusCode::kInvalidArgument, "non-canonical"));
}

TEST_F(TokenTest, WrongLengthVersionAndKeyAreRejected) {
  auto text = EncodeToken(5, 6, *key_);
  ASSERT_THAT(text, IsOk());
  EXPECT_THAT(DecodeToken(text->substr(1)), StatusIs(absl::StatusCode::kInvalidArgument, "124"));
  EXPECT_THAT(DecodeToken(*text + "A"), StatusIs(absl::StatusCode::kInvalidArgument, "124"));
  std::string bytes = *Base32Decode(*text);
  bytes[0] = 2;
  EXPECT_THAT(DecodeToken(Base32Encode(bytes)), StatusIs(absl::StatusCode::kInvalidArgument, "version"));
  // A genuine signature under one key id does not verify when the key id is changed.
  std::string other_key_id = *Base32Decode(*text);
  other_key_id[4] ^= 1;
  auto token = DecodeToken(Base32Encode(other_key_id));
  ASSERT_THAT(token, IsOk());
  EXPECT_FALSE(VerifyToken(*token, *verifier_));
  // Another key does not verify it at all.
  auto other = crypto::Ed25519PrivateKey::Generate();
  auto other_verifier = crypto::Ed25519Verifier::FromPublicKey(other->PublicKey());
  EXPECT_FALSE(VerifyToken(*DecodeToken(*text), *other_verifier));
}

TEST(ExtractToken, AcceptsUrlInAnyCaseOrBareToken) {
  EXPECT_EQ(*ExtractToken("HTTPS://OCOP.VN/S/ABC"), "ABC");
  EXPECT_EQ(*ExtractToken("https://ocop.vn/s/abc?src=qr"), "abc");
  EXPECT_EQ(*ExtractToken("  ABC \n"), "ABC");
  EXPECT_THAT(ExtractToken("https://ocop.vn/x/ABC"), StatusIs(absl::StatusCode::kInvalidArgument, "/s/"));
  EXPECT_THAT(ExtractToken(""), StatusIs(absl::StatusCode::kInvalidArgument, "empty"));
}

TEST(KeyId, HexRoundTripAndStrictParsing) {
  EXPECT_EQ(KeyIdToHex(0x0a0b0c0d), "0a0b0c0d");
  EXPECT_EQ(*KeyIdFromHex("0a0b0c0d"), 0x0a0b0c0du);
  EXPECT_THAT(KeyIdFromHex("0x0b0c0d"), StatusIs(absl::StatusCode::kInvalidArgument, "key_id"));
  EXPECT_THAT(KeyIdFromHex("abc"), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ocop::token
