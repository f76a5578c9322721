// ZPL II labels for Zebra thermal printers: the stamp's QR code (the printer draws it, ^BQ) and
// the label text. One self-contained ^XA ... ^XZ label per stamp.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ocop::label {

// What a stamp label says besides its QR code.
struct LabelText {
  std::string product_name;  // UTF-8, e.g. "Chè Tân Cương đặc biệt"
  int stars = 0;             // OCOP stars, 0 when unrated
  std::string lot_code;
  uint64_t serial = 0;
  std::string pin;           // scratch PIN; printed apart from the code, for the scratch-off layer
};

struct ZplOptions {
  int magnification = 4;  // ^BQ module size in dots, 1-10
};

// One ZPL label: UTF-8 (^CI28), QR model 2 at error correction M with `url`, then product, stars,
// lot and serial, and the PIN when set. Text fields are hex-escaped (^FH) so a '^' or '~' in a
// product name cannot break out of its field.
std::string RenderZplLabel(absl::string_view url, const LabelText& text, const ZplOptions& options = {});

}  // namespace ocop::label
