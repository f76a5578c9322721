#include "common/token/base32.h"

#include "absl/strings/str_cat.h"

namespace ocop::token {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

}  // namespace

std::string Base32Encode(absl::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

absl::StatusOr<std::string> Base32Decode(absl::string_view text) {
  // Unpadded lengths mod 8 that encode whole bytes: 0, 2, 4, 5, 7.
  switch (text.size() % 8) {
    case 1: case 3: case 6:
      return absl::InvalidArgumentError(
          absl::StrCat("base32: length ", text.size(), " encodes no whole number of bytes"));
    default:
      break;
  }
  std::string out;
  out.reserve(text.size() * 5 / 8);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    int value = DecodeChar(text[i]);
    if (value < 0) {
      return absl::InvalidArgumentError(absl::StrCat("base32: invalid character at position ", i));
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) {
    return absl::InvalidArgumentError("base32: non-canonical encoding (trailing bits are not zero)");
  }
  return out;
}

}  // namespace ocop::token
