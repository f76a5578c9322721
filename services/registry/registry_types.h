// Registry domain types: producers and products, free of gRPC, SQL and protobuf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/store/page.h"

namespace ocop::registry {

// Values match ocop.registry.v1.ProducerKind.
enum class ProducerKind { kUnspecified = 0, kCooperative, kEnterprise, kCooperativeGroup, kHousehold };
inline constexpr int kMaxProducerKind = 4;

// Values match ocop.registry.v1.ProductGroup (Decision 148/QĐ-TTg).
enum class ProductGroup { kUnspecified = 0, kFood, kBeverages, kHerbs, kHandicrafts, kOrnamental, kTourism };
inline constexpr int kMaxProductGroup = 6;

struct Address {
  std::string street;
  std::string commune_code;
  std::string commune_name;
  std::string district_name;
  std::string province_code;
  std::string province_name;
  std::string units_version;  // see admin_units.h; empty means current
  // Resolved by the registry: the units this address belongs to today.
  std::string current_province_code;
  std::string current_province_name;
  std::string current_commune_code;
  std::string current_commune_name;

  bool operator==(const Address&) const = default;
};

// Values match ocop.registry.v1.Gender.
enum class Gender { kUnspecified = 0, kFemale, kMale };
inline constexpr int kMaxGender = 2;

struct Representative {
  std::string full_name;
  Gender gender = Gender::kUnspecified;
  bool ethnic_minority = false;
  std::string ethnicity;

  bool operator==(const Representative&) const = default;
};

// Values match ocop.registry.v1.SalesChannel.
enum class SalesChannel {
  kUnspecified = 0,
  kSupermarket,
  kConvenienceStore,
  kEcommerce,
  kSocialMedia,
  kOwnShop,
  kExport,
  kTraditional
};
inline constexpr int kMaxSalesChannel = 7;

// Supermarkets, convenience stores, e-commerce and social media: what the provincial plans call
// modern distribution channels (see docs/registry.md).
bool IsModernChannel(SalesChannel channel);

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;

  bool operator==(const GeoPoint&) const = default;
};

struct Producer {
  std::string name;  // producers/{id}
  std::string display_name;
  ProducerKind kind = ProducerKind::kUnspecified;
  Address address;
  std::string phone;
  std::string tax_code;
  std::string external_id;
  Representative representative;
  std::optional<GeoPoint> location;
  std::vector<SalesChannel> sales_channels;  // sorted, unique
  int64_t generation = 0;                    // the etag
  absl::Time create_time;
  absl::Time update_time;

  // Equal content: the fields a caller sets (not name, generation or times).
  bool SameContent(const Producer& other) const;
};

struct OcopRating {
  int stars = 0;
  int score = 0;
  std::string certificate_number;
  std::string valid_until;  // YYYY-MM-DD
};

struct Product {
  std::string name;  // products/{id}
  std::string producer;
  std::string display_name;
  ProductGroup group = ProductGroup::kUnspecified;
  std::string description;
  std::optional<OcopRating> rating;
  std::string gtin;  // 14 digits, or empty
  absl::Time create_time;
};

struct ProducerFilter {
  std::string province_code;  // today's unit
  ProducerKind kind = ProducerKind::kUnspecified;
  std::string commune_code;   // today's unit
  std::string folded_query;   // text::FoldForSearch of the caller's words; empty: no search
};

struct ProductFilter {
  std::string producer;
  std::string province_code;
  ProductGroup group = ProductGroup::kUnspecified;
  int stars = 0;
};

template <typename T>
using Page = store::Page<T>;

}  // namespace ocop::registry
