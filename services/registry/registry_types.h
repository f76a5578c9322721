// Registry domain types: producers and products, free of gRPC, SQL and protobuf.
#pragma once

#include <cstddef>
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

// Values match ocop.registry.v1.ProductGroup: the Decision 148/QĐ-TTg (2023) groups, then the 2019
// groups only older ratings carry.
enum class ProductGroup {
  kUnspecified = 0,
  kFood,
  kBeverages,
  kHerbs,
  kHandicrafts,
  kOrnamental,
  kTourism,
  kLegacy2019Textiles,
  kLegacy2019Souvenirs,
  kLegacy2019RuralTourism
};
inline constexpr int kMaxProductGroup = 9;

// Values match ocop.registry.v1.CouncilLevel.
enum class CouncilLevel { kUnspecified = 0, kDistrict, kProvince, kCentral };
inline constexpr int kMaxCouncilLevel = 3;

// Values match ocop.registry.v1.RatingState.
enum class RatingState { kUnspecified = 0, kCertified, kExpired, kNotCertified };

// Values match ocop.registry.v1.ProductStatus.
enum class ProductStatus { kUnspecified = 0, kActive, kSuspended, kWithdrawn };
inline constexpr int kMaxProductStatus = 3;

// Values match ocop.registry.v1.IntellectualPropertyKind.
enum class IntellectualPropertyKind {
  kUnspecified = 0,
  kTrademark,
  kCollectiveMark,
  kCertificationMark,
  kGeographicalIndication
};
inline constexpr int kMaxIntellectualPropertyKind = 4;

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

  // The province that holds this address today, whose office looks after the producer: the
  // recorded one, mapped through the July 2025 merger when recorded with the old codes.
  const std::string& TodaysProvinceCode() const {
    return current_province_code.empty() ? province_code : current_province_code;
  }

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

inline constexpr int32_t kMaxWorkers = 1'000'000;
inline constexpr double kMaxRawMaterialHectares = 1'000'000;

struct Workforce {
  int32_t workers = 0;
  int32_t trained_workers = 0;  // at most workers

  bool operator==(const Workforce&) const = default;
};

struct ValueChain {
  bool green_or_circular = false;
  double raw_material_hectares = 0;
  std::string raw_material_area;

  // Plans count a green or circular chain tied to a raw-material area (hectares above 0); the
  // producers report counts it in SQL (SqlReportRepository::CountProducers).
  bool operator==(const ValueChain&) const = default;
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
  Workforce workforce;
  ValueChain value_chain;
  int64_t generation = 0;  // the etag
  absl::Time create_time;
  absl::Time update_time;

  // Equal content: the fields a caller sets (not name, generation or times).
  bool SameContent(const Producer& other) const;
};

struct OcopRating {
  std::string name;  // products/{id}/ratings/{n}
  int stars = 0;
  int score = 0;
  CouncilLevel council_level = CouncilLevel::kUnspecified;
  std::string certificate_number;
  std::string decision_number;
  std::string decision_date;  // YYYY-MM-DD
  std::string valid_until;    // YYYY-MM-DD
  ProductGroup product_group = ProductGroup::kUnspecified;
  std::string note;
  std::string recorded_by;
  absl::Time record_time;
  RatingState state = RatingState::kUnspecified;  // filled on read, for the day it is read
  std::string renews;  // the certificate a re-evaluation renewed or upgraded, if any
};

// A rule of the council rule set: `level` may award [min_stars, max_stars] to decisions dated
// within [valid_from, valid_until] (either end may be open).
struct CouncilRule {
  CouncilLevel level = CouncilLevel::kUnspecified;
  int min_stars = 0;
  int max_stars = 0;
  std::string valid_from;   // YYYY-MM-DD or empty
  std::string valid_until;  // YYYY-MM-DD or empty
  std::string source;
};

struct ProductImage {
  std::string uri;
  std::string sha256;  // 64 lower-case hex digits

  bool operator==(const ProductImage&) const = default;
};

struct IntellectualProperty {
  IntellectualPropertyKind kind = IntellectualPropertyKind::kUnspecified;
  std::string number;
  std::string holder;
  std::string grant_date;  // YYYY-MM-DD or empty

  bool operator==(const IntellectualProperty&) const = default;
};

struct Product {
  std::string name;  // products/{id}
  std::string producer;
  std::string display_name;
  ProductGroup group = ProductGroup::kUnspecified;
  std::string description;
  std::string gtin;  // 14 digits, or empty
  std::string sub_group;
  std::string category;  // a Decision 148 code ("I.5.a"), or empty
  std::string ingredients;
  int shelf_life_days = 0;
  std::string storage;
  std::vector<ProductImage> images;
  std::vector<IntellectualProperty> intellectual_property;
  ProductStatus status = ProductStatus::kActive;
  std::string external_id;
  std::optional<OcopRating> rating;  // the current one on read; an optional first one on create
  int64_t generation = 0;            // the etag
  absl::Time create_time;
  absl::Time update_time;

  // Equal content: the fields UpdateProduct may change.
  bool SameContent(const Product& other) const;
};

struct ProducerFilter {
  std::string province_code;  // today's unit
  ProducerKind kind = ProducerKind::kUnspecified;
  std::string commune_code;   // today's unit
  std::string folded_query;   // text::FoldForSearch of the caller's words; empty: no search
};

struct ProductFilter {
  std::string producer;
  std::string province_code;  // today's unit of the producer
  ProductGroup group = ProductGroup::kUnspecified;
  int stars = 0;
  std::string folded_query;
  std::string gtin;  // 14 digits
};

// Values match ocop.registry.v1.SalesPointKind and SalesPointTier.
enum class SalesPointKind { kUnspecified = 0, kCenter, kShowroom, kCounter };
inline constexpr int kMaxSalesPointKind = 3;
enum class SalesPointTier { kUnspecified = 0, kProvince, kLocal, kPrivate };
inline constexpr int kMaxSalesPointTier = 3;
inline constexpr size_t kMaxUpgradeDates = 50;

// A centre, showroom or counter that shows and sells OCOP products (ocop.registry.v1.SalesPoint).
struct SalesPoint {
  std::string name;
  std::string display_name;
  SalesPointKind kind = SalesPointKind::kUnspecified;
  SalesPointTier tier = SalesPointTier::kUnspecified;
  Address address;
  std::string operator_name;
  std::string producer;
  std::string opened_date;
  std::vector<std::string> upgrade_dates;  // sorted, distinct
  std::string closed_date;
  absl::Time update_time = absl::UnixEpoch();

  // Equal in everything but update_time: setting it again changes nothing.
  bool SameContent(const SalesPoint& other) const {
    return name == other.name && display_name == other.display_name && kind == other.kind &&
           tier == other.tier && address == other.address && operator_name == other.operator_name &&
           producer == other.producer && opened_date == other.opened_date &&
           upgrade_dates == other.upgrade_dates && closed_date == other.closed_date;
  }
};

struct SalesPointFilter {
  std::string province_code;  // today's unit; empty: all
  bool include_closed = false;
};

// Values match ocop.registry.v1.ProductIdeaStage.
enum class ProductIdeaStage { kUnspecified = 0, kIdea, kBusinessPlan, kCandidate, kDossier, kDropped };
inline constexpr int kMaxProductIdeaStage = 5;

// A product idea or candidate a commune registered (ocop.registry.v1.ProductIdea).
struct ProductIdea {
  std::string name;
  std::string display_name;
  std::string sector;
  ProductGroup group = ProductGroup::kUnspecified;
  std::string sub_group;
  std::string category;  // a Decision 148 code, or empty
  Address address;
  std::string producer;
  std::string proposer_name;
  std::string registered_date;
  ProductIdeaStage stage = ProductIdeaStage::kUnspecified;
  std::string dossier;  // set by the dossier that names it (stage kDossier)
  absl::Time update_time = absl::UnixEpoch();

  // Equal in everything but update_time: setting it again changes nothing.
  bool SameContent(const ProductIdea& other) const {
    return name == other.name && display_name == other.display_name && sector == other.sector &&
           group == other.group && sub_group == other.sub_group && category == other.category &&
           address == other.address &&
           producer == other.producer && proposer_name == other.proposer_name &&
           registered_date == other.registered_date && stage == other.stage && dossier == other.dossier;
  }
};

struct ProductIdeaFilter {
  std::string province_code;  // today's unit; empty: all
  std::string commune_code;   // today's unit; empty: all
  ProductIdeaStage stage = ProductIdeaStage::kUnspecified;  // unspecified: all
};

template <typename T>
using Page = store::Page<T>;

// What a caller asks of a list: a page size (0 for the default) and the token of the page before.
struct PageRequest {
  int page_size = 0;
  std::string page_token;
};

}  // namespace ocop::registry
