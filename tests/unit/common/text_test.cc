#include "common/text/vietnamese.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace ocop::text {
namespace {

TEST(NormalizeNfcTest, ComposesDecomposedVietnamese) {
  // "Chè" typed as c h e + combining grave (U+0300), "Đặc" as D-stroke + a + dot below + breve.
  absl::StatusOr<std::string> normalized = NormalizeNfc("name", "Che\xCC\x80 \xC4\x90" "a\xCC\xA3\xCC\x86" "c");
  ASSERT_THAT(normalized.status(), ::ocop::testing::IsOk());
  EXPECT_EQ(*normalized, "Chè Đặc");
  EXPECT_EQ(*NormalizeNfc("name", "Chè Tân Cương"), "Chè Tân Cương");
}

TEST(NormalizeNfcTest, RejectsBadUtf8AndControlCharactersNamingTheField) {
  absl::StatusOr<std::string> bad = NormalizeNfc("producer.display_name", "HTX \xC3\x28");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "producer.display_name: is not valid UTF-8");
  EXPECT_EQ(NormalizeNfc("x", "a\x01" "b").status().message(), "x: holds a control character");
  EXPECT_EQ(*NormalizeNfc("x", "line one\nline two"), "line one\nline two");
}

TEST(CheckPlainTextTest, RefusesC1ControlsBidiOverridesAndBadUtf8ButKeepsVietnamese) {
  EXPECT_THAT(CheckPlainText("x", "Chè Tân Cương\tlô 1\n"), ::ocop::testing::IsOk());
  EXPECT_EQ(CheckPlainText("batch.notes", "a\x1b[31mred").message(), "batch.notes: holds a control character");
  EXPECT_EQ(CheckPlainText("x", "a\x7f").message(), "x: holds a control character");
  EXPECT_EQ(CheckPlainText("x", "a\r\nb").message(), "x: holds a control character");
  EXPECT_EQ(CheckPlainText("x", "a\xC2\x85" "b").message(), "x: holds a control character");      // U+0085 (C1)
  EXPECT_EQ(CheckPlainText("x", "\xE2\x80\xAE" "gnp.exe").message(), "x: holds a control character");  // U+202E
  EXPECT_EQ(CheckPlainText("x", "\xC0\xAF").message(), "x: is not valid UTF-8");  // overlong '/'
  EXPECT_EQ(CheckPlainText("x", "\xED\xA0\x80").message(), "x: is not valid UTF-8");  // a surrogate
  EXPECT_EQ(NormalizeNfc("x", "a\xC2\x9B" "b").status().message(), "x: holds a control character");
}

TEST(FoldForSearchTest, DropsMarksCaseAndFoldsDStroke) {
  EXPECT_EQ(FoldForSearch("Đặc sản Đồng Hỷ"), "dac san dong hy");
  EXPECT_EQ(FoldForSearch("Chè Tân Cương"), "che tan cuong");
  EXPECT_EQ(FoldForSearch("  HTX  Mật ong—Định Hoá, (demo) "), "htx mat ong dinh hoa demo");
  EXPECT_EQ(FoldForSearch("ĐƯỜNG phèn"), "duong phen");
  // Decomposed input folds like precomposed input.
  EXPECT_EQ(FoldForSearch("Che\xCC\x80"), FoldForSearch("Chè"));
  EXPECT_EQ(FoldForSearch(""), "");
}

}  // namespace
}  // namespace ocop::text
