// Registry report and plan types, free of gRPC, SQL and protobuf.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/registry/registry_types.h"

namespace ocop::registry {

// The units a report or plan covers, in either unit table (ocop.registry.v1.UnitScope).
struct UnitScope {
  std::string units_version;  // kUnitsCurrent or kUnitsBefore2025Merger; empty means kUnitsCurrent
  std::string province_code;  // empty: the whole country (today's units only)
  std::string district_code;  // a former district (table before the merger only)
  std::string commune_code;
  // Filled by the registry.
  std::string display_name;
  std::string current_province_code;  // the province holding the units today

  bool operator==(const UnitScope&) const = default;
};

// Values match ocop.registry.v1.ReportDimension.
enum class ReportDimension {
  kUnspecified = 0,
  kStars,
  kProductGroup,
  kProvince,
  kCommune,
  kCertificationYear,
  kSubGroup,
  kCategory
};
inline constexpr int kMaxReportDimension = 7;

struct CertifiedReportRow {
  int stars = 0;
  ProductGroup product_group = ProductGroup::kUnspecified;
  std::string province_code;
  std::string province_name;
  std::string commune_code;
  std::string commune_name;
  int certification_year = 0;
  std::string sub_group;
  std::string category;
  int64_t products = 0;
};

struct CertifiedReport {
  std::string as_of;
  UnitScope scope;
  int64_t total = 0;
  std::vector<CertifiedReportRow> rows;
};

struct ProducerReportRow {
  ProducerKind kind = ProducerKind::kUnspecified;
  int64_t producers = 0;
  int64_t women_led = 0;
  int64_t ethnic_minority_led = 0;
  int64_t modern_channels = 0;
  int64_t green_value_chains = 0;  // green or circular, tied to a raw-material area
  int64_t workers = 0;
  int64_t trained_workers = 0;
};

struct ProducersReport {
  std::string as_of;
  UnitScope scope;
  int64_t total = 0;
  std::vector<ProducerReportRow> rows;
};

// Products and certificate decisions (3+ stars) within `scope`.
struct DecisionCounts {
  int64_t products = 0;   // each product once
  int64_t decisions = 0;  // every decision
};

// Re-ratings of certified products within a period (docs/registry.md, Plans).
struct ReRatingCounts {
  int64_t certified = 0;     // products certified (3+ stars) by the period's end: the base
  int64_t consolidated = 0;  // re-rated within the period at the stars of the rating before
  int64_t upgraded = 0;      // re-rated within the period with more stars than the rating before
  int64_t consolidated_or_upgraded = 0;  // each product once
};

struct CertificationCounts {
  std::string as_of;
  std::string period_start;
  std::string period_end;
  UnitScope scope;
  int64_t ever_certified = 0;
  int64_t certified_during_period = 0;
  int64_t first_certified_during_period = 0;
  int64_t decisions_during_period = 0;
  int64_t valid_on_day = 0;
};

struct ExpiringCertificate {
  Product product;  // rating = the expiring one
  std::string producer_display_name;
  std::string province_code;
  std::string commune_code;
  std::string commune_name;
  int days_left = 0;
};

// Values match ocop.registry.v1.PlanMetric.
enum class PlanMetric {
  kUnspecified = 0,
  kNewCertifiedProducts,
  kNewFiveStarProducts,
  kCertifiedProducts,
  kCooperativeProducerShare,
  kEnterpriseProducerShare,
  kWomenLedProducerShare,
  kEthnicMinorityProducerShare,
  kModernChannelProducerShare,
  kFiveStarProducts,
  kFiveStarKeptShare,
  kConsolidatedOrUpgradedShare,
  kNewOcopProducers,
  kGreenValueChainProducerShare,
  kTrainedWorkerShare,
  kProvinceSalesPointsOpenedOrUpgraded,
  kSalesPointsOpened
};
inline constexpr int kMaxPlanMetric = 16;

// Values match ocop.registry.v1.TargetBound.
enum class TargetBound { kUnspecified = 0, kAtLeast, kAbout, kRange, kAtMost };
inline constexpr int kMaxTargetBound = 4;
// An "about" target counts as met from this share of it.
inline constexpr double kAboutTargetMetFrom = 0.9;

struct PlanTarget {
  PlanMetric metric = PlanMetric::kUnspecified;
  double target = 0;  // the lower bound of a range
  std::string description;
  TargetBound bound = TargetBound::kAtLeast;
  double target_max = 0;  // ranges only
};

struct ProvincePlan {
  std::string name;  // plans/{id}
  std::string province_code;
  std::string display_name;
  std::string period_start;  // YYYY-MM-DD
  std::string period_end;
  std::vector<PlanTarget> targets;
  UnitScope scope;  // default: the whole of province_code today
};

struct TargetProgress {
  PlanTarget target;
  double value = 0;
  double gap = 0;
  bool met = false;
  int64_t numerator = 0;
  int64_t denominator = 0;
};

struct PlanProgress {
  ProvincePlan plan;
  std::string as_of;
  std::vector<TargetProgress> targets;
};

}  // namespace ocop::registry
