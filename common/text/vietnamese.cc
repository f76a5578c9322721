#include "common/text/vietnamese.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/ustring.h>

#include "absl/strings/str_cat.h"

namespace ocop::text {
namespace {

constexpr UChar32 kSmallDStroke = 0x0111;    // đ
constexpr UChar32 kCapitalDStroke = 0x0110;  // Đ

// Strict UTF-8 -> UTF-16; false for ill-formed input (unlike UnicodeString::fromUTF8, which
// silently substitutes U+FFFD).
bool DecodeStrict(absl::string_view value, icu::UnicodeString* out) {
  UErrorCode error = U_ZERO_ERROR;
  int32_t length = 0;
  u_strFromUTF8(nullptr, 0, &length, value.data(), static_cast<int32_t>(value.size()), &error);
  if (error != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(error)) return false;
  error = U_ZERO_ERROR;
  UChar* buffer = out->getBuffer(length);
  u_strFromUTF8(buffer, length, nullptr, value.data(), static_cast<int32_t>(value.size()), &error);
  out->releaseBuffer(U_SUCCESS(error) ? length : 0);
  return U_SUCCESS(error);
}

bool IsControl(UChar32 c) {
  return (c < 0x20 && c != '\t' && c != '\n') || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
         (c >= 0x2066 && c <= 0x2069);
}

absl::Status CheckDecoded(absl::string_view field, const icu::UnicodeString& decoded) {
  for (int32_t i = 0; i < decoded.length(); i = decoded.moveIndex32(i, 1)) {
    if (IsControl(decoded.char32At(i))) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": holds a control character"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckPlainText(absl::string_view field, absl::string_view value) {
  // Plain ASCII, the common case, needs no decoding.
  bool ascii = true;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x80) {
      ascii = false;
      break;
    }
    if (IsControl(byte)) return absl::InvalidArgumentError(absl::StrCat(field, ": holds a control character"));
  }
  if (ascii) return absl::OkStatus();
  icu::UnicodeString decoded;
  if (!DecodeStrict(value, &decoded)) return absl::InvalidArgumentError(absl::StrCat(field, ": is not valid UTF-8"));
  return CheckDecoded(field, decoded);
}

absl::StatusOr<std::string> NormalizeNfc(absl::string_view field, absl::string_view value) {
  icu::UnicodeString decoded;
  if (!DecodeStrict(value, &decoded)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": is not valid UTF-8"));
  }
  if (absl::Status plain = CheckDecoded(field, decoded); !plain.ok()) return plain;
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(error);
  if (U_FAILURE(error)) return absl::InternalError("ICU NFC normaliser unavailable");
  icu::UnicodeString normalized = nfc->normalize(decoded, error);
  if (U_FAILURE(error)) return absl::InternalError(absl::StrCat(field, ": NFC normalisation failed"));
  std::string result;
  normalized.toUTF8String(result);
  return result;
}

std::string FoldForSearch(absl::string_view value) {
  icu::UnicodeString decoded = icu::UnicodeString::fromUTF8(icu::StringPiece(value.data(), value.size()));
  UErrorCode error = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(error);
  if (U_FAILURE(error)) return "";
  icu::UnicodeString decomposed = nfd->normalize(decoded, error);
  if (U_FAILURE(error)) return "";

  icu::UnicodeString folded;
  bool pending_space = false;
  for (int32_t i = 0; i < decomposed.length(); i = decomposed.moveIndex32(i, 1)) {
    UChar32 c = decomposed.char32At(i);
    if (u_charType(c) == U_NON_SPACING_MARK) continue;
    if (c == kSmallDStroke || c == kCapitalDStroke) c = 'd';
    if (c == 0xFFFD || !u_isalnum(c)) {
      pending_space = !folded.isEmpty();
      continue;
    }
    if (pending_space) folded.append(static_cast<UChar>(' '));
    pending_space = false;
    folded.append(u_foldCase(c, U_FOLD_CASE_DEFAULT));
  }
  std::string result;
  folded.toUTF8String(result);
  return result;
}

}  // namespace ocop::text
