// Whether a product may carry the OCOP mark on a given day, and with how many stars.
//
// One rule for everything the public sees (the scan page, its JSON twin, printed labels): only a
// product recognised at 3 stars or more, whose certificate is in force that day (decision date
// reached, last valid day not passed) and whose registry status is active, is OCOP-certified.
// Anything else carries no stars, whatever its latest rating says.
#pragma once

#include "absl/time/civil_time.h"
#include "ocop/registry/v1/registry.pb.h"

namespace ocop::ocop_mark {

enum class MarkState {
  // May carry the OCOP mark and its stars.
  kCertified,
  // Recognised at 3 stars or more, but the certificate's validity has ended.
  kExpired,
  // Never rated, rated below 3 stars, or a rating without a usable certificate.
  kNotCertified,
  // The product is suspended from the programme (e.g. under review).
  kSuspended,
  // The product has left the programme (no longer made or sold).
  kWithdrawn,
};

struct Mark {
  MarkState state = MarkState::kNotCertified;
  // 3 to 5 when certified; 0 otherwise.
  int stars = 0;
};

// The mark of `product` on `day` (a day in Vietnam, UTC+7), from its current rating and status.
Mark MarkOn(const registry::v1::Product& product, absl::CivilDay day);

// A product group's name as the programme's documents write it, and in English; both empty for
// an unspecified group.
struct GroupLabel {
  const char* vietnamese;
  const char* english;
};
GroupLabel LabelOf(registry::v1::ProductGroup group);

}  // namespace ocop::ocop_mark
