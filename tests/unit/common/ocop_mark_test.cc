#include "common/ocop_mark/ocop_mark.h"

#include <gtest/gtest.h>

namespace ocop::ocop_mark {
namespace {

registry::v1::Product Rated(int stars, const std::string& decided, const std::string& valid_until) {
  registry::v1::Product product;
  product.set_status(registry::v1::PRODUCT_STATUS_ACTIVE);
  registry::v1::OcopRating* rating = product.mutable_rating();
  rating->set_stars(stars);
  rating->set_certificate_number(stars >= 3 ? "TN-OCOP-2025-001" : "");
  rating->set_decision_date(decided);
  rating->set_valid_until(valid_until);
  return product;
}

// Fixed days: the rule never depends on today's date.
const absl::CivilDay kDay(2026, 3, 14);

TEST(OcopMarkTest, OnlyThreeStarsOrMoreWithACertificateInForceCarryStars) {
  Mark certified = MarkOn(Rated(4, "2025-07-01", "2028-06-30"), kDay);
  EXPECT_EQ(certified.state, MarkState::kCertified);
  EXPECT_EQ(certified.stars, 4);
  // The last valid day still counts; the day after does not.
  EXPECT_EQ(MarkOn(Rated(3, "2023-03-14", "2026-03-14"), kDay).stars, 3);
  Mark expired = MarkOn(Rated(5, "2023-03-13", "2026-03-13"), kDay);
  EXPECT_EQ(expired.state, MarkState::kExpired);
  EXPECT_EQ(expired.stars, 0);
  Mark two_stars = MarkOn(Rated(2, "2025-07-01", "2028-06-30"), kDay);
  EXPECT_EQ(two_stars.state, MarkState::kNotCertified);
  EXPECT_EQ(two_stars.stars, 0);
  // A decision dated after the day was not yet in force.
  EXPECT_EQ(MarkOn(Rated(4, "2026-03-15", "2029-03-14"), kDay).state, MarkState::kNotCertified);
  EXPECT_EQ(MarkOn(registry::v1::Product(), kDay).state, MarkState::kNotCertified);
}

TEST(OcopMarkTest, ASuspendedOrWithdrawnProductCarriesNoStarsWhateverItsCertificate) {
  registry::v1::Product product = Rated(5, "2025-07-01", "2028-06-30");
  product.set_status(registry::v1::PRODUCT_STATUS_SUSPENDED);
  EXPECT_EQ(MarkOn(product, kDay).state, MarkState::kSuspended);
  EXPECT_EQ(MarkOn(product, kDay).stars, 0);
  product.set_status(registry::v1::PRODUCT_STATUS_WITHDRAWN);
  EXPECT_EQ(MarkOn(product, kDay).state, MarkState::kWithdrawn);
  EXPECT_EQ(MarkOn(product, kDay).stars, 0);
  // Status unspecified (older records) is active.
  product.set_status(registry::v1::PRODUCT_STATUS_UNSPECIFIED);
  EXPECT_EQ(MarkOn(product, kDay).stars, 5);
}

}  // namespace
}  // namespace ocop::ocop_mark
