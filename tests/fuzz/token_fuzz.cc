// The stamp token codec and what a camera read: DecodeToken, ExtractToken, KeyIdFromHex.
// Properties: a token that decodes is canonical (its bytes encode back to the input, up to letter
// case); an extracted token lies inside the code; a key id that parses prints back the same.
#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "common/crypto/ed25519.h"
#include "common/token/base32.h"
#include "common/token/token.h"
#include "tests/fuzz/fuzz_target.h"

namespace ocop::fuzz {
namespace {

std::string TokenBytes(const token::StampToken& token) {
  std::string bytes(1, static_cast<char>(token.version));
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(token.key_id >> shift));
  for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(token.serial >> shift));
  return bytes + token.signature;
}

int Run(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<token::StampToken> decoded = token::DecodeToken(text);
  if (decoded.ok()) {
    FUZZ_CHECK(decoded->signature.size() == 64);
    FUZZ_CHECK(token::Base32Encode(TokenBytes(*decoded)) == absl::AsciiStrToUpper(text));
  }
  absl::StatusOr<absl::string_view> extracted = token::ExtractToken(text);
  if (extracted.ok()) {
    FUZZ_CHECK(extracted->data() >= text.data() && extracted->data() + extracted->size() <= text.data() + text.size());
    (void)token::DecodeToken(*extracted);
  }
  absl::StatusOr<uint32_t> key_id = token::KeyIdFromHex(text);
  if (key_id.ok()) FUZZ_CHECK(token::KeyIdToHex(*key_id) == absl::AsciiStrToLower(text));
  absl::StatusOr<std::string> raw = token::Base32Decode(text);
  if (raw.ok()) (void)token::Base32Encode(*raw);
  return 0;
}

std::vector<std::string> Seeds() {
  auto key = crypto::Ed25519PrivateKey::Generate();
  std::string token = *token::EncodeToken(0x0a0b0c0d, 1234567, *key);
  std::string lower = absl::AsciiStrToLower(token);
  return {token, lower, "https://ocop.example.vn/s/" + token, "HTTPS://OCOP.EXAMPLE.VN/S/" + token + "?lang=en#x",
          "0a0b0c0d", "AAAA", ""};
}

}  // namespace

OCOP_FUZZ_TARGET(token, Run, Seeds);

}  // namespace ocop::fuzz
