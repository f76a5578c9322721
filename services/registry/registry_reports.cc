// Registry: provincial reports and plan progress, computed from the registry's own data.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/auth/ownership.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"
#include "services/registry/registry.h"
#include "services/registry/registry_internal.h"

namespace ocop::registry {
namespace {

absl::Status ValidateProvinceFilter(const std::string& province_code) {
  if (province_code.empty()) return absl::OkStatus();
  return validate::DigitCode("province_code", province_code, 2);
}

bool IsShare(PlanMetric metric) {
  return metric == PlanMetric::kCooperativeProducerShare || metric == PlanMetric::kEnterpriseProducerShare ||
         metric == PlanMetric::kWomenLedProducerShare || metric == PlanMetric::kEthnicMinorityProducerShare ||
         metric == PlanMetric::kModernChannelProducerShare;
}

}  // namespace

absl::StatusOr<std::string> Registry::ReportDay(const std::string& as_of) const {
  if (as_of.empty()) return absl::FormatCivilTime(Today());
  OCOP_RETURN_IF_ERROR(validate::Date("as_of", as_of).status());
  return as_of;
}

absl::StatusOr<CertifiedReport> Registry::ReportCertifiedProducts(const Actor& actor, const std::string& as_of,
                                                                  const std::string& requested_province,
                                                                  const std::vector<ReportDimension>& group_by) {
  OCOP_ASSIGN_OR_RETURN(std::string day, ReportDay(as_of));
  OCOP_ASSIGN_OR_RETURN(const std::string province_code,
                        auth::ScopedProvince(actor, "province_code", requested_province));
  OCOP_RETURN_IF_ERROR(ValidateProvinceFilter(province_code));
  std::set<ReportDimension> seen;
  for (ReportDimension dimension : group_by) {
    if (!seen.insert(dimension).second) return absl::InvalidArgumentError("group_by: lists a dimension twice");
  }
  CertifiedReport report;
  report.as_of = day;
  OCOP_ASSIGN_OR_RETURN(report.rows, repository_->CountCertifiedProducts(day, province_code, group_by));
  for (const CertifiedReportRow& row : report.rows) report.total += row.products;
  return report;
}

absl::StatusOr<ProducersReport> Registry::ReportProducers(const Actor& actor, const std::string& as_of,
                                                          const std::string& requested_province,
                                                          bool include_uncertified) {
  OCOP_ASSIGN_OR_RETURN(std::string day, ReportDay(as_of));
  OCOP_ASSIGN_OR_RETURN(const std::string province_code,
                        auth::ScopedProvince(actor, "province_code", requested_province));
  OCOP_RETURN_IF_ERROR(ValidateProvinceFilter(province_code));
  ProducersReport report;
  report.as_of = day;
  OCOP_ASSIGN_OR_RETURN(report.rows, repository_->CountProducers(day, province_code, include_uncertified));
  for (const ProducerReportRow& row : report.rows) report.total += row.producers;
  return report;
}

absl::StatusOr<Page<ExpiringCertificate>> Registry::ListExpiringCertificates(const Actor& actor, const std::string& as_of,
                                                                             int within_days,
                                                                             const std::string& requested_province,
                                                                             const PageRequest& page) {
  OCOP_ASSIGN_OR_RETURN(std::string day, ReportDay(as_of));
  OCOP_ASSIGN_OR_RETURN(const std::string province_code,
                        auth::ScopedProvince(actor, "province_code", requested_province));
  OCOP_RETURN_IF_ERROR(ValidateProvinceFilter(province_code));
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
                        repository_->ListExpiring(day, last_day, province_code, offset, size + 1));
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

absl::StatusOr<ProvincePlan> Registry::SetPlan(const Actor& actor, ProvincePlan plan) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("plan.name", plan.name, "plans"));
  OCOP_RETURN_IF_ERROR(validate::DigitCode("plan.province_code", plan.province_code, 2));
  OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, plan.name, plan.province_code));
  OCOP_ASSIGN_OR_RETURN(UnitResolution units, repository_->ResolveUnits(kUnitsCurrent, plan.province_code, ""));
  if (!units.province_found) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan.province_code: ", plan.province_code, " is not a province in the ", kUnitsCurrent, " unit table"));
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
    OCOP_RETURN_IF_ERROR(registry_internal::Normalize(absl::StrCat(field, ".description"), &target.description));
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".description"), target.description, 500, false));
  }
  return repository_->SavePlan(plan, clock_());
}

absl::StatusOr<PlanProgress> Registry::GetPlanProgress(const Actor& actor, const std::string& name,
                                                       const std::string& as_of) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "plans"));
  OCOP_ASSIGN_OR_RETURN(std::string day, ReportDay(as_of));
  OCOP_ASSIGN_OR_RETURN(ProvincePlan plan, repository_->GetPlan(name));
  OCOP_RETURN_IF_ERROR(auth::ScopedProvince(actor, "name", plan.province_code).status());
  PlanProgress progress;
  progress.as_of = day;
  // Period counts stop at the report day.
  const std::string period_to = std::min(day, plan.period_end);

  OCOP_ASSIGN_OR_RETURN(std::vector<ProducerReportRow> producers,
                        repository_->CountProducers(day, plan.province_code, /*include_uncertified=*/false));
  ProducerReportRow all;
  for (const ProducerReportRow& row : producers) {
    all.producers += row.producers;
    all.women_led += row.women_led;
    all.ethnic_minority_led += row.ethnic_minority_led;
    all.modern_channels += row.modern_channels;
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
                              repository_->CountFirstRatedWithin(plan.province_code, 3, plan.period_start, period_to));
        item.value = static_cast<double>(count);
        break;
      }
      case PlanMetric::kNewFiveStarProducts: {
        OCOP_ASSIGN_OR_RETURN(int64_t count,
                              repository_->CountFirstRatedWithin(plan.province_code, 5, plan.period_start, period_to));
        item.value = static_cast<double>(count);
        break;
      }
      case PlanMetric::kCertifiedProducts: {
        OCOP_ASSIGN_OR_RETURN(std::vector<CertifiedReportRow> rows,
                              repository_->CountCertifiedProducts(day, plan.province_code, {}));
        item.value = rows.empty() ? 0 : static_cast<double>(rows[0].products);
        break;
      }
      case PlanMetric::kCooperativeProducerShare: item.numerator = kind_count(ProducerKind::kCooperative); break;
      case PlanMetric::kEnterpriseProducerShare: item.numerator = kind_count(ProducerKind::kEnterprise); break;
      case PlanMetric::kWomenLedProducerShare: item.numerator = all.women_led; break;
      case PlanMetric::kEthnicMinorityProducerShare: item.numerator = all.ethnic_minority_led; break;
      case PlanMetric::kModernChannelProducerShare: item.numerator = all.modern_channels; break;
      case PlanMetric::kUnspecified: break;
    }
    if (IsShare(target.metric)) {
      item.denominator = all.producers;
      item.value = all.producers == 0 ? 0 : 100.0 * static_cast<double>(item.numerator) / static_cast<double>(all.producers);
    }
    item.gap = std::max(0.0, target.target - item.value);
    item.met = item.value >= target.target;
    progress.targets.push_back(std::move(item));
  }
  progress.plan = std::move(plan);
  return progress;
}

}  // namespace ocop::registry
