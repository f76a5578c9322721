// OCOP rating rules: score bands, certificate validity, what a rating means on a day, and the
// council rule set (which level may award which stars, as configuration).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

// Stars for a council score by the official bands: under 30: 1; 30-49: 2; 50-69: 3; 70-89: 4;
// 90-100: 5.
int StarsForScore(int score);

// Months a certificate is valid from its decision date.
inline constexpr int kCertificateValidityMonths = 36;

// The last valid day of a certificate decided on `decision_date`: the same day 36 months later
// (the month's last day when it is shorter), less one day.
absl::CivilDay DefaultValidUntil(absl::CivilDay decision_date);

// What `rating` means on `day`: certified (3+ stars, valid that day), expired or not certified.
RatingState RatingStateOn(const OcopRating& rating, absl::CivilDay day);

// The day it is in Vietnam (UTC+7) at `time`: certificates end at midnight local time.
absl::CivilDay VietnamDay(absl::Time time);

// Decision 148/QĐ-TTg (24 February 2023) replaced the 2019 product groups.
inline constexpr absl::CivilDay kGroups2023EffectiveDate{2023, 2, 24};

// Whether a rating decided on `day` can carry `group`: the 2023 groups from 2023-02-24, the 2019
// groups before it (food, beverages and herbs exist in both).
bool GroupInForceOn(ProductGroup group, absl::CivilDay day);

// The council rule set.
class CouncilRules {
 public:
  // INVALID_ARGUMENT naming the rule for a level, star range or date that makes no sense.
  static absl::StatusOr<CouncilRules> Create(std::vector<CouncilRule> rules);

  // OK when some rule lets `level` award `stars` on `decision_date`; INVALID_ARGUMENT naming
  // `field` otherwise.
  absl::Status Check(const std::string& field, CouncilLevel level, int stars, absl::CivilDay decision_date) const;

  // The most stars `level` may award on `day` (0: none).
  int MaxStars(CouncilLevel level, absl::CivilDay day) const;

  const std::vector<CouncilRule>& rules() const { return rules_; }

 private:
  explicit CouncilRules(std::vector<CouncilRule> rules) : rules_(std::move(rules)) {}
  std::vector<CouncilRule> rules_;
};

// Checks a rating about to be recorded for a product of `product_group` and fills its defaults
// (stars from the score, valid_until, product_group). Stars given below the score's band are
// accepted only when they are the most the council level may award (a province council scoring
// 92 awards 4 stars and proposes the product to the central council). Fields are named with `prefix` (e.g.
// "rating" or "product.rating"). `today` bounds the decision date.
absl::Status PrepareRating(const std::string& prefix, OcopRating& rating, ProductGroup product_group,
                           const CouncilRules& rules, absl::CivilDay today);

}  // namespace ocop::registry
