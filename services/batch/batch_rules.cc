#include "services/batch/batch_rules.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"

namespace ocop::batch::rules {

absl::Status Code(absl::string_view field, absl::string_view value) {
  OCOP_RETURN_IF_ERROR(validate::Text(field, value, 64, true));
  for (char c : value) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != '/') {
      return absl::InvalidArgumentError(absl::StrCat(field, ": only letters, digits, '-', '_', '.' and '/'"));
    }
  }
  return absl::OkStatus();
}

absl::Status Geo(absl::string_view field, const GeoPoint& point) {
  if (!(point.latitude >= -90 && point.latitude <= 90) || !(point.longitude >= -180 && point.longitude <= 180)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": latitude must be in [-90, 90], longitude in [-180, 180]"));
  }
  return absl::OkStatus();
}

absl::Status EventLocation(absl::string_view field, const Location& location) {
  OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".display_name"), location.display_name, 200, false));
  if (!location.commune_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode(absl::StrCat(field, ".commune_code"), location.commune_code, 5));
  }
  if (!location.gln.empty()) OCOP_RETURN_IF_ERROR(validate::DigitCode(absl::StrCat(field, ".gln"), location.gln, 13));
  if (location.geo.has_value()) OCOP_RETURN_IF_ERROR(Geo(absl::StrCat(field, ".geo"), *location.geo));
  return absl::OkStatus();
}

absl::Status SeasonName(absl::string_view field, absl::string_view value) {
  std::vector<absl::string_view> parts = absl::StrSplit(value, '/');
  if (parts.size() == 4 && parts[2] == "seasons" &&
      validate::ResourceName(field, absl::StrCat(parts[0], "/", parts[1]), "growingAreas").ok() &&
      validate::ResourceName(field, absl::StrCat(parts[2], "/", parts[3]), "seasons").ok()) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": must look like growingAreas/{id}/seasons/{id}"));
}

absl::Status ChainName(absl::string_view field, absl::string_view value) {
  if (absl::StartsWith(value, "growingAreas/")) return SeasonName(field, value);
  if (validate::ResourceName(field, value, "batches").ok()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": must be a lot (batches/{id}) or a season (growingAreas/{id}/seasons/{id})"));
}

std::string VietnamToday(absl::Time now) {
  return absl::FormatCivilTime(absl::ToCivilDay(now, absl::FixedTimeZone(kVietnamOffsetSeconds)));
}

bool IsZoneOffset(absl::string_view offset) {
  return offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') && absl::ascii_isdigit(offset[1]) &&
         absl::ascii_isdigit(offset[2]) && offset[3] == ':' && absl::ascii_isdigit(offset[4]) &&
         absl::ascii_isdigit(offset[5]) && offset.substr(1, 2) <= "14" && offset.substr(4, 2) < "60";
}

namespace {

constexpr WaitingPeriodStep kWaitingPeriodSteps[] = {
    {"ocop:spraying", "pesticide", "pre_harvest_interval_days", "spraying", "pre-harvest interval",
     "thời gian cách ly", "sprayed"},
    {"ocop:treating", "veterinary_drug", "withdrawal_period_days", "a veterinary treatment", "withdrawal period",
     "thời gian ngừng sử dụng thuốc", "given"},
    // A vaccine is a veterinary drug in Vietnam's Law on Veterinary Medicine (2015), and some carry
    // a withdrawal period too.
    {"ocop:vaccinating", "veterinary_drug", "withdrawal_period_days", "a vaccination", "withdrawal period",
     "thời gian ngừng sử dụng thuốc", "given"},
};

}  // namespace

const WaitingPeriodStep* WaitingPeriodOf(absl::string_view step) {
  for (const WaitingPeriodStep& rule : kWaitingPeriodSteps) {
    if (rule.step == step) return &rule;
  }
  return nullptr;
}

absl::Status WaitingPeriodDetails(const WaitingPeriodStep& rule,
                                  const std::vector<std::pair<std::string, std::string>>& details) {
  std::string product;
  std::string days_text;
  for (const auto& [key, value] : details) {
    if (key == rule.product_key) product = value;
    if (key == rule.days_key) days_text = value;
  }
  OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat("event.details[", rule.product_key, "]"), product, 200, true));
  int days = -1;
  if (!absl::SimpleAtoi(days_text, &days) || days < 0 || days > kMaxWaitingDays) {
    return absl::InvalidArgumentError(absl::StrCat("event.details[", rule.days_key, "]: required for ",
                                                   rule.step_words, ", whole days from 0 to ", kMaxWaitingDays,
                                                   " (", rule.vietnamese, ")"));
  }
  return absl::OkStatus();
}

}  // namespace ocop::batch::rules
