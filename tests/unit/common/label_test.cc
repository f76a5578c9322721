#include "common/label/zpl.h"

#include <gtest/gtest.h>

#include <regex>

namespace ocop::label {
namespace {

const char kUrl[] = "HTTPS://OCOP.TN.GOV.VN/S/AEAAAAAB";

TEST(Zpl, IsOneLabelWithAWellFormedQrField) {
  std::string zpl = RenderZplLabel(kUrl, {"Chè Tân Cương", 4, "TC-2026-03-A", 42, ""});
  EXPECT_EQ(zpl.rfind("^XA\n^CI28\n", 0), 0u);
  EXPECT_EQ(zpl.substr(zpl.size() - 4), "^XZ\n");
  std::smatch match;
  ASSERT_TRUE(std::regex_search(zpl, match, std::regex(R"(\^FO\d+,\d+\^BQN,2,(\d+)\^FDMA,([^^]+)\^FS)")));
  EXPECT_EQ(match[1], "4");
  EXPECT_EQ(match[2], kUrl);
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

}  // namespace
}  // namespace ocop::label
