#include "common/csv/csv.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/status_matchers.h"

namespace ocop::csv {
namespace {

using ::testing::ElementsAre;

TEST(CsvTest, ParsesQuotedFieldsAndKeepsStartLines) {
  absl::StatusOr<std::vector<Record>> records = Parse(
      "\xEF\xBB\xBFid,name\r\n"
      "1,\"HTX Chè, Tân Cương\"\r\n"
      "\n"
      "2,\"two\nlines \"\"quoted\"\"\"\n"
      "3,last");
  ASSERT_THAT(records.status(), ::ocop::testing::IsOk());
  ASSERT_EQ(records->size(), 4u);
  EXPECT_THAT((*records)[0].fields, ElementsAre("id", "name"));
  EXPECT_EQ((*records)[0].line, 1);
  EXPECT_THAT((*records)[1].fields, ElementsAre("1", "HTX Chè, Tân Cương"));
  EXPECT_EQ((*records)[1].line, 2);
  EXPECT_THAT((*records)[2].fields, ElementsAre("2", "two\nlines \"quoted\""));
  EXPECT_EQ((*records)[2].line, 4);
  EXPECT_THAT((*records)[3].fields, ElementsAre("3", "last"));
  EXPECT_EQ((*records)[3].line, 6);
}

TEST(CsvTest, MalformedQuotingNamesTheLine) {
  absl::StatusOr<std::vector<Record>> stray = Parse("a,b\nc,d\"e\n");
  EXPECT_EQ(stray.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(stray.status().message()), ::testing::StartsWith("line 2: malformed CSV"));
  absl::StatusOr<std::vector<Record>> open = Parse("a,b\nc,\"never closed\nmore\n");
  EXPECT_EQ(open.status().message(), "line 2: malformed CSV (unterminated quoted field)");
}

TEST(CsvTest, FormatRoundTrips) {
  std::vector<std::string> fields = {"plain", "with, comma", "with \"quote\"", "two\nlines", ""};
  absl::StatusOr<std::vector<Record>> parsed = Parse(FormatRecord(fields));
  ASSERT_THAT(parsed.status(), ::ocop::testing::IsOk());
  ASSERT_EQ(parsed->size(), 1u);
  EXPECT_EQ((*parsed)[0].fields, fields);
}

TEST(CsvTest, FilesForPeopleDefuseFormulasButKeepNumbers) {
  std::vector<std::string> cells = {"=HYPERLINK(\"https://evil.example\",\"Bấm\")", "+1+cmd", "-2+3", "@SUM(A1)",
                                    "\tTab", "-12", "+3.5", "1e3", "Chè Tân Cương", ""};
  EXPECT_EQ(FormatRecord(cells, Formulas::kNeutralise),
            "\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"Bấm\"\")\",'+1+cmd,'-2+3,'@SUM(A1),'\tTab,-12,+3.5,1e3,"
            "Chè Tân Cương,\r\n");
  // Files read back by programs keep every cell as it is.
  EXPECT_EQ(FormatRecord({"=1+1", "-x"}), "=1+1,-x\r\n");
}

}  // namespace
}  // namespace ocop::csv
