#include "common/validate/validate.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/crypto/digest.h"
#include "common/text/vietnamese.h"
#include "common/token/base32.h"

namespace ocop::validate {

absl::Status Text(absl::string_view field, absl::string_view value, size_t max_chars, bool required) {
  if (required && absl::StripAsciiWhitespace(value).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must not be empty"));
  }
  if (value.size() > max_chars) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be at most ", max_chars, " bytes"));
  }
  return text::CheckPlainText(field, value);
}

absl::Status ResourceName(absl::string_view field, absl::string_view value, absl::string_view collection) {
  if (value.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": must not be empty"));
  std::string prefix = absl::StrCat(collection, "/");
  absl::string_view id = value;
  bool shaped = absl::ConsumePrefix(&id, prefix) && !id.empty() && id.size() <= 64;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') shaped = false;
  }
  if (!shaped) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must look like ", collection, "/{id}, got '", value.substr(0, 80), "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> Date(absl::string_view field, absl::string_view value) {
  absl::CivilDay day;
  if (value.size() != 10 || !absl::ParseCivilTime(value, &day)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be a date YYYY-MM-DD, got '",
                                                   value.substr(0, 40), "'"));
  }
  return day;
}

absl::Status DigitCode(absl::string_view field, absl::string_view value, size_t digits) {
  bool ok = value.size() == digits;
  for (char c : value) ok = ok && absl::ascii_isdigit(c);
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be ", digits, " digits, got '",
                                                   value.substr(0, 20), "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Gtin(absl::string_view field, absl::string_view value) {
  bool digits = value.size() == 8 || value.size() == 12 || value.size() == 13 || value.size() == 14;
  for (char c : value) digits = digits && absl::ascii_isdigit(c);
  if (!digits) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be a GTIN of 8, 12, 13 or 14 digits"));
  }
  std::string gtin = std::string(14 - value.size(), '0') + std::string(value);
  // GS1 check digit: weights 3 and 1 alternate from the digit left of the check digit.
  int sum = 0;
  for (int i = 12; i >= 0; --i) sum += (gtin[static_cast<size_t>(i)] - '0') * ((12 - i) % 2 == 0 ? 3 : 1);
  int check = (10 - sum % 10) % 10;
  if (gtin[13] - '0' != check) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": check digit should be ", check));
  }
  return gtin;
}

absl::Status HttpsUrl(absl::string_view field, absl::string_view value) {
  if (absl::StartsWith(value, "https://") && value.size() <= 2000 &&
      value.find_first_of(" \t\r\n\"<>") == absl::string_view::npos) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": must be an https URL of at most 2000 bytes"));
}

absl::Status BaseUrl(absl::string_view field, absl::string_view value) {
  std::string lower = absl::AsciiStrToLower(value);
  absl::string_view host = lower;
  bool shaped = (absl::ConsumePrefix(&host, "https://") || absl::ConsumePrefix(&host, "http://")) &&
                !host.empty() && host.size() <= 253 && host.front() != ':';
  for (char c : host) {
    // Letters, digits, '-', '.', ':' (a port, or an IPv6 literal) and '[' ']' only.
    shaped = shaped && (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == ':' || c == '[' || c == ']');
  }
  if (!shaped) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be http(s)://host[:port] with no path, got '",
                                                   value.substr(0, 100), "'"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Sha256Hex(absl::string_view field, absl::string_view value, absl::string_view what) {
  std::string digest = absl::AsciiStrToLower(value);
  const bool hex = digest.size() == 64 && std::all_of(digest.begin(), digest.end(), [](char c) {
                     return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                   });
  if (!hex) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be 64 hex digits (SHA-256 of the ", what, ")"));
  }
  return digest;
}

std::string NewId(absl::string_view prefix) {
  auto random = crypto::RandomBytes(10);
  // RandomBytes fails only if OpenSSL's CSPRNG is broken, which makes every key unsafe too.
  if (!random.ok()) std::abort();
  std::string id = absl::AsciiStrToLower(token::Base32Encode(*random));
  return prefix.empty() ? id : absl::StrCat(prefix, "-", id);
}

}  // namespace ocop::validate
