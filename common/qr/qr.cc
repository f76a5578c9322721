#include "common/qr/qr.h"

#include <png.h>
#include <qrencode.h>

#include <memory>

#include "absl/strings/str_cat.h"

namespace ocop::qr {
namespace {

QRecLevel ToLevel(ErrorCorrection level) {
  switch (level) {
    case ErrorCorrection::kLow: return QR_ECLEVEL_L;
    case ErrorCorrection::kMedium: return QR_ECLEVEL_M;
    case ErrorCorrection::kQuartile: return QR_ECLEVEL_Q;
    case ErrorCorrection::kHigh: return QR_ECLEVEL_H;
  }
  return QR_ECLEVEL_M;
}

void AppendToString(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

void FlushNothing(png_structp) {}

}  // namespace

absl::StatusOr<QrMatrix> Encode(std::string_view text, const QrOptions& options) {
  if (text.empty()) return absl::InvalidArgumentError("qr: text must not be empty");
  std::string copy(text);
  // version 0 = smallest that fits; case-sensitive so lower case stays byte mode and upper case
  // URLs get alphanumeric mode.
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(copy.c_str(), 0, ToLevel(options.error_correction), QR_MODE_8, 1),
      &QRcode_free);
  if (!code) {
    return absl::InvalidArgumentError(absl::StrCat("qr: cannot encode ", text.size(), " characters"));
  }
  QrMatrix matrix;
  matrix.version = code->version;
  matrix.size = code->width;
  matrix.quiet_zone = options.quiet_zone;
  matrix.dark.resize(static_cast<size_t>(code->width * code->width));
  for (size_t i = 0; i < matrix.dark.size(); ++i) matrix.dark[i] = (code->data[i] & 1) != 0;
  return matrix;
}

std::string RenderSvg(const QrMatrix& matrix, int module_size) {
  const int total = (matrix.size + 2 * matrix.quiet_zone) * module_size;
  std::string path;
  for (int y = 0; y < matrix.size; ++y) {
    for (int x = 0; x < matrix.size; ++x) {
      if (!matrix.IsDark(x, y)) continue;
      // Runs of dark modules become one rectangle: smaller files for printers.
      int run = 1;
      while (x + run < matrix.size && matrix.IsDark(x + run, y)) ++run;
      absl::StrAppend(&path, "M", (x + matrix.quiet_zone) * module_size, " ",
                      (y + matrix.quiet_zone) * module_size, "h", run * module_size, "v", module_size,
                      "h-", run * module_size, "z");
      x += run - 1;
    }
  }
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 ", total, " ", total,
      "\" width=\"", total, "\" height=\"", total, "\" shape-rendering=\"crispEdges\">",
      "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>", "<path fill=\"#000\" d=\"", path,
      "\"/></svg>\n");
}

absl::StatusOr<std::string> RenderPng(const QrMatrix& matrix, int module_pixels, int dpi) {
  if (module_pixels < 1 || module_pixels > 32) {
    return absl::InvalidArgumentError("module_pixels: must be between 1 and 32");
  }
  const int side = (matrix.size + 2 * matrix.quiet_zone) * module_pixels;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (png == nullptr) return absl::InternalError("png: cannot create writer");
  png_infop info = png_create_info_struct(png);
  std::string out;
  std::vector<png_byte> row(static_cast<size_t>(side));
  // libpng reports errors by longjmp; nothing with a destructor is created between here and the
  // writes below except `row` and `out`, which outlive the jump target.
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return absl::InternalError("png: encoding failed");
  }
  png_set_write_fn(png, &out, AppendToString, FlushNothing);
  png_set_IHDR(png, info, static_cast<png_uint_32>(side), static_cast<png_uint_32>(side), 8,
               PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  // A QR image is two colours in large flat runs: the fastest zlib level with no row filter
  // compresses it almost as well as the default and several times faster (bench/bench_stamps).
  if (dpi > 0) {
    const auto per_metre = static_cast<png_uint_32>(dpi / 0.0254 + 0.5);
    png_set_pHYs(png, info, per_metre, per_metre, PNG_RESOLUTION_METER);
  }
  png_set_compression_level(png, 1);
  png_set_filter(png, 0, PNG_FILTER_NONE);
  png_write_info(png, info);
  for (int py = 0; py < side; ++py) {
    const int y = py / module_pixels - matrix.quiet_zone;
    for (int px = 0; px < side; ++px) {
      const int x = px / module_pixels - matrix.quiet_zone;
      const bool dark = x >= 0 && y >= 0 && x < matrix.size && y < matrix.size && matrix.IsDark(x, y);
      row[static_cast<size_t>(px)] = dark ? 0 : 255;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace ocop::qr
