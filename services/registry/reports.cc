#include "services/registry/reports.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/ownership.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"
#include "services/registry/registry_internal.h"

namespace ocop::registry {
namespace {

bool IsEmpty(const UnitScope& scope) {
  return scope.units_version.empty() && scope.province_code.empty() && scope.district_code.empty() &&
         scope.commune_code.empty();
}

// Shares of the OCOP producers on the report day.
bool IsProducerShare(PlanMetric metric) {
  return metric == PlanMetric::kCooperativeProducerShare || metric == PlanMetric::kEnterpriseProducerShare ||
         metric == PlanMetric::kWomenLedProducerShare || metric == PlanMetric::kEthnicMinorityProducerShare ||
         metric == PlanMetric::kModernChannelProducerShare || metric == PlanMetric::kGreenValueChainProducerShare;
}

// Percentages (0-100), of the producers or of their own base.
bool IsShare(PlanMetric metric) {
  return IsProducerShare(metric) || metric == PlanMetric::kFiveStarKeptShare ||
         metric == PlanMetric::kConsolidatedOrUpgradedShare || metric == PlanMetric::kTrainedWorkerShare;
}

double Percent(int64_t numerator, int64_t denominator) {
  return denominator == 0 ? 0 : 100.0 * static_cast<double>(numerator) / static_cast<double>(denominator);
}

// How far `value` is from meeting `target` (0 when met; docs/registry.md, Plans).
double GapToTarget(const PlanTarget& target, double value) {
  switch (target.bound) {
    case TargetBound::kAtMost: return std::max(0.0, value - target.target);
    case TargetBound::kAbout: return std::max(0.0, kAboutTargetMetFrom * target.target - value);
    case TargetBound::kUnspecified:
    case TargetBound::kAtLeast:
    case TargetBound::kRange: break;
  }
  return std::max(0.0, target.target - value);
}

}  // namespace

absl::StatusOr<std::string> Reports::ReportDay(const std::string& as_of) const {
  if (as_of.empty()) return absl::FormatCivilTime(Today());
  OCOP_RETURN_IF_ERROR(validate::Date("as_of", as_of).status());
  return as_of;
}

absl::StatusOr<UnitScope> Reports::ResolveScope(const Actor& actor, const std::string& province_code,
                                                UnitScope scope) {
  if (!IsEmpty(scope) && !province_code.empty()) {
    return absl::InvalidArgumentError("scope: set either province_code (today's province) or scope, not both");
  }
  // Errors name the field the caller set.
  const bool shorthand = IsEmpty(scope);
  const std::string province_field = shorthand ? "province_code" : "scope.province_code";
  if (shorthand) scope.province_code = province_code;
  if (scope.units_version.empty()) scope.units_version = kUnitsCurrent;
  const std::string& version = scope.units_version;
  const bool before_merger = version == kUnitsBefore2025Merger;
  if (!before_merger && version != kUnitsCurrent) {
    return absl::InvalidArgumentError(absl::StrCat("scope.units_version: unknown unit table '", version, "'; use ",
                                                   kUnitsCurrent, " (today's units) or ", kUnitsBefore2025Merger,
                                                   " (before the July 2025 merger)"));
  }
  if (!scope.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode(province_field, scope.province_code, 2));
  }
  if (!scope.district_code.empty()) {
    if (!before_merger) {
      return absl::InvalidArgumentError(absl::StrCat("scope.district_code: districts exist only in the ",
                                                     kUnitsBefore2025Merger, " unit table (before the merger)"));
    }
    OCOP_RETURN_IF_ERROR(validate::DigitCode("scope.district_code", scope.district_code, 3));
  }
  if (!scope.commune_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("scope.commune_code", scope.commune_code, 5));
  }
  if (scope.province_code.empty()) {
    if (before_merger || !scope.district_code.empty() || !scope.commune_code.empty()) {
      return absl::InvalidArgumentError(
          "scope.province_code: required for a commune, a district or units before the merger");
    }
    // The whole country, or for an office its own province.
    OCOP_ASSIGN_OR_RETURN(scope.province_code, auth::ScopedProvince(actor, "province_code", ""));
    if (scope.province_code.empty()) {
      scope.display_name = "Toàn quốc";
      return scope;
    }
  }

  // Each unit must be in the table and within the unit above it; the name reads from the smallest.
  std::vector<std::string> names;
  OCOP_ASSIGN_OR_RETURN(std::optional<UnitRecord> province,
                        units_->FindUnit(version, UnitLevel::kProvince, scope.province_code));
  if (!province.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(province_field, ": ", scope.province_code,
                                                   " is not a province in the ", version, " unit table"));
  }
  names.push_back(province->name);
  if (!scope.district_code.empty()) {
    OCOP_ASSIGN_OR_RETURN(std::optional<UnitRecord> district,
                          units_->FindUnit(version, UnitLevel::kDistrict, scope.district_code));
    if (!district.has_value() || district->parent_code != scope.province_code) {
      return absl::InvalidArgumentError(absl::StrCat("scope.district_code: ", scope.district_code,
                                                     " is not a district of province ", scope.province_code,
                                                     " in the ", version, " unit table"));
    }
    names.push_back(district->name);
  }
  if (!scope.commune_code.empty()) {
    OCOP_ASSIGN_OR_RETURN(std::optional<UnitRecord> commune,
                          units_->FindUnit(version, UnitLevel::kCommune, scope.commune_code));
    const bool within = commune.has_value() && commune->parent_code == scope.province_code &&
                        (scope.district_code.empty() || commune->district_code == scope.district_code);
    if (!within) {
      return absl::InvalidArgumentError(absl::StrCat(
          "scope.commune_code: ", scope.commune_code, " is not a commune of ",
          scope.district_code.empty() ? "province " : "district ",
          scope.district_code.empty() ? scope.province_code : scope.district_code, " in the ", version,
          " unit table"));
    }
    names.push_back(commune->name);
  }
  std::reverse(names.begin(), names.end());
  scope.display_name = absl::StrJoin(names, ", ");
  if (before_merger) {
    OCOP_ASSIGN_OR_RETURN(scope.current_province_code, units_->ProvinceToday(scope.province_code));
  } else {
    scope.current_province_code = scope.province_code;
  }
  // An office reports on the units its province holds today, former provinces included.
  OCOP_RETURN_IF_ERROR(auth::ScopedProvince(actor, province_field, scope.current_province_code).status());
  return scope;
}

absl::StatusOr<CertifiedReport> Reports::ReportCertifiedProducts(const Actor& actor, const std::string& as_of,
                                                                  const std::string& province_code,
                                                                  const UnitScope& requested_scope,
                                                                  const std::vector<ReportDimension>& group_by) {
  OCOP_ASSIGN_OR_RETURN(std::string day, ReportDay(as_of));
  OCOP_ASSIGN_OR_RETURN(UnitScope scope, ResolveScope(actor, province_code, requested_scope));
  std::set<ReportDimension> seen;
  for (ReportDimension dimension : group_by) {
    if (!seen.insert(dimension).second) return absl::InvalidArgumentError("group_by: lists a dimension twice");
  }
  CertifiedReport report;
  report.as_of = day;
  OCOP_ASSIGN_OR_RETURN(report.rows, repository_->CountCertifiedProducts(day, scope, group_by));
  report.scope = std::move(scope);
  for (const CertifiedReportRow& row : report.rows) report.total += row.products;
  return report;
}

absl::StatusOr<ProducersReport> Reports::ReportProducers(const Actor& actor, const std::string& as_of,
                                                          const std::string& province_code,
                                                          const UnitScope& requested_scope, bool include_uncertified) {
  OCOP_ASSIGN_OR_RETURN(std::string day, ReportDay(as_of));
  OCOP_ASSIGN_OR_RETURN(UnitScope scope, ResolveScope(actor, province_code, requested_scope));
  ProducersReport report;
  report.as_of = day;
  OCOP_ASSIGN_OR_RETURN(report.rows, repository_->CountProducers(day, scope, include_uncertified));
  report.scope = std::move(scope);
  for (const ProducerReportRow& row : report.rows) report.total += row.producers;
  return report;
}

absl::StatusOr<CertificationCounts> Reports::ReportCertificationCounts(const Actor& actor, const std::string& as_of,
                                                                      const std::string& period_start,
                                                                      const std::string& period_end,
                                                                      const std::string& province_code,
                                                                      const UnitScope& requested_scope) {
  OCOP_ASSIGN_OR_RETURN(std::string day, ReportDay(as_of));
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay start, validate::Date("period_start", period_start));
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay end, validate::Date("period_end", period_end));
  if (end < start) return absl::InvalidArgumentError("period_end: is before period_start");
  OCOP_ASSIGN_OR_RETURN(UnitScope scope, ResolveScope(actor, province_code, requested_scope));
  CertificationCounts counts;
  counts.as_of = day;
  counts.period_start = period_start;
  counts.period_end = period_end;
  // Decisions after the report day are not known on it.
  const std::string period_to = std::min(day, period_end);
  OCOP_ASSIGN_OR_RETURN(DecisionCounts ever, repository_->CountCertificatesDecided(scope, "0000-01-01", day));
  counts.ever_certified = ever.products;
  OCOP_ASSIGN_OR_RETURN(DecisionCounts during, repository_->CountCertificatesDecided(scope, period_start, period_to));
  counts.certified_during_period = during.products;
  counts.decisions_during_period = during.decisions;
  OCOP_ASSIGN_OR_RETURN(counts.first_certified_during_period,
                        repository_->CountFirstRatedWithin(scope, 3, period_start, period_to));
  OCOP_ASSIGN_OR_RETURN(std::vector<CertifiedReportRow> valid, repository_->CountCertifiedProducts(day, scope, {}));
  counts.valid_on_day = valid.empty() ? 0 : valid[0].products;
  counts.scope = std::move(scope);
  return counts;
}

absl::StatusOr<Page<ExpiringCertificate>> Reports::ListExpiringCertificates(const Actor& actor, const std::string& as_of,
                                                                             int within_days,
                                                                             const std::string& province_code,
                                                                             const UnitScope& requested_scope,
                                                                             const PageRequest& page) {
  OCOP_ASSIGN_OR_RETURN(std::string day, ReportDay(as_of));
  OCOP_ASSIGN_OR_RETURN(const UnitScope scope, ResolveScope(actor, province_code, requested_scope));
  if (within_days < 1 || within_days > 3650) {
    return absl::InvalidArgumentError("within_days: must be between 1 and 3650");
  }
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, registry_internal::kDefaultPageSize,
                                                     registry_internal::kMaxPageSize));
  // The token is the number of certificates already returned: the list is ordered by end day.
  OCOP_ASSIGN_OR_RETURN(int64_t offset, grpcutil::DecodePageToken(page.page_token));
  absl::CivilDay start;
  absl::ParseCivilTime(day, &start);
  const std::string last_day = absl::FormatCivilTime(start + within_days);
  OCOP_ASSIGN_OR_RETURN(std::vector<ExpiringCertificate> certificates,
                        repository_->ListExpiring(day, last_day, scope, offset, size + 1));
  Page<ExpiringCertificate> result;
  if (static_cast<int>(certificates.size()) > size) {
    certificates.resize(size);
    result.next_position = offset + size;
  }
  for (ExpiringCertificate& certificate : certificates) {
    certificate.product.rating->state = RatingStateOn(*certificate.product.rating, start);
  }
  result.items = std::move(certificates);
  return result;
}

absl::StatusOr<ProvincePlan> Reports::SetPlan(const Actor& actor, ProvincePlan plan) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("plan.name", plan.name, "plans"));
  if (IsEmpty(plan.scope)) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("plan.province_code", plan.province_code, 2));
    plan.scope.province_code = plan.province_code;
  } else if (!plan.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("plan.province_code", plan.province_code, 2));
  }
  absl::StatusOr<UnitScope> scope = ResolveScope(actor, "", plan.scope);
  if (!scope.ok()) {
    return absl::Status(scope.status().code(), absl::StrCat("plan.", scope.status().message()));
  }
  if (!plan.province_code.empty() && plan.province_code != scope->current_province_code) {
    return absl::InvalidArgumentError(absl::StrCat("plan.province_code: the plan's units are in province ",
                                                   scope->current_province_code, " today, not ", plan.province_code));
  }
  plan.province_code = scope->current_province_code;
  plan.scope = std::move(*scope);
  OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, plan.name, plan.province_code));
  // Nor may an office replace another province's plan by reusing its name.
  absl::StatusOr<ProvincePlan> stored = repository_->GetPlan(plan.name);
  if (stored.ok()) {
    OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, plan.name, stored->province_code));
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  }
  OCOP_RETURN_IF_ERROR(registry_internal::Normalize("plan.display_name", &plan.display_name));
  OCOP_RETURN_IF_ERROR(validate::Text("plan.display_name", plan.display_name, 300, true));
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay start, validate::Date("plan.period_start", plan.period_start));
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay end, validate::Date("plan.period_end", plan.period_end));
  if (end < start) return absl::InvalidArgumentError("plan.period_end: is before plan.period_start");
  if (plan.targets.empty()) return absl::InvalidArgumentError("plan.targets: a plan needs at least one target");
  std::set<PlanMetric> metrics;
  for (size_t i = 0; i < plan.targets.size(); ++i) {
    PlanTarget& target = plan.targets[i];
    const std::string field = absl::StrCat("plan.targets[", i, "]");
    if (target.metric == PlanMetric::kUnspecified) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".metric: must be set"));
    }
    if (!metrics.insert(target.metric).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".metric: the plan already has a target for it"));
    }
    if (!(target.target >= 0) || (IsShare(target.metric) && target.target > 100)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".target: must be at least 0", IsShare(target.metric) ? " and at most 100 (a percentage)" : ""));
    }
    if (target.bound == TargetBound::kUnspecified) target.bound = TargetBound::kAtLeast;
    if (target.bound == TargetBound::kRange) {
      if (!(target.target_max >= target.target) || (IsShare(target.metric) && target.target_max > 100)) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".target_max: a range must end at or above its target",
                                                       IsShare(target.metric) ? " and at most 100" : ""));
      }
    } else if (target.target_max != 0) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".target_max: only a RANGE target has an upper bound"));
    }
    OCOP_RETURN_IF_ERROR(registry_internal::Normalize(absl::StrCat(field, ".description"), &target.description));
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".description"), target.description, 500, false));
  }
  OCOP_ASSIGN_OR_RETURN(ProvincePlan saved, repository_->SavePlan(plan, clock_()));
  saved.scope = plan.scope;  // with its names
  return saved;
}

absl::StatusOr<PlanProgress> Reports::GetPlanProgress(const Actor& actor, const std::string& name,
                                                       const std::string& as_of) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "plans"));
  OCOP_ASSIGN_OR_RETURN(std::string day, ReportDay(as_of));
  OCOP_ASSIGN_OR_RETURN(ProvincePlan plan, repository_->GetPlan(name));
  OCOP_RETURN_IF_ERROR(auth::ScopedProvince(actor, "name", plan.province_code).status());
  OCOP_ASSIGN_OR_RETURN(plan.scope, ResolveScope(actor, "", plan.scope));
  PlanProgress progress;
  progress.as_of = day;
  // Period counts stop at the report day.
  const std::string period_to = std::min(day, plan.period_end);

  OCOP_ASSIGN_OR_RETURN(std::vector<ProducerReportRow> producers,
                        repository_->CountProducers(day, plan.scope, /*include_uncertified=*/false));
  ProducerReportRow all;
  for (const ProducerReportRow& row : producers) {
    all.producers += row.producers;
    all.women_led += row.women_led;
    all.ethnic_minority_led += row.ethnic_minority_led;
    all.modern_channels += row.modern_channels;
    all.green_value_chains += row.green_value_chains;
    all.workers += row.workers;
    all.trained_workers += row.trained_workers;
  }
  auto kind_count = [&](ProducerKind kind) -> int64_t {
    for (const ProducerReportRow& row : producers) {
      if (row.kind == kind) return row.producers;
    }
    return 0;
  };

  for (const PlanTarget& target : plan.targets) {
    TargetProgress item;
    item.target = target;
    switch (target.metric) {
      case PlanMetric::kNewCertifiedProducts: {
        OCOP_ASSIGN_OR_RETURN(int64_t count,
                              repository_->CountFirstRatedWithin(plan.scope, 3, plan.period_start, period_to));
        item.value = static_cast<double>(count);
        break;
      }
      case PlanMetric::kNewFiveStarProducts: {
        OCOP_ASSIGN_OR_RETURN(int64_t count,
                              repository_->CountFirstRatedWithin(plan.scope, 5, plan.period_start, period_to));
        item.value = static_cast<double>(count);
        break;
      }
      case PlanMetric::kCertifiedProducts: {
        OCOP_ASSIGN_OR_RETURN(std::vector<CertifiedReportRow> rows,
                              repository_->CountCertifiedProducts(day, plan.scope, {}));
        item.value = rows.empty() ? 0 : static_cast<double>(rows[0].products);
        break;
      }
      case PlanMetric::kCooperativeProducerShare: item.numerator = kind_count(ProducerKind::kCooperative); break;
      case PlanMetric::kEnterpriseProducerShare: item.numerator = kind_count(ProducerKind::kEnterprise); break;
      case PlanMetric::kWomenLedProducerShare: item.numerator = all.women_led; break;
      case PlanMetric::kEthnicMinorityProducerShare: item.numerator = all.ethnic_minority_led; break;
      case PlanMetric::kModernChannelProducerShare: item.numerator = all.modern_channels; break;
      case PlanMetric::kFiveStarProducts: {
        OCOP_ASSIGN_OR_RETURN(std::vector<std::string> five_star, repository_->ListCertifiedProducts(day, plan.scope, 5));
        item.value = static_cast<double>(five_star.size());
        break;
      }
      case PlanMetric::kFiveStarKeptShare: {
        // Both lists come sorted by name.
        OCOP_ASSIGN_OR_RETURN(std::vector<std::string> at_start,
                              repository_->ListCertifiedProducts(plan.period_start, plan.scope, 5));
        OCOP_ASSIGN_OR_RETURN(std::vector<std::string> now, repository_->ListCertifiedProducts(day, plan.scope, 5));
        std::vector<std::string> kept;
        std::set_intersection(at_start.begin(), at_start.end(), now.begin(), now.end(), std::back_inserter(kept));
        item.numerator = static_cast<int64_t>(kept.size());
        item.denominator = static_cast<int64_t>(at_start.size());
        // Nothing to keep is nothing lost.
        item.value = at_start.empty() ? 100 : Percent(item.numerator, item.denominator);
        break;
      }
      case PlanMetric::kConsolidatedOrUpgradedShare: {
        OCOP_ASSIGN_OR_RETURN(ReRatingCounts counts,
                              repository_->CountReRatedWithin(plan.scope, plan.period_start, period_to));
        item.numerator = counts.consolidated_or_upgraded;
        item.denominator = counts.certified;
        item.value = Percent(item.numerator, item.denominator);
        break;
      }
      case PlanMetric::kNewOcopProducers: {
        OCOP_ASSIGN_OR_RETURN(int64_t count, repository_->CountProducersFirstCertifiedWithin(
                                                 plan.scope, plan.period_start, period_to));
        item.value = static_cast<double>(count);
        break;
      }
      case PlanMetric::kGreenValueChainProducerShare: item.numerator = all.green_value_chains; break;
      case PlanMetric::kTrainedWorkerShare:
        item.numerator = all.trained_workers;
        item.denominator = all.workers;
        item.value = Percent(item.numerator, item.denominator);
        break;
      case PlanMetric::kProvinceSalesPointsOpenedOrUpgraded: {
        OCOP_ASSIGN_OR_RETURN(int64_t count,
                              repository_->CountSalesPointsWithin(plan.scope, plan.period_start, period_to,
                                                                  SalesPointTier::kProvince, /*upgrades=*/true));
        item.value = static_cast<double>(count);
        break;
      }
      case PlanMetric::kSalesPointsOpened: {
        OCOP_ASSIGN_OR_RETURN(int64_t count,
                              repository_->CountSalesPointsWithin(plan.scope, plan.period_start, period_to,
                                                                  SalesPointTier::kUnspecified, /*upgrades=*/false));
        item.value = static_cast<double>(count);
        break;
      }
      case PlanMetric::kUnspecified: break;
    }
    if (IsProducerShare(target.metric)) {
      item.denominator = all.producers;
      item.value = Percent(item.numerator, all.producers);
    }
    item.gap = GapToTarget(target, item.value);
    item.met = item.gap == 0;
    progress.targets.push_back(std::move(item));
  }
  progress.plan = std::move(plan);
  return progress;
}

}  // namespace ocop::registry
