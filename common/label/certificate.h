// A printable OCOP certificate (giấy chứng nhận sản phẩm OCOP) for one product of a closed
// evaluation round: A4 landscape, drawn with cairo, with a QR code to the product's public page.
// It is a print of the register's record, not the signed decision itself; the page says so.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/qr/qr.h"

namespace ocop::label {

struct CertificateText {
  std::string issuer;  // e.g. "ỦY BAN NHÂN DÂN TỈNH THÁI NGUYÊN"
  std::string product_name;
  std::string producer_name;
  std::string producer_address;  // commune, province
  int stars = 0;                 // 3 to 5
  int score = 0;
  std::string certificate_number;
  std::string decision_number;
  std::string decision_date;  // YYYY-MM-DD
  std::string valid_until;    // YYYY-MM-DD
  std::string public_url;     // what the QR code holds
};

// One page. INVALID_ARGUMENT when the stars are not 3-5 or a field a certificate needs is empty;
// INTERNAL when cairo fails.
absl::StatusOr<std::string> RenderCertificatePdf(const CertificateText& text, const qr::QrMatrix& code);

}  // namespace ocop::label
