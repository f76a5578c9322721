#include "common/label/pdf.h"

#include <cairo.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/label/cairo_text.h"

namespace ocop::label {
namespace {

constexpr double kLabelWidthMm = 64;
constexpr double kLabelHeightMm = 34;
constexpr double kCodeMm = 30;  // the QR code with its quiet zone
constexpr int kA4Columns = 3;
constexpr int kA4Rows = 8;
constexpr double kA4WidthMm = 210;
constexpr double kA4HeightMm = 297;

using internal::ShowFitted;

// Draws one label with its top-left corner at (x, y) mm.
void DrawLabel(cairo_t* cr, const PdfLabel& label, double x, double y) {
  // The code's square (quiet zone included) starts 2 mm into the label.
  internal::DrawQr(cr, label.code, x + 2, y + 2, kCodeMm);

  const double text_x = x + kCodeMm + 4;
  const double text_width = kLabelWidthMm - kCodeMm - 6;
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
  ShowFitted(cr, label.text.product_name, text_x, y + 7, 3.2, text_width);
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  if (label.text.stars > 0) {
    std::string stars;
    for (int i = 1; i <= 5; ++i) absl::StrAppend(&stars, i <= label.text.stars ? "★" : "☆");
    ShowFitted(cr, absl::StrCat("OCOP ", stars), text_x, y + 12, 2.8, text_width);
  }
  ShowFitted(cr, absl::StrCat("Lô / Lot: ", label.text.lot_code), text_x, y + 17, 2.8, text_width);
  ShowFitted(cr, absl::StrCat("Số / No.: ", label.text.serial), text_x, y + 22, 2.8, text_width);
  if (!label.text.pin.empty()) ShowFitted(cr, absl::StrCat("PIN ", label.text.pin), text_x, y + 29, 3.6, text_width);
}

}  // namespace

int LabelsPerPage(PdfPage page) { return page == PdfPage::kA4Sheet ? kA4Columns * kA4Rows : 1; }

absl::StatusOr<std::string> RenderPdfLabels(const std::vector<PdfLabel>& labels, PdfPage page) {
  if (labels.empty()) return absl::InvalidArgumentError("pdf: no labels");
  const bool sheet = page == PdfPage::kA4Sheet;
  const double width_mm = sheet ? kA4WidthMm : kLabelWidthMm;
  const double height_mm = sheet ? kA4HeightMm : kLabelHeightMm;
  const double margin_x = (kA4WidthMm - kA4Columns * kLabelWidthMm) / 2;
  const double margin_y = (kA4HeightMm - kA4Rows * kLabelHeightMm) / 2;
  const int per_page = LabelsPerPage(page);
  return internal::RenderPdf(width_mm, height_mm, [&](cairo_t* cr) {
    for (size_t i = 0; i < labels.size(); ++i) {
      const int slot = static_cast<int>(i % static_cast<size_t>(per_page));
      if (i > 0 && slot == 0) cairo_show_page(cr);
      double x = sheet ? margin_x + (slot % kA4Columns) * kLabelWidthMm : 0;
      double y = sheet ? margin_y + (slot / kA4Columns) * kLabelHeightMm : 0;
      DrawLabel(cr, labels[i], x, y);
    }
  }, "pdf");
}

}  // namespace ocop::label
