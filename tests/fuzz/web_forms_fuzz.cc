// What the web console reads from a browser: multipart form bodies (the CSV import's files),
// url-encoded forms, queries and cookies. Input: "content-type\nbody". Properties: every part of a
// multipart body is a piece of that body, byte for byte, and its name is not empty; url-encoded
// fields are UTF-8 (ParseForm promises it); nothing crashes.
#include <map>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/http/web.h"
#include "tests/fuzz/fuzz_target.h"

namespace ocop::fuzz {
namespace {

bool IsUtf8(const std::string& text) {
  // A lenient check: every lead byte is followed by its continuation bytes.
  for (size_t i = 0; i < text.size();) {
    const unsigned char byte = static_cast<unsigned char>(text[i]);
    const size_t length = byte < 0x80 ? 1 : (byte >> 5) == 6 ? 2 : (byte >> 4) == 14 ? 3 : (byte >> 3) == 30 ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 2) return false;
    }
    i += length;
  }
  return true;
}

int Run(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> parts = absl::StrSplit(input, absl::MaxSplits('\n', 1));
  parts.resize(2);
  absl::StatusOr<std::map<std::string, std::string>> multipart = http::ParseMultipartForm(parts[0], parts[1]);
  if (multipart.ok()) {
    for (const auto& [name, content] : *multipart) {
      FUZZ_CHECK(!name.empty());
      FUZZ_CHECK(absl::StrContains(parts[1], content));
    }
  }
  absl::StatusOr<std::map<std::string, std::string>> form = http::ParseForm(parts[1]);
  if (form.ok()) {
    for (const auto& [name, value] : *form) FUZZ_CHECK(IsUtf8(name) && IsUtf8(value));
  }
  (void)http::ParseQuery(parts[1]);
  (void)http::ParseCookies(parts[1]);
  (void)http::HtmlEscape(parts[1]);
  return 0;
}

std::vector<std::string> Seeds() {
  return {"multipart/form-data; boundary=XyZ\n--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nT\r\n"
          "--XyZ\r\nContent-Disposition: form-data; name=\"producers\"; filename=\"p.csv\"\r\n"
          "Content-Type: text/csv\r\n\r\nexternal_id,kind\r\nTN-1,cooperative\r\n\r\n--XyZ--\r\n",
          "multipart/form-data; boundary=\"a b\"\n--a b\r\nContent-Disposition: form-data; name=x\r\n\r\n\r\n--a b--",
          "application/x-www-form-urlencoded\ncsrf=ABC&reason=Th%E1%BB%AB+ch%E1%BB%91i&count=24",
          "\n__Host-ocop-session=AAAA; __Host-ocop-login=BBBB"};
}

}  // namespace

OCOP_FUZZ_TARGET(web_forms, Run, Seeds);

}  // namespace ocop::fuzz
