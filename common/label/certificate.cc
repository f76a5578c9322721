#include "common/label/certificate.h"

#include <cairo.h>

#include "absl/strings/str_cat.h"
#include "common/label/cairo_text.h"

namespace ocop::label {
namespace {

constexpr double kWidthMm = 297;  // A4 landscape
constexpr double kHeightMm = 210;
constexpr double kCodeMm = 42;

// "2026-11-28" -> "28/11/2026", as Vietnamese documents write dates.
std::string VietnameseDate(const std::string& iso) {
  if (iso.size() != 10) return iso;
  return absl::StrCat(iso.substr(8, 2), "/", iso.substr(5, 2), "/", iso.substr(0, 4));
}

void Font(cairo_t* cr, bool bold) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
}

}  // namespace

absl::StatusOr<std::string> RenderCertificatePdf(const CertificateText& text, const qr::QrMatrix& code) {
  if (text.stars < 3 || text.stars > 5) {
    return absl::InvalidArgumentError(absl::StrCat("certificate: ", text.stars, " stars carry no certificate"));
  }
  for (const auto& [field, value] : {std::pair{"product_name", &text.product_name},
                                     std::pair{"certificate_number", &text.certificate_number},
                                     std::pair{"decision_number", &text.decision_number},
                                     std::pair{"valid_until", &text.valid_until}}) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat("certificate: no ", field));
  }
  using internal::ShowCentred;
  using internal::ShowFitted;
  return internal::RenderPdf(kWidthMm, kHeightMm, [&](cairo_t* cr) {
    const double middle = kWidthMm / 2;
    const double wide = kWidthMm - 60;

    // A double frame in the programme's green.
    cairo_set_source_rgb(cr, 0.12, 0.37, 0.23);
    cairo_set_line_width(cr, 1.2);
    cairo_rectangle(cr, 10, 10, kWidthMm - 20, kHeightMm - 20);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 0.4);
    cairo_rectangle(cr, 13, 13, kWidthMm - 26, kHeightMm - 26);
    cairo_stroke(cr);

    cairo_set_source_rgb(cr, 0, 0, 0);
    Font(cr, true);
    ShowFitted(cr, text.issuer, 22, 26, 4.2, 120);
    ShowCentred(cr, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 210, 26, 4.2, 130);
    Font(cr, false);
    ShowCentred(cr, "Độc lập - Tự do - Hạnh phúc", 210, 32, 4, 130);

    cairo_set_source_rgb(cr, 0.12, 0.37, 0.23);
    Font(cr, true);
    ShowCentred(cr, "GIẤY CHỨNG NHẬN", middle, 56, 11, wide);
    ShowCentred(cr, "SẢN PHẨM OCOP", middle, 68, 8, wide);
    cairo_set_source_rgb(cr, 0, 0, 0);
    Font(cr, false);
    ShowCentred(cr, "OCOP product certificate", middle, 75, 4, wide);

    Font(cr, true);
    // The product's name, the certificate's subject: on one line when it fits, else on two (split
    // at the space nearest its middle), never smaller than 5 mm.
    if (internal::TextWidth(cr, text.product_name, 9) <= wide) {
      ShowCentred(cr, text.product_name, middle, 92, 9, wide);
    } else {
      size_t split = text.product_name.size();
      for (size_t at = text.product_name.find(' '); at != std::string::npos; at = text.product_name.find(' ', at + 1)) {
        const auto distance = [&](size_t i) {
          return i > text.product_name.size() / 2 ? i - text.product_name.size() / 2 : text.product_name.size() / 2 - i;
        };
        if (split == text.product_name.size() || distance(at) < distance(split)) split = at;
      }
      ShowCentred(cr, text.product_name.substr(0, split), middle, 87, 7, wide, 5);
      if (split < text.product_name.size()) {
        ShowCentred(cr, text.product_name.substr(split + 1), middle, 96, 7, wide, 5);
      }
    }
    std::string stars;
    for (int i = 1; i <= 5; ++i) absl::StrAppend(&stars, i <= text.stars ? "★" : "☆");
    cairo_set_source_rgb(cr, 0.77, 0.54, 0);
    ShowCentred(cr, stars, middle, 107, 11, wide);
    cairo_set_source_rgb(cr, 0, 0, 0);
    ShowCentred(cr, absl::StrCat("Đạt hạng ", text.stars, " sao (", text.score, " điểm)"), middle, 116, 5, wide);

    Font(cr, false);
    const double left = 30;
    const double column = kWidthMm - 60 - kCodeMm - 10;
    ShowFitted(cr, absl::StrCat("Chủ thể sản xuất: ", text.producer_name), left, 132, 4.4, column);
    ShowFitted(cr, absl::StrCat("Địa chỉ: ", text.producer_address), left, 140, 4.4, column);
    ShowFitted(cr,
               absl::StrCat("Theo Quyết định số ", text.decision_number, " ngày ", VietnameseDate(text.decision_date)),
               left, 148, 4.4, column);
    Font(cr, true);
    ShowFitted(cr, absl::StrCat("Số giấy chứng nhận: ", text.certificate_number), left, 158, 4.4, column);
    ShowFitted(cr, absl::StrCat("Có giá trị đến hết ngày ", VietnameseDate(text.valid_until)), left, 166, 4.4, column);

    // The QR code to the product's public page, with what it is for.
    const double code_x = kWidthMm - 30 - kCodeMm;
    const double code_y = 124;
    internal::DrawQr(cr, code, code_x, code_y, kCodeMm);
    Font(cr, false);
    ShowCentred(cr, "Quét để tra cứu sản phẩm", code_x + kCodeMm / 2, code_y + kCodeMm + 4, 3, kCodeMm + 10);

    cairo_set_source_rgb(cr, 0.35, 0.4, 0.38);
    ShowCentred(cr,
                absl::StrCat("Bản in từ cơ sở dữ liệu OCOP (không thay thế quyết định công nhận). Tra cứu: ",
                             text.public_url),
                middle, kHeightMm - 18, 3, kWidthMm - 40);
  }, "certificate");
}

}  // namespace ocop::label
