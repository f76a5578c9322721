#include "common/digital_link/digital_link.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "common/token/token.h"
#include "common/validate/validate.h"

namespace ocop::digital_link {
namespace {

constexpr absl::string_view kPrefix{"ocop-trace/digital-link/v1\0", 27};

bool Unreserved(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

}  // namespace

std::string PercentEncodePath(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (Unreserved(c)) {
      out += c;
    } else {
      absl::StrAppend(&out, "%", absl::AsciiStrToUpper(absl::BytesToHexString(absl::string_view(&c, 1))));
    }
  }
  return out;
}

namespace {

absl::StatusOr<std::string> PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !absl::ascii_isxdigit(text[i + 1]) || !absl::ascii_isxdigit(text[i + 2])) {
      return absl::InvalidArgumentError("code: lot has a malformed %-escape");
    }
    out += absl::HexStringToBytes(text.substr(i + 1, 2));
    i += 2;
  }
  return out;
}

}  // namespace

std::string SignedBytes(uint32_t key_id, absl::string_view gtin, absl::string_view lot, uint64_t serial) {
  std::string bytes(kPrefix);
  for (int i = 3; i >= 0; --i) bytes.push_back(static_cast<char>((key_id >> (8 * i)) & 0xff));
  absl::StrAppend(&bytes, gtin);
  bytes.push_back('\0');
  absl::StrAppend(&bytes, lot);
  bytes.push_back('\0');
  for (int i = 7; i >= 0; --i) bytes.push_back(static_cast<char>((serial >> (8 * i)) & 0xff));
  return bytes;
}

absl::StatusOr<std::string> Encode(absl::string_view base_url, uint32_t key_id, absl::string_view gtin,
                                   absl::string_view lot, uint64_t serial, const crypto::Ed25519PrivateKey& key) {
  OCOP_ASSIGN_OR_RETURN(std::string signature, key.Sign(SignedBytes(key_id, gtin, lot, serial)));
  return absl::StrCat(absl::AsciiStrToLower(base_url), "/01/", gtin, "/10/", PercentEncodePath(lot), "/21/", serial,
                      "?k=", token::KeyIdToHex(key_id), "&s=", absl::WebSafeBase64Escape(signature));
}

bool LooksLikeDigitalLink(absl::string_view code) {
  size_t scheme = code.find("://");
  absl::string_view path = code;
  if (scheme != absl::string_view::npos) {
    size_t slash = code.find('/', scheme + 3);
    path = slash == absl::string_view::npos ? "" : code.substr(slash);
  }
  return absl::StartsWith(path, "/01/");
}

std::string DigitalLinkPath::Param(absl::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return "";
}

absl::StatusOr<DigitalLinkPath> ParsePath(absl::string_view code) {
  code = absl::StripAsciiWhitespace(code);
  if (size_t scheme = code.find("://"); scheme != absl::string_view::npos) {
    size_t slash = code.find('/', scheme + 3);
    if (slash == absl::string_view::npos) return absl::InvalidArgumentError("code: URI has no path");
    code = code.substr(slash);
  }
  if (size_t fragment = code.find('#'); fragment != absl::string_view::npos) code = code.substr(0, fragment);
  absl::string_view query;
  if (size_t mark = code.find('?'); mark != absl::string_view::npos) {
    query = code.substr(mark + 1);
    code = code.substr(0, mark);
  }
  std::vector<absl::string_view> parts = absl::StrSplit(code, '/');
  // "", "01", gtin[, "10", lot[, "21", serial]]
  bool shape = (parts.size() == 3 || parts.size() == 5 || parts.size() == 7) && parts[0].empty() && parts[1] == "01" &&
               (parts.size() < 5 || parts[3] == "10") && (parts.size() < 7 || parts[5] == "21");
  if (!shape) return absl::InvalidArgumentError("code: path must be /01/{gtin}[/10/{lot}[/21/{serial}]]");
  DigitalLinkPath path;
  OCOP_ASSIGN_OR_RETURN(path.gtin, validate::Gtin("code: gtin", parts[2]));
  if (path.gtin != parts[2]) return absl::InvalidArgumentError("code: gtin must be written with 14 digits");
  if (parts.size() >= 5) {
    OCOP_ASSIGN_OR_RETURN(path.lot, PercentDecode(parts[4]));
    if (path.lot.empty() || path.lot.size() > 20) return absl::InvalidArgumentError("code: lot must be 1-20 characters");
  }
  if (parts.size() == 7) {
    OCOP_ASSIGN_OR_RETURN(path.serial, PercentDecode(parts[6]));
    if (path.serial.empty() || path.serial.size() > 20) {
      return absl::InvalidArgumentError("code: serial must be 1-20 characters");
    }
  }
  for (absl::string_view parameter : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<std::string, std::string> kv = absl::StrSplit(parameter, absl::MaxSplits('=', 1));
    path.query.push_back(std::move(kv));
  }
  return path;
}

absl::StatusOr<DigitalLinkStamp> Parse(absl::string_view code) {
  OCOP_ASSIGN_OR_RETURN(DigitalLinkPath path, ParsePath(code));
  if (path.serial.empty()) return absl::InvalidArgumentError("code: path must be /01/{gtin}/10/{lot}/21/{serial}");
  DigitalLinkStamp stamp;
  stamp.gtin = path.gtin;
  stamp.lot = path.lot;
  if (path.serial[0] == '0' || !absl::SimpleAtoi(path.serial, &stamp.serial) ||
      !std::all_of(path.serial.begin(), path.serial.end(), [](char c) { return absl::ascii_isdigit(c); })) {
    return absl::InvalidArgumentError("code: serial must be a number without leading zeros");
  }
  bool have_key = false;
  bool have_signature = false;
  for (const auto& [key, value] : path.query) {
    if (key == "k") {
      OCOP_ASSIGN_OR_RETURN(stamp.key_id, token::KeyIdFromHex(value));
      have_key = true;
    } else if (key == "s") {
      if (!absl::WebSafeBase64Unescape(value, &stamp.signature) || stamp.signature.size() != 64 ||
          absl::WebSafeBase64Escape(stamp.signature) != value) {
        return absl::InvalidArgumentError("code: s must be a 64-byte signature in canonical base64url");
      }
      have_signature = true;
    }
  }
  if (!have_key || !have_signature) return absl::InvalidArgumentError("code: k and s are required");
  return stamp;
}

bool Verify(const DigitalLinkStamp& stamp, const crypto::Ed25519Verifier& verifier) {
  return verifier.Verify(SignedBytes(stamp.key_id, stamp.gtin, stamp.lot, stamp.serial), stamp.signature);
}

}  // namespace ocop::digital_link
