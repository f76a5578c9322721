// Input rules shared by the batch domain's files (lots and areas; events). Each returns
// INVALID_ARGUMENT naming the field.
#pragma once

#include <string>

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

}  // namespace ocop::batch::rules
