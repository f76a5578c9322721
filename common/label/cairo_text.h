// What the PDF renderers of this library share: cairo's output into a string, text fitted to a
// width, and QR modules as vector squares. Drawing units are millimetres.
#pragma once

#include <cairo.h>

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/qr/qr.h"

namespace ocop::label::internal {

inline constexpr double kPointsPerMm = 72.0 / 25.4;

// A PDF document whose pages are `width_mm` x `height_mm`: `draw` gets a context that draws in
// millimetres and calls cairo_show_page between pages (the last page is shown here). INTERNAL
// naming `what` when cairo fails.
absl::StatusOr<std::string> RenderPdf(double width_mm, double height_mm, const std::function<void(cairo_t*)>& draw,
                                      absl::string_view what);

// Shows `text` at (x, y) at `size`, shrunk to fit `max_width` (down to `min_size`), then cut with
// an ellipsis, so a long name never runs into what is beside it.
void ShowFitted(cairo_t* cr, std::string text, double x, double y, double size, double max_width,
                double min_size = 2.0);

// Shows `text` centred on `center_x`, fitted to `max_width` like ShowFitted.
void ShowCentred(cairo_t* cr, const std::string& text, double center_x, double y, double size, double max_width,
                 double min_size = 2.0);
// The width of `text` at `size` (sets that font size).
double TextWidth(cairo_t* cr, const std::string& text, double size);

// Fills the dark modules of `code` in a square of `side` mm (quiet zone included) at (x, y).
void DrawQr(cairo_t* cr, const qr::QrMatrix& code, double x, double y, double side);

}  // namespace ocop::label::internal
