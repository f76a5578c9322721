// Provincial reports and plan progress, computed from the registry's own data.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "services/registry/ratings.h"
#include "services/registry/registry_types.h"
#include "services/registry/report_repository.h"
#include "services/registry/report_types.h"
#include "services/registry/unit_repository.h"

namespace ocop::registry {

class Reports {
 public:
  // Repositories are not owned.
  Reports(ReportRepository* repository, UnitRepository* units, std::function<absl::Time()> clock)
      : repository_(repository), units_(units), clock_(std::move(clock)) {}

  // `as_of` is "YYYY-MM-DD", empty for today (Vietnam time). The units covered are `scope`, or
  // today's province `province_code` (at most one of the two set), or when neither is set the
  // whole country (an office: its own province).
  absl::StatusOr<CertifiedReport> ReportCertifiedProducts(const Actor& actor, const std::string& as_of,
                                                          const std::string& province_code, const UnitScope& scope,
                                                          const std::vector<ReportDimension>& group_by);
  absl::StatusOr<ProducersReport> ReportProducers(const Actor& actor, const std::string& as_of,
                                                  const std::string& province_code, const UnitScope& scope,
                                                  bool include_uncertified);
  // Ever certified, certified during [period_start, period_end] (up to as_of), and valid on as_of.
  absl::StatusOr<CertificationCounts> ReportCertificationCounts(const Actor& actor, const std::string& as_of,
                                                                const std::string& period_start,
                                                                const std::string& period_end,
                                                                const std::string& province_code,
                                                                const UnitScope& scope);
  // Certificates valid on as_of that end within `within_days` days, soonest first.
  absl::StatusOr<Page<ExpiringCertificate>> ListExpiringCertificates(const Actor& actor, const std::string& as_of,
                                                                     int within_days, const std::string& province_code,
                                                                     const UnitScope& scope, const PageRequest& page);
  // Creates or replaces a province plan after checking it.
  absl::StatusOr<ProvincePlan> SetPlan(const Actor& actor, ProvincePlan plan);
  absl::StatusOr<PlanProgress> GetPlanProgress(const Actor& actor, const std::string& name, const std::string& as_of);

 private:
  absl::CivilDay Today() const { return VietnamDay(clock_()); }
  // Checks the units asked for against the unit tables and the caller's province; fills their
  // names and the province holding them today. INVALID_ARGUMENT naming the scope's field.
  absl::StatusOr<UnitScope> ResolveScope(const Actor& actor, const std::string& province_code, UnitScope scope);
  // `as_of` checked (naming the field "as_of"), or today when empty.
  absl::StatusOr<std::string> ReportDay(const std::string& as_of) const;

  ReportRepository* repository_;
  UnitRepository* units_;
  std::function<absl::Time()> clock_;
};

}  // namespace ocop::registry
