#include "services/registry/sales_points.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/auth/ownership.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"
#include "services/registry/ratings.h"
#include "services/registry/registry_internal.h"

namespace ocop::registry {
namespace {

// A day of the sales point's history: a date, not after today.
absl::Status PastDay(const std::string& field, const std::string& value, bool required, const std::string& today) {
  if (value.empty() && !required) return absl::OkStatus();
  OCOP_RETURN_IF_ERROR(validate::Date(field, value).status());
  if (value > today) return absl::InvalidArgumentError(absl::StrCat(field, ": ", value, " is in the future"));
  return absl::OkStatus();
}

absl::Status ValidateSalesPoint(SalesPoint& point, const std::string& today) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("sales_point.name", point.name, "salesPoints"));
  OCOP_RETURN_IF_ERROR(registry_internal::Normalize("sales_point.display_name", &point.display_name));
  OCOP_RETURN_IF_ERROR(validate::Text("sales_point.display_name", point.display_name, 300, true));
  if (point.kind == SalesPointKind::kUnspecified || static_cast<int>(point.kind) > kMaxSalesPointKind) {
    return absl::InvalidArgumentError("sales_point.kind: must be center, showroom or counter");
  }
  if (point.tier == SalesPointTier::kUnspecified || static_cast<int>(point.tier) > kMaxSalesPointTier) {
    return absl::InvalidArgumentError("sales_point.tier: must be province, local or private");
  }
  OCOP_RETURN_IF_ERROR(registry_internal::ValidateAddress(point.address, "sales_point.address"));
  OCOP_RETURN_IF_ERROR(registry_internal::Normalize("sales_point.operator_name", &point.operator_name));
  OCOP_RETURN_IF_ERROR(validate::Text("sales_point.operator_name", point.operator_name, 300, true));
  if (!point.producer.empty()) {
    OCOP_RETURN_IF_ERROR(validate::ResourceName("sales_point.producer", point.producer, "producers"));
  }
  OCOP_RETURN_IF_ERROR(PastDay("sales_point.opened_date", point.opened_date, true, today));
  OCOP_RETURN_IF_ERROR(PastDay("sales_point.closed_date", point.closed_date, false, today));
  if (!point.closed_date.empty() && point.closed_date < point.opened_date) {
    return absl::InvalidArgumentError("sales_point.closed_date: is before sales_point.opened_date");
  }
  if (point.upgrade_dates.size() > kMaxUpgradeDates) {
    return absl::InvalidArgumentError(absl::StrCat("sales_point.upgrade_dates: at most ", kMaxUpgradeDates));
  }
  for (size_t i = 0; i < point.upgrade_dates.size(); ++i) {
    const std::string field = absl::StrCat("sales_point.upgrade_dates[", i, "]");
    const std::string& day = point.upgrade_dates[i];
    OCOP_RETURN_IF_ERROR(PastDay(field, day, true, today));
    if (day <= point.opened_date) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": ", day, " is not after the opening (", point.opened_date, ")"));
    }
    if (!point.closed_date.empty() && day > point.closed_date) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": ", day, " is after the closing (", point.closed_date, ")"));
    }
  }
  // The same day given twice is one upgrade; order does not matter to the caller.
  std::sort(point.upgrade_dates.begin(), point.upgrade_dates.end());
  point.upgrade_dates.erase(std::unique(point.upgrade_dates.begin(), point.upgrade_dates.end()),
                            point.upgrade_dates.end());
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SalesPoint> SalesPoints::SetSalesPoint(const Actor& actor, SalesPoint point) {
  OCOP_RETURN_IF_ERROR(ValidateSalesPoint(point, absl::FormatCivilTime(VietnamDay(clock_()))));
  OCOP_RETURN_IF_ERROR(registry_internal::ResolveAddress(*units_, point.address, "sales_point.address"));
  OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, point.name, point.address.TodaysProvinceCode()));
  absl::StatusOr<SalesPoint> stored = repository_->GetSalesPoint(point.name);
  if (stored.ok()) {
    // An office may not take over (or overwrite) another province's sales point.
    OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, point.name, stored->address.TodaysProvinceCode()));
    if (stored->SameContent(point)) return *stored;
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  }
  if (!point.producer.empty()) {
    absl::StatusOr<Producer> producer = producers_->GetProducer(point.producer);
    if (absl::IsNotFound(producer.status())) {
      return absl::NotFoundError(absl::StrCat("sales_point.producer: ", point.producer, " not found"));
    }
    OCOP_RETURN_IF_ERROR(producer.status());
  }
  point.update_time = clock_();
  return repository_->SaveSalesPoint(point);
}

absl::StatusOr<SalesPoint> SalesPoints::GetSalesPoint(const Actor&, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "salesPoints"));
  return repository_->GetSalesPoint(name);
}

absl::StatusOr<Page<SalesPoint>> SalesPoints::ListSalesPoints(const Actor&, const SalesPointFilter& filter,
                                                              const PageRequest& page) {
  if (!filter.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("province_code", filter.province_code, 2));
  }
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, registry_internal::kDefaultPageSize,
                                                     registry_internal::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t offset, grpcutil::DecodePageToken(page.page_token));
  return repository_->ListSalesPoints(filter, offset, size);
}

}  // namespace ocop::registry
