#include "common/validate/validate.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/support/status_matchers.h"

namespace ocop::validate {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

TEST(Validate, TextNamesTheFieldAndTheRule) {
  EXPECT_THAT(Text("producer.display_name", " \t", 10, true),
              StatusIs(absl::StatusCode::kInvalidArgument, "producer.display_name: must not be empty"));
  EXPECT_THAT(Text("x", "", 10, false), IsOk());
  EXPECT_THAT(Text("x", "12345678901", 10, false), StatusIs(absl::StatusCode::kInvalidArgument, "at most 10"));
  EXPECT_THAT(Text("event.notes", "ok\x1b]8;;https://evil\x07", 100, false),
              StatusIs(absl::StatusCode::kInvalidArgument, "event.notes: holds a control character"));
  EXPECT_THAT(Text("x", "\xFF", 10, false), StatusIs(absl::StatusCode::kInvalidArgument, "x: is not valid UTF-8"));
  EXPECT_THAT(Text("x", "Xưởng sao chè\nca 2", 100, true), IsOk());
}

TEST(Validate, BaseUrlsAreASchemeAndAHostOnly) {
  EXPECT_THAT(BaseUrl("public_base_url", "https://ocop.tn.gov.vn"), IsOk());
  EXPECT_THAT(BaseUrl("public_base_url", "http://127.0.0.1:8080"), IsOk());
  EXPECT_THAT(BaseUrl("public_base_url", "http://[::1]:8080"), IsOk());
  for (const char* bad : {"", "ocop.tn.gov.vn", "https://", "https://a/b", "https://a?x", "https://u@a",
                          "javascript://a", "https://a b", "https://a\"><script>", "ftp://a"}) {
    EXPECT_THAT(BaseUrl("public_base_url", bad),
                StatusIs(absl::StatusCode::kInvalidArgument, "public_base_url: must be http(s)://host[:port]"))
        << bad;
  }
}

TEST(Validate, ResourceNamesNeedTheirCollectionAndASafeId) {
  EXPECT_THAT(ResourceName("batch.product", "products/t-abc_1", "products"), IsOk());
  EXPECT_THAT(ResourceName("batch.product", "producers/abc", "products"),
              StatusIs(absl::StatusCode::kInvalidArgument, "batch.product: must look like products/{id}"));
  EXPECT_THAT(ResourceName("f", "products/", "products"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ResourceName("f", "products/a/b", "products"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ResourceName("f", "", "products"), StatusIs(absl::StatusCode::kInvalidArgument, "empty"));
}

TEST(Validate, DatesAndCodes) {
  EXPECT_THAT(Date("d", "2026-03-14"), IsOk());
  EXPECT_THAT(Date("d", "2026-02-30"), StatusIs(absl::StatusCode::kInvalidArgument, "YYYY-MM-DD"));
  EXPECT_THAT(Date("d", "14/03/2026"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(DigitCode("commune_code", "05503", 5), IsOk());
  EXPECT_THAT(DigitCode("commune_code", "5503", 5), StatusIs(absl::StatusCode::kInvalidArgument, "5 digits"));
  EXPECT_THAT(DigitCode("commune_code", "0550a", 5), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Validate, GtinsNeedTheirCheckDigitAndBecome14Digits) {
  EXPECT_EQ(*Gtin("gtin", "8935049500018"), "08935049500018");  // GTIN-13 (Vietnam prefix 893)
  EXPECT_EQ(*Gtin("gtin", "96385074"), "00000096385074");        // GTIN-8
  EXPECT_EQ(*Gtin("gtin", "09506000134352"), "09506000134352");   // GS1's Digital Link example
  EXPECT_THAT(Gtin("product.gtin", "8935049500012"),
              StatusIs(absl::StatusCode::kInvalidArgument, "product.gtin: check digit should be 8"));
  EXPECT_THAT(Gtin("gtin", "123"), StatusIs(absl::StatusCode::kInvalidArgument, "8, 12, 13 or 14 digits"));
}

TEST(Validate, NewIdsAreRandomPrefixedAndNameSafe) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(NewId("tn"));
  EXPECT_EQ(ids.size(), 1000u);
  const std::string& id = *ids.begin();
  EXPECT_EQ(id.size(), 3u + 16u);
  EXPECT_EQ(id.substr(0, 3), "tn-");
  EXPECT_THAT(ResourceName("name", "producers/" + id, "producers"), IsOk());
  EXPECT_EQ(NewId("").size(), 16u);
}

TEST(ValidateTest, HttpsUrlsAndSha256Digests) {
  EXPECT_TRUE(HttpsUrl("x.uri", "https://ocop.example.vn/a.jpg").ok());
  EXPECT_EQ(HttpsUrl("x.uri", "http://ocop.example.vn/a.jpg").message(),
            "x.uri: must be an https URL of at most 2000 bytes");
  EXPECT_FALSE(HttpsUrl("x.uri", "https://a b").ok());
  EXPECT_FALSE(HttpsUrl("x.uri", "https://" + std::string(2000, 'a')).ok());
  absl::StatusOr<std::string> digest = Sha256Hex("x.sha256", std::string(64, 'A'), "image");
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, std::string(64, 'a'));
  EXPECT_EQ(Sha256Hex("x.sha256", "abc", "file").status().message(),
            "x.sha256: must be 64 hex digits (SHA-256 of the file)");
  EXPECT_FALSE(Sha256Hex("x.sha256", std::string(64, 'g'), "file").ok());
}

}  // namespace
}  // namespace ocop::validate
