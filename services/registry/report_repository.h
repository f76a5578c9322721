// Storage side of the provincial reports and plans: counts computed by the store engine.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/registry/registry_types.h"
#include "services/registry/report_types.h"

namespace ocop::registry {

class ReportRepository {
 public:
  virtual ~ReportRepository() = default;

  // Days are "YYYY-MM-DD"; `scope` has been checked (an empty province means the whole country).
  // See docs/registry.md for what "certified as of a day" means and how producers recorded in one
  // unit table belong to units of the other.
  virtual absl::StatusOr<std::vector<CertifiedReportRow>> CountCertifiedProducts(
      const std::string& as_of, const UnitScope& scope, const std::vector<ReportDimension>& group_by) = 0;
  // Producers by kind; only OCOP producers (a product certified as_of) unless `include_uncertified`.
  virtual absl::StatusOr<std::vector<ProducerReportRow>> CountProducers(const std::string& as_of,
                                                                       const UnitScope& scope,
                                                                       bool include_uncertified) = 0;
  // Certificates valid on `as_of` with their last day on or before `last_day`, soonest first,
  // skipping `offset`.
  virtual absl::StatusOr<std::vector<ExpiringCertificate>> ListExpiring(const std::string& as_of,
                                                                       const std::string& last_day,
                                                                       const UnitScope& scope, int64_t offset,
                                                                       int limit) = 0;
  // Products within `scope` whose first rating with at least `min_stars` stars was decided within
  // [from, to].
  virtual absl::StatusOr<int64_t> CountFirstRatedWithin(const UnitScope& scope, int min_stars,
                                                        const std::string& from, const std::string& to) = 0;
  // Products within `scope` with a certificate (3+ stars) decided within [from, to], and those
  // decisions.
  virtual absl::StatusOr<DecisionCounts> CountCertificatesDecided(const UnitScope& scope, const std::string& from,
                                                                 const std::string& to) = 0;
  // The products certified on `as_of` (as CountCertifiedProducts) with at least `min_stars` stars.
  virtual absl::StatusOr<std::vector<std::string>> ListCertifiedProducts(const std::string& as_of,
                                                                         const UnitScope& scope,
                                                                         int min_stars) = 0;
  // Certified products re-rated within [from, to] at the stars of their rating before, or more.
  virtual absl::StatusOr<ReRatingCounts> CountReRatedWithin(const UnitScope& scope, const std::string& from,
                                                            const std::string& to) = 0;
  // Producers within `scope` whose first certificate (3+ stars, any product) was decided within
  // [from, to].
  virtual absl::StatusOr<int64_t> CountProducersFirstCertifiedWithin(const UnitScope& scope,
                                                                     const std::string& from,
                                                                     const std::string& to) = 0;
  // Sales points within `scope` (of tier `tier`; kUnspecified: any) opened within [from, to], or
  // also upgraded within it when `upgrades`. Each counts once.
  virtual absl::StatusOr<int64_t> CountSalesPointsWithin(const UnitScope& scope, const std::string& from,
                                                         const std::string& to, SalesPointTier tier,
                                                         bool upgrades) = 0;
  // Creates or replaces the plan.
  virtual absl::StatusOr<ProvincePlan> SavePlan(const ProvincePlan& plan, absl::Time when) = 0;
  // NOT_FOUND naming the plan.
  virtual absl::StatusOr<ProvincePlan> GetPlan(const std::string& name) = 0;
};

}  // namespace ocop::registry
