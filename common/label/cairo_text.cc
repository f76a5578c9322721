#include "common/label/cairo_text.h"

#include <cairo-pdf.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace ocop::label::internal {
namespace {

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// `text` at `size`, shrunk and then cut to fit `max_width`; sets the font size it chose.
std::string Fitted(cairo_t* cr, std::string text, double size, double max_width, double min_size) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  if (extents.x_advance <= max_width) return text;
  size = std::max(min_size, 0.97 * size * max_width / extents.x_advance);  // hinting is not linear
  cairo_set_font_size(cr, size);
  cairo_text_extents(cr, text.c_str(), &extents);
  if (extents.x_advance <= max_width) return text;
  while (extents.x_advance > max_width && !text.empty()) {
    // Drop whole UTF-8 characters from the end.
    do {
      text.pop_back();
    } while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80);
    if (!text.empty()) text.pop_back();
    cairo_text_extents(cr, (text + "…").c_str(), &extents);
  }
  return text + "…";
}

}  // namespace

absl::StatusOr<std::string> RenderPdf(double width_mm, double height_mm, const std::function<void(cairo_t*)>& draw,
                                      absl::string_view what) {
  std::string out;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(AppendToString, &out, width_mm * kPointsPerMm, height_mm * kPointsPerMm);
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, kPointsPerMm, kPointsPerMm);
  draw(cr);
  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  const cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat(what, ": cairo: ", cairo_status_to_string(status)));
  }
  return out;
}

void ShowFitted(cairo_t* cr, std::string text, double x, double y, double size, double max_width, double min_size) {
  text = Fitted(cr, std::move(text), size, max_width, min_size);
  cairo_move_to(cr, x, y);
  cairo_show_text(cr, text.c_str());
}

double TextWidth(cairo_t* cr, const std::string& text, double size) {
  cairo_set_font_size(cr, size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, text.c_str(), &extents);
  return extents.x_advance;
}

void ShowCentred(cairo_t* cr, const std::string& text, double center_x, double y, double size, double max_width,
                 double min_size) {
  const std::string shown = Fitted(cr, text, size, max_width, min_size);
  cairo_text_extents_t extents;
  cairo_text_extents(cr, shown.c_str(), &extents);
  cairo_move_to(cr, center_x - extents.x_advance / 2, y);
  cairo_show_text(cr, shown.c_str());
}

void DrawQr(cairo_t* cr, const qr::QrMatrix& code, double x, double y, double side) {
  const double module = side / (code.size + 2 * code.quiet_zone);
  const double origin_x = x + module * code.quiet_zone;
  const double origin_y = y + module * code.quiet_zone;
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int row = 0; row < code.size; ++row) {
    for (int column = 0; column < code.size; ++column) {
      if (code.IsDark(column, row)) {
        cairo_rectangle(cr, origin_x + column * module, origin_y + row * module, module, module);
      }
    }
  }
  cairo_fill(cr);
}

}  // namespace ocop::label::internal
