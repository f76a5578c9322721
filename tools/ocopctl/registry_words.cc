#include "tools/ocopctl/registry_words.h"

namespace ocop::ctl {

const std::map<std::string, registry::v1::ProducerKind>& ProducerKindWords() {
  static const auto* words = new std::map<std::string, registry::v1::ProducerKind>{
      {"cooperative", registry::v1::PRODUCER_KIND_COOPERATIVE},
      {"enterprise", registry::v1::PRODUCER_KIND_ENTERPRISE},
      {"cooperative_group", registry::v1::PRODUCER_KIND_COOPERATIVE_GROUP},
      {"household", registry::v1::PRODUCER_KIND_HOUSEHOLD}};
  return *words;
}

const std::map<std::string, registry::v1::ProductGroup>& ProductGroupWords() {
  static const auto* words = new std::map<std::string, registry::v1::ProductGroup>{
      {"food", registry::v1::PRODUCT_GROUP_FOOD},
      {"beverages", registry::v1::PRODUCT_GROUP_BEVERAGES},
      {"herbs", registry::v1::PRODUCT_GROUP_HERBS},
      {"handicrafts", registry::v1::PRODUCT_GROUP_HANDICRAFTS},
      {"ornamental", registry::v1::PRODUCT_GROUP_ORNAMENTAL},
      {"tourism", registry::v1::PRODUCT_GROUP_TOURISM},
      {"legacy_2019_textiles", registry::v1::PRODUCT_GROUP_LEGACY_2019_TEXTILES},
      {"legacy_2019_souvenirs", registry::v1::PRODUCT_GROUP_LEGACY_2019_SOUVENIRS},
      {"legacy_2019_rural_tourism", registry::v1::PRODUCT_GROUP_LEGACY_2019_RURAL_TOURISM}};
  return *words;
}

const std::map<std::string, registry::v1::CouncilLevel>& CouncilLevelWords() {
  static const auto* words = new std::map<std::string, registry::v1::CouncilLevel>{
      {"district", registry::v1::COUNCIL_LEVEL_DISTRICT},
      {"province", registry::v1::COUNCIL_LEVEL_PROVINCE},
      {"central", registry::v1::COUNCIL_LEVEL_CENTRAL}};
  return *words;
}

const std::map<std::string, registry::v1::SalesChannel>& SalesChannelWords() {
  static const auto* words = new std::map<std::string, registry::v1::SalesChannel>{
      {"supermarket", registry::v1::SALES_CHANNEL_SUPERMARKET},
      {"convenience_store", registry::v1::SALES_CHANNEL_CONVENIENCE_STORE},
      {"ecommerce", registry::v1::SALES_CHANNEL_ECOMMERCE},
      {"social_media", registry::v1::SALES_CHANNEL_SOCIAL_MEDIA},
      {"own_shop", registry::v1::SALES_CHANNEL_OWN_SHOP},
      {"export", registry::v1::SALES_CHANNEL_EXPORT},
      {"traditional", registry::v1::SALES_CHANNEL_TRADITIONAL}};
  return *words;
}

const std::map<std::string, registry::v1::Gender>& GenderWords() {
  static const auto* words = new std::map<std::string, registry::v1::Gender>{
      {"female", registry::v1::GENDER_FEMALE}, {"male", registry::v1::GENDER_MALE}};
  return *words;
}

const std::map<std::string, registry::v1::ProductStatus>& ProductStatusWords() {
  static const auto* words = new std::map<std::string, registry::v1::ProductStatus>{
      {"active", registry::v1::PRODUCT_STATUS_ACTIVE},
      {"suspended", registry::v1::PRODUCT_STATUS_SUSPENDED},
      {"withdrawn", registry::v1::PRODUCT_STATUS_WITHDRAWN}};
  return *words;
}

}  // namespace ocop::ctl
