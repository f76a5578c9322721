#include "common/qr/qr.h"

#include <gtest/gtest.h>

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tests/support/processes.h"
#include "tests/support/status_matchers.h"

namespace ocop::qr {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

// A stamp URL of the real shape: a short host and a 124-character token.
const std::string kStampUrl = absl::StrCat("HTTPS://OCOP.TN.GOV.VN/S/", std::string(124, 'A').replace(0, 10, "BCDEFGH234"));

TEST(Qr, UpperCaseStampUrlFitsVersion6AtMedium) {
  auto matrix = Encode(kStampUrl);
  ASSERT_THAT(matrix, IsOk());
  EXPECT_EQ(matrix->version, 6);
  EXPECT_EQ(matrix->size, 41);
  // The same URL in lower case falls back to byte mode and needs a bigger code.
  auto lower = Encode(absl::AsciiStrToLower(kStampUrl));
  ASSERT_THAT(lower, IsOk());
  EXPECT_GT(lower->version, 6);
}

TEST(Qr, PngDecodesBackToTheExactUrl) {
  auto matrix = Encode(kStampUrl);
  ASSERT_THAT(matrix, IsOk());
  auto png = RenderPng(*matrix);
  ASSERT_THAT(png, IsOk());
  ASSERT_EQ(png->substr(1, 3), "PNG");
  ocop::testing::TempDir dir;
  std::ofstream(dir.File("stamp.png"), std::ios::binary) << *png;
  EXPECT_EQ(ocop::testing::DecodeQrWithZbar(dir.File("stamp.png")), kStampUrl);
}

TEST(Qr, SvgIsAStandaloneDocumentWithTheQuietZone) {
  auto matrix = Encode(kStampUrl);
  ASSERT_THAT(matrix, IsOk());
  std::string svg = RenderSvg(*matrix, 4);
  EXPECT_NE(svg.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("viewBox=\"0 0 196 196\""), std::string::npos);  // (41 + 2*4) * 4
  EXPECT_NE(svg.find("<path fill=\"#000\" d=\"M"), std::string::npos);
}

TEST(Qr, RejectsEmptyTextAndOddModuleSizes) {
  EXPECT_THAT(Encode(""), StatusIs(absl::StatusCode::kInvalidArgument, "empty"));
  auto matrix = Encode("X");
  ASSERT_THAT(matrix, IsOk());
  EXPECT_THAT(RenderPng(*matrix, 0), StatusIs(absl::StatusCode::kInvalidArgument, "module_pixels"));
  EXPECT_THAT(RenderPng(*matrix, 33), StatusIs(absl::StatusCode::kInvalidArgument, "module_pixels"));
}

}  // namespace
}  // namespace ocop::qr
