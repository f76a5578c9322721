#include "common/ocop_mark/ocop_mark.h"

namespace ocop::ocop_mark {

Mark MarkOn(const registry::v1::Product& product, absl::CivilDay day) {
  // The registry's status outranks the rating: a suspended product's certificate does not count.
  if (product.status() == registry::v1::PRODUCT_STATUS_SUSPENDED) return {MarkState::kSuspended, 0};
  if (product.status() == registry::v1::PRODUCT_STATUS_WITHDRAWN) return {MarkState::kWithdrawn, 0};
  if (!product.has_rating()) return {MarkState::kNotCertified, 0};
  const registry::v1::OcopRating& rating = product.rating();
  if (rating.stars() < 3 || rating.stars() > 5 || rating.certificate_number().empty()) {
    return {MarkState::kNotCertified, 0};
  }
  absl::CivilDay decided;
  absl::CivilDay last_day;
  if (!absl::ParseCivilTime(rating.decision_date(), &decided) || !absl::ParseCivilTime(rating.valid_until(), &last_day) ||
      day < decided) {
    return {MarkState::kNotCertified, 0};
  }
  if (day > last_day) return {MarkState::kExpired, 0};
  return {MarkState::kCertified, rating.stars()};
}

}  // namespace ocop::ocop_mark
