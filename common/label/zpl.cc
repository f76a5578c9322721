#include "common/label/zpl.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ocop::label {
namespace {

// ^FH_ makes '_' the escape character; escape it and ZPL's two command prefixes.
std::string EscapeField(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '^') {
      out += "_5E";
    } else if (c == '~') {
      out += "_7E";
    } else if (c == '_') {
      out += "_5F";
    } else {
      out += c;
    }
  }
  return out;
}

void AppendText(std::string& out, int x, int y, int height, absl::string_view text) {
  absl::StrAppend(&out, "^FO", x, ",", y, "^A0N,", height, ",", height, "^FH_^FD", EscapeField(text), "^FS\n");
}

}  // namespace

std::string RenderZplLabel(absl::string_view url, const LabelText& text, const ZplOptions& options) {
  const int magnification = std::clamp(options.magnification, 1, 10);
  // A version-6 code is 41 modules plus a 4-module quiet zone each side.
  const int code_dots = (41 + 8) * magnification;
  const int text_x = code_dots + 10;
  std::string out = "^XA\n^CI28\n";
  // The URL is upper-case alphanumeric-mode text: no escaping needed, and ^FH would mangle it.
  absl::StrAppend(&out, "^FO", 4 * magnification, ",", 4 * magnification, "^BQN,2,", magnification, "^FDMA,", url,
                  "^FS\n");
  AppendText(out, text_x, 10, 26, text.product_name);
  if (text.stars > 0) {
    AppendText(out, text_x, 44, 22, absl::StrCat("OCOP ", text.stars, " sao / ", text.stars, "-star"));
  }
  AppendText(out, text_x, 74, 22, absl::StrCat("Lô / Lot: ", text.lot_code));
  AppendText(out, text_x, 104, 22, absl::StrCat("Số / No.: ", text.serial));
  if (!text.pin.empty()) AppendText(out, text_x, 140, 30, absl::StrCat("PIN ", text.pin));
  out += "^XZ\n";
  return out;
}

}  // namespace ocop::label
