#include "common/http/web.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ocop::http {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::StatusOr<std::string> Decode(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return absl::InvalidArgumentError("form: a broken %-escape");
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return absl::InvalidArgumentError("form: a broken %-escape");
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Whether `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsUtf8(absl::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    int extra = 0;
    unsigned int code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<size_t>(extra) >= text.size()) return false;  // cut short
    for (int k = 1; k <= extra; ++k) {
      const unsigned char next = static_cast<unsigned char>(text[i + static_cast<size_t>(k)]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    static constexpr unsigned int kMinimum[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += static_cast<size_t>(extra) + 1;
  }
  return true;
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> ParseForm(absl::string_view body) {
  std::map<std::string, std::string> fields;
  for (absl::string_view pair : absl::StrSplit(body, '&', absl::SkipEmpty())) {
    const size_t equals = pair.find('=');
    absl::StatusOr<std::string> name = Decode(pair.substr(0, equals));
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> value =
        equals == absl::string_view::npos ? std::string() : Decode(pair.substr(equals + 1));
    if (!value.ok()) return value.status();
    if (!IsUtf8(*name) || !IsUtf8(*value)) return absl::InvalidArgumentError("form: text that is not UTF-8");
    fields.emplace(std::move(*name), std::move(*value));
  }
  return fields;
}

absl::StatusOr<std::map<std::string, std::string>> ParseQuery(absl::string_view target) {
  const size_t mark = target.find('?');
  if (mark == absl::string_view::npos) return std::map<std::string, std::string>();
  return ParseForm(target.substr(mark + 1));
}

absl::string_view PathOf(absl::string_view target) { return target.substr(0, target.find('?')); }

std::string UrlEncode(absl::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (absl::ascii_isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> ParseMultipartForm(absl::string_view content_type,
                                                                      absl::string_view body) {
  // The boundary parameter, perhaps quoted: multipart/form-data; boundary="----x".
  std::string boundary;
  for (absl::string_view parameter : absl::StrSplit(content_type, ';')) {
    parameter = absl::StripAsciiWhitespace(parameter);
    if (!absl::StartsWithIgnoreCase(parameter, "boundary=")) continue;
    parameter.remove_prefix(9);
    if (parameter.size() >= 2 && parameter.front() == '"' && parameter.back() == '"') {
      parameter = parameter.substr(1, parameter.size() - 2);
    }
    boundary = std::string(parameter);
  }
  if (!absl::StartsWithIgnoreCase(absl::StripAsciiWhitespace(content_type), "multipart/form-data") ||
      boundary.empty() || boundary.size() > 70) {
    return absl::InvalidArgumentError("form: not multipart/form-data with a boundary");
  }
  const std::string delimiter = "--" + boundary;
  std::map<std::string, std::string> fields;
  size_t at = body.find(delimiter);
  if (at == absl::string_view::npos) return absl::InvalidArgumentError("form: no part starts");
  at += delimiter.size();
  while (true) {
    if (body.substr(at, 2) == "--") return fields;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n") return absl::InvalidArgumentError("form: a boundary line is broken");
    at += 2;
    const size_t headers_end = body.find("\r\n\r\n", at);
    if (headers_end == absl::string_view::npos) return absl::InvalidArgumentError("form: a part has no end of headers");
    std::string name;
    for (absl::string_view header : absl::StrSplit(body.substr(at, headers_end - at), "\r\n")) {
      if (!absl::StartsWithIgnoreCase(header, "content-disposition:")) continue;
      // form-data; name="producers"; filename="producers.csv"
      for (absl::string_view parameter : absl::StrSplit(header.substr(20), ';')) {
        parameter = absl::StripAsciiWhitespace(parameter);
        if (absl::StartsWithIgnoreCase(parameter, "name=\"") && parameter.back() == '"' && parameter.size() >= 7) {
          name = std::string(parameter.substr(6, parameter.size() - 7));
        }
      }
    }
    if (name.empty()) return absl::InvalidArgumentError("form: a part has no name");
    const size_t content_start = headers_end + 4;
    const size_t next = body.find("\r\n" + delimiter, content_start);
    if (next == absl::string_view::npos) return absl::InvalidArgumentError("form: a part does not end");
    fields.emplace(std::move(name), std::string(body.substr(content_start, next - content_start)));
    at = next + 2 + delimiter.size();
  }
}

std::map<std::string, std::string> ParseCookies(absl::string_view header) {
  std::map<std::string, std::string> cookies;
  for (absl::string_view pair : absl::StrSplit(header, ';', absl::SkipEmpty())) {
    pair = absl::StripAsciiWhitespace(pair);
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos || equals == 0) continue;
    cookies.emplace(std::string(pair.substr(0, equals)), std::string(pair.substr(equals + 1)));
  }
  return cookies;
}

}  // namespace ocop::http
