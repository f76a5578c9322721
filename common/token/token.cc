#include "common/token/token.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status_macros.h"
#include "common/token/base32.h"

namespace ocop::token {
namespace {

void AppendBigEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint64_t ReadBigEndian(absl::string_view in, size_t offset, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[offset + i]);
  return value;
}

std::string Header(uint8_t version, uint32_t key_id, uint64_t serial) {
  std::string header;
  header.push_back(static_cast<char>(version));
  AppendBigEndian(header, key_id, 4);
  AppendBigEndian(header, serial, 8);
  return header;
}

}  // namespace

std::string SignedBytes(uint32_t key_id, uint64_t serial) {
  return absl::StrCat(kSignaturePrefix, Header(kTokenVersion, key_id, serial));
}

absl::StatusOr<std::string> EncodeToken(uint32_t key_id, uint64_t serial,
                                        const crypto::Ed25519PrivateKey& key) {
  OCOP_ASSIGN_OR_RETURN(std::string signature, key.Sign(SignedBytes(key_id, serial)));
  return Base32Encode(absl::StrCat(Header(kTokenVersion, key_id, serial), signature));
}

absl::StatusOr<StampToken> DecodeToken(absl::string_view text) {
  if (text.size() != kTokenChars) {
    return absl::InvalidArgumentError(
        absl::StrCat("token: must be ", kTokenChars, " characters, got ", text.size()));
  }
  OCOP_ASSIGN_OR_RETURN(std::string bytes, Base32Decode(text));
  StampToken token;
  token.version = static_cast<uint8_t>(bytes[0]);
  if (token.version != kTokenVersion) {
    return absl::InvalidArgumentError(absl::StrCat("token: unknown version ", token.version));
  }
  token.key_id = static_cast<uint32_t>(ReadBigEndian(bytes, 1, 4));
  token.serial = ReadBigEndian(bytes, 5, 8);
  token.signature = bytes.substr(13);
  return token;
}

bool VerifyToken(const StampToken& token, const crypto::Ed25519Verifier& verifier) {
  return verifier.Verify(SignedBytes(token.key_id, token.serial), token.signature);
}

absl::StatusOr<absl::string_view> ExtractToken(absl::string_view code) {
  code = absl::StripAsciiWhitespace(code);
  if (size_t end = code.find_first_of("?#"); end != absl::string_view::npos) code = code.substr(0, end);
  size_t scheme = code.find("://");
  if (scheme != absl::string_view::npos) {
    size_t path = code.find('/', scheme + 3);
    if (path == absl::string_view::npos) return absl::InvalidArgumentError("code: URL has no path");
    absl::string_view rest = code.substr(path);
    if (rest.size() < 3 || rest[0] != '/' || (rest[1] != 's' && rest[1] != 'S') || rest[2] != '/') {
      return absl::InvalidArgumentError("code: URL path must be /s/{token}");
    }
    code = rest.substr(3);
  }
  if (code.empty()) return absl::InvalidArgumentError("code: must not be empty");
  return code;
}

std::string KeyIdToHex(uint32_t key_id) { return absl::StrFormat("%08x", key_id); }

absl::StatusOr<uint32_t> KeyIdFromHex(absl::string_view hex) {
  uint32_t value = 0;
  bool all_hex = std::all_of(hex.begin(), hex.end(), [](char c) { return absl::ascii_isxdigit(c); });
  if (hex.size() != 8 || !all_hex || !absl::SimpleHexAtoi(hex, &value)) {
    return absl::InvalidArgumentError(absl::StrCat("key_id: must be 8 hex digits, got '", hex, "'"));
  }
  return value;
}

}  // namespace ocop::token
