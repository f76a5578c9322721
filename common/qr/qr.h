// QR codes for stamps: libqrencode builds the module matrix, rendered here to SVG or PNG.
// Stamp URLs are upper case so libqrencode encodes them wholly in alphanumeric mode, which gives a
// smaller code (version 6 instead of 8 for a 150-character URL) that prints and scans better.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace ocop::qr {

enum class ErrorCorrection { kLow, kMedium, kQuartile, kHigh };

struct QrOptions {
  ErrorCorrection error_correction = ErrorCorrection::kMedium;
  // Light modules around the code; the QR standard asks for 4.
  int quiet_zone = 4;
};

// A QR code's dark/light modules, without the quiet zone.
struct QrMatrix {
  int version = 0;
  int size = 0;                // modules per side
  std::vector<bool> dark;      // row-major, size * size
  int quiet_zone = 4;
  bool IsDark(int x, int y) const { return dark[static_cast<size_t>(y * size + x)]; }
};

// Encodes `text` (case preserved). INVALID_ARGUMENT if it is empty or too long for any QR version.
absl::StatusOr<QrMatrix> Encode(std::string_view text, const QrOptions& options = {});

// A standalone SVG document; one path, crisp edges, scalable. `module_size` is in SVG user units.
std::string RenderSvg(const QrMatrix& matrix, int module_size = 4);

// An 8-bit greyscale PNG with `module_pixels` pixels per module (1-32; INVALID_ARGUMENT otherwise)
// and, when `dpi` > 0, that resolution recorded in its pHYs chunk.
absl::StatusOr<std::string> RenderPng(const QrMatrix& matrix, int module_pixels = 4, int dpi = 0);

}  // namespace ocop::qr
