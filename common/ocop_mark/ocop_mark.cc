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

GroupLabel LabelOf(registry::v1::ProductGroup group) {
  switch (group) {
    case registry::v1::PRODUCT_GROUP_FOOD: return {"Thực phẩm", "Food"};
    case registry::v1::PRODUCT_GROUP_BEVERAGES: return {"Đồ uống", "Beverages"};
    case registry::v1::PRODUCT_GROUP_HERBS: return {"Thảo dược", "Herbs"};
    case registry::v1::PRODUCT_GROUP_HANDICRAFTS: return {"Thủ công mỹ nghệ", "Handicrafts"};
    case registry::v1::PRODUCT_GROUP_ORNAMENTAL: return {"Sinh vật cảnh", "Ornamentals"};
    case registry::v1::PRODUCT_GROUP_TOURISM: return {"Du lịch cộng đồng", "Community tourism"};
    case registry::v1::PRODUCT_GROUP_LEGACY_2019_TEXTILES: return {"Vải, may mặc", "Textiles"};
    case registry::v1::PRODUCT_GROUP_LEGACY_2019_SOUVENIRS: return {"Lưu niệm, nội thất", "Souvenirs"};
    case registry::v1::PRODUCT_GROUP_LEGACY_2019_RURAL_TOURISM: return {"Du lịch nông thôn", "Rural tourism"};
    default: return {"", ""};
  }
}

}  // namespace ocop::ocop_mark
