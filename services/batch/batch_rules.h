// Input rules shared by the batch domain's files (lots and areas; events). Each returns
// INVALID_ARGUMENT naming the field.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/batch/batch_types.h"

namespace ocop::batch::rules {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;
// Vietnam has one time zone and no daylight saving.
inline constexpr int kVietnamOffsetSeconds = 7 * 3600;

// A code printed or registered: letters, digits, '-', '_', '.' and '/', at most 64.
absl::Status Code(absl::string_view field, absl::string_view value);
absl::Status Geo(absl::string_view field, const GeoPoint& point);
absl::Status EventLocation(absl::string_view field, const Location& location);
// "growingAreas/{id}/seasons/{id}".
absl::Status SeasonName(absl::string_view field, absl::string_view value);
// A lot or a season.
absl::Status ChainName(absl::string_view field, absl::string_view value);
// Today's date in Vietnam.
std::string VietnamToday(absl::Time now);
// "+07:00" style.
bool IsZoneOffset(absl::string_view offset);

// A farm step after which the harvest must wait: a pesticide's pre-harvest interval (thời gian
// cách ly), a veterinary drug's or vaccine's withdrawal period (thời gian ngừng sử dụng thuốc)
// before animals are slaughtered, milk or honey is taken or fish are caught. The event names what
// was applied in `details[product_key]` and the days in `details[days_key]`.
struct WaitingPeriodStep {
  absl::string_view step;         // "ocop:spraying"
  absl::string_view product_key;  // "pesticide"
  absl::string_view days_key;     // "pre_harvest_interval_days"
  absl::string_view step_words;   // "spraying": "required for spraying"
  absl::string_view period;       // "pre-harvest interval"
  absl::string_view vietnamese;   // "thời gian cách ly"
  absl::string_view applied;      // "sprayed": "Abamectin sprayed on 2026-03-01"
};
inline constexpr int kMaxWaitingDays = 365;

// The waiting period that `step` starts, or nullptr.
const WaitingPeriodStep* WaitingPeriodOf(absl::string_view step);

// INVALID_ARGUMENT unless `details` name what was applied (at most 200 characters) and its
// waiting period in whole days from 0 to 365.
absl::Status WaitingPeriodDetails(const WaitingPeriodStep& rule,
                                  const std::vector<std::pair<std::string, std::string>>& details);

}  // namespace ocop::batch::rules
