#include "common/label/zpl.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "common/label/certificate.h"
#include "common/label/pdf.h"
#include "tests/support/processes.h"

namespace ocop::label {
namespace {

using ::ocop::testing::RunCommand;

const char kUrl[] = "HTTPS://OCOP.TN.GOV.VN/S/AEAAAAAB";

TEST(Zpl, IsOneLabelWithAWellFormedQrField) {
  std::string zpl = RenderZplLabel(kUrl, {"Chè Tân Cương", 4, "TC-2026-03-A", 42, ""});
  EXPECT_EQ(zpl.rfind("^XA\n^CI28\n", 0), 0u);
  EXPECT_EQ(zpl.substr(zpl.size() - 4), "^XZ\n");
  // The QR field: a field origin, ^BQ model 2 at magnification 4, data "MA," + the URL, field end.
  size_t field = zpl.find("^BQN,2,4^FDMA," + std::string(kUrl) + "^FS");
  ASSERT_NE(field, std::string::npos) << zpl;
  EXPECT_EQ(zpl.rfind("^FO16,16", field), field - 8) << zpl;
  EXPECT_NE(zpl.find("^FH_^FDChè Tân Cương^FS"), std::string::npos);
  EXPECT_NE(zpl.find("OCOP 4 sao"), std::string::npos);
  EXPECT_NE(zpl.find("TC-2026-03-A"), std::string::npos);
  EXPECT_NE(zpl.find("^FH_^FDSố / No.: 42^FS"), std::string::npos);
  EXPECT_EQ(zpl.find("PIN"), std::string::npos);
}

TEST(Zpl, TextCannotBreakOutOfItsField) {
  std::string zpl = RenderZplLabel(kUrl, {"Evil^XZ^XA~JR_x", 0, "L", 1, "12345678"});
  EXPECT_NE(zpl.find("Evil_5EXZ_5EXA_7EJR_5Fx"), std::string::npos);
  EXPECT_EQ(zpl.find("^XZ"), zpl.size() - 4);  // the only end of label is the real one
  EXPECT_NE(zpl.find("PIN 12345678"), std::string::npos);
  EXPECT_EQ(zpl.find(" sao / "), std::string::npos);  // unrated: no stars line
}

// The number after "Pages:" in pdfinfo's output.
std::string PagesLine(const std::string& info) {
  size_t at = info.find("Pages:");
  if (at == std::string::npos) return "";
  size_t start = info.find_first_not_of(' ', at + 6);
  return info.substr(start, info.find('\n', start) - start);
}

std::vector<PdfLabel> Labels(int count) {
  std::vector<PdfLabel> labels;
  for (int i = 1; i <= count; ++i) {
    std::string url = std::string(kUrl) + std::to_string(i);
    labels.push_back(PdfLabel{*qr::Encode(url), LabelText{"Chè Tân Cương", 4, "TC-2026-03-A",
                                                          static_cast<uint64_t>(1000 + i), ""}});
  }
  return labels;
}

TEST(Pdf, AnA4SheetHoldsItsLabelsAndEveryCodeDecodesFromTheRasterisedPage) {
  ocop::testing::TempDir dir;
  auto pdf = RenderPdfLabels(Labels(LabelsPerPage(PdfPage::kA4Sheet) + 2), PdfPage::kA4Sheet);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(pdf->rfind("%PDF-", 0), 0u);
  std::ofstream(dir.File("labels.pdf"), std::ios::binary) << *pdf;
  std::string info = RunCommand("pdfinfo '" + dir.File("labels.pdf") + "' 2>&1");
  EXPECT_EQ(PagesLine(info), "2") << info;
  EXPECT_NE(info.find("pts (A4)"), std::string::npos) << info;
  std::string text = RunCommand("pdftotext -layout '" + dir.File("labels.pdf") + "' - 2>&1");
  EXPECT_NE(text.find("Chè Tân Cương"), std::string::npos) << text;
  for (int i = 1; i <= 26; ++i) EXPECT_NE(text.find(std::to_string(1000 + i)), std::string::npos) << i;
  // Rasterise the second page (2 labels) and decode its codes with zbar.
  // Each label of the second page (2 labels), rasterised and decoded with zbar, and the page's
  // empty third slot.
  std::vector<std::string> decoded = ocop::testing::DecodeEachLabelOfA4Sheet(dir.File("labels.pdf"), 2, 3, dir.path());
  ASSERT_EQ(decoded.size(), 3u);
  EXPECT_EQ(decoded[0], std::string(kUrl) + "25");
  EXPECT_EQ(decoded[1], std::string(kUrl) + "26");
  EXPECT_EQ(decoded[2], "");
}

TEST(Pdf, ALabelRollHasOneLabelPerPage) {
  ocop::testing::TempDir dir;
  auto pdf = RenderPdfLabels(Labels(3), PdfPage::kLabelRoll);
  ASSERT_TRUE(pdf.ok());
  std::ofstream(dir.File("roll.pdf"), std::ios::binary) << *pdf;
  std::string info = RunCommand("pdfinfo '" + dir.File("roll.pdf") + "' 2>&1");
  EXPECT_EQ(PagesLine(info), "3") << info;
  EXPECT_EQ(RenderPdfLabels({}, PdfPage::kLabelRoll).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Certificate, IsOneLandscapePageWhoseTextFitsAndLowRatingsHaveNone) {
  ocop::testing::TempDir dir;
  CertificateText text;
  text.issuer = "Hội đồng đánh giá sản phẩm OCOP tỉnh Thái Nguyên 2026";
  // A name far longer than a line: on two lines, the second cut with an ellipsis.
  text.product_name = "Chè búp khô Tân Cương đặc biệt loại một hộp quà sơn mài năm trăm gam " + std::string(120, 'x');
  text.producer_name = "HTX Chè Tân Cương";
  text.producer_address = "Xã Tân Cương, Tỉnh Thái Nguyên";
  text.stars = 4;
  text.score = 78;
  text.certificate_number = "TN-OCOP-2026-0007";
  text.decision_number = "123/QĐ-UBND";
  text.decision_date = "2026-12-01";
  text.valid_until = "2029-11-30";
  text.public_url = "https://ocop.tn.gov.vn/p/tnabcdefgh23456789";
  auto code = qr::Encode(text.public_url);
  ASSERT_TRUE(code.ok());
  auto pdf = RenderCertificatePdf(text, *code);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  std::ofstream(dir.File("certificate.pdf"), std::ios::binary) << *pdf;
  std::string info = RunCommand("pdfinfo '" + dir.File("certificate.pdf") + "' 2>&1");
  EXPECT_EQ(PagesLine(info), "1") << info;
  EXPECT_NE(info.find("841.89 x 595.276 pts"), std::string::npos) << info;  // A4 landscape
  std::string printed = RunCommand("pdftotext '" + dir.File("certificate.pdf") + "' - 2>&1");
  EXPECT_NE(printed.find("Số giấy chứng nhận: TN-OCOP-2026-0007"), std::string::npos) << printed;
  EXPECT_NE(printed.find("Đạt hạng 4 sao (78 điểm)"), std::string::npos) << printed;
  EXPECT_NE(printed.find("Chè búp khô Tân Cương"), std::string::npos) << printed;
  EXPECT_NE(printed.find("xxxxxxxxxx…"), std::string::npos) << printed;
  text.stars = 2;
  EXPECT_EQ(RenderCertificatePdf(text, *code).status().code(), absl::StatusCode::kInvalidArgument);
  text.stars = 4;
  text.certificate_number.clear();
  EXPECT_EQ(RenderCertificatePdf(text, *code).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace ocop::label
