#include "services/registry/ratings.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/text/vietnamese.h"
#include "common/validate/validate.h"

namespace ocop::registry {
namespace {

const char* LevelName(CouncilLevel level) {
  switch (level) {
    case CouncilLevel::kDistrict: return "a district council";
    case CouncilLevel::kProvince: return "a province council";
    case CouncilLevel::kCentral: return "the central council";
    case CouncilLevel::kUnspecified: break;
  }
  return "an unspecified council";
}

std::string DayText(absl::CivilDay day) { return absl::FormatCivilTime(day); }

bool ParseDay(const std::string& text, absl::CivilDay* day) { return absl::ParseCivilTime(text, day); }

}  // namespace

int StarsForScore(int score) {
  if (score >= 90) return 5;
  if (score >= 70) return 4;
  if (score >= 50) return 3;
  if (score >= 30) return 2;
  return 1;
}

absl::CivilDay DefaultValidUntil(absl::CivilDay decision_date) {
  const absl::CivilMonth month = absl::CivilMonth(decision_date) + kCertificateValidityMonths;
  const absl::CivilDay last_of_month = absl::CivilDay(month + 1) - 1;
  absl::CivilDay same_day(month.year(), month.month(), decision_date.day());
  if (same_day > last_of_month) same_day = last_of_month;  // 31 Jan + 36 months -> 28/29 Feb
  return same_day - 1;
}

RatingState RatingStateOn(const OcopRating& rating, absl::CivilDay day) {
  if (rating.stars < 3) return RatingState::kNotCertified;
  absl::CivilDay last_day;
  if (!ParseDay(rating.valid_until, &last_day) || day > last_day) return RatingState::kExpired;
  return RatingState::kCertified;
}

absl::CivilDay VietnamDay(absl::Time time) {
  static const absl::TimeZone* vietnam = new absl::TimeZone(absl::FixedTimeZone(7 * 60 * 60));
  return absl::ToCivilDay(time, *vietnam);
}

bool GroupInForceOn(ProductGroup group, absl::CivilDay day) {
  switch (group) {
    case ProductGroup::kFood:
    case ProductGroup::kBeverages:
    case ProductGroup::kHerbs:
      return true;
    case ProductGroup::kHandicrafts:
    case ProductGroup::kOrnamental:
    case ProductGroup::kTourism:
      return day >= kGroups2023EffectiveDate;
    case ProductGroup::kLegacy2019Textiles:
    case ProductGroup::kLegacy2019Souvenirs:
    case ProductGroup::kLegacy2019RuralTourism:
      return day < kGroups2023EffectiveDate;
    case ProductGroup::kUnspecified:
      break;
  }
  return false;
}

absl::StatusOr<CouncilRules> CouncilRules::Create(std::vector<CouncilRule> rules) {
  if (rules.empty()) return absl::InvalidArgumentError("council rules: the rule set is empty");
  for (size_t i = 0; i < rules.size(); ++i) {
    const CouncilRule& rule = rules[i];
    const std::string where = absl::StrCat("council rules: rule ", i + 1);
    if (rule.level == CouncilLevel::kUnspecified || static_cast<int>(rule.level) > kMaxCouncilLevel) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": level must be district, province or central"));
    }
    if (rule.min_stars < 1 || rule.max_stars > 5 || rule.min_stars > rule.max_stars) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": stars must satisfy 1 <= min_stars <= max_stars <= 5"));
    }
    absl::CivilDay day;
    if ((!rule.valid_from.empty() && !ParseDay(rule.valid_from, &day)) ||
        (!rule.valid_until.empty() && !ParseDay(rule.valid_until, &day))) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": dates must be YYYY-MM-DD"));
    }
  }
  return CouncilRules(std::move(rules));
}

absl::Status CouncilRules::Check(const std::string& field, CouncilLevel level, int stars,
                                 absl::CivilDay decision_date) const {
  const std::string date = DayText(decision_date);
  for (const CouncilRule& rule : rules_) {
    if (rule.level != level || stars < rule.min_stars || stars > rule.max_stars) continue;
    if (!rule.valid_from.empty() && date < rule.valid_from) continue;
    if (!rule.valid_until.empty() && date > rule.valid_until) continue;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", LevelName(level), " may not award ", stars,
                                                 stars == 1 ? " star" : " stars", " on ", date,
                                                 " under the council rule set"));
}

int CouncilRules::MaxStars(CouncilLevel level, absl::CivilDay day) const {
  const std::string date = DayText(day);
  int most = 0;
  for (const CouncilRule& rule : rules_) {
    if (rule.level != level) continue;
    if (!rule.valid_from.empty() && date < rule.valid_from) continue;
    if (!rule.valid_until.empty() && date > rule.valid_until) continue;
    most = std::max(most, rule.max_stars);
  }
  return most;
}

absl::Status PrepareRating(const std::string& prefix, OcopRating& rating, ProductGroup product_group,
                           const CouncilRules& rules, absl::CivilDay today) {
  if (rating.score < 0 || rating.score > 100) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, ".score: must be between 0 and 100"));
  }
  if (rating.council_level == CouncilLevel::kUnspecified) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, ".council_level: must be set"));
  }
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay decided, validate::Date(absl::StrCat(prefix, ".decision_date"), rating.decision_date));
  const int band = StarsForScore(rating.score);
  const bool capped = rating.stars != 0 && rating.stars < band &&
                      rating.stars == rules.MaxStars(rating.council_level, decided);
  if (rating.stars != 0 && rating.stars != band && !capped) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, ".stars: a score of ", rating.score, " gives ", band,
                                                   " stars, not ", rating.stars));
  }
  const int stars = rating.stars != 0 ? rating.stars : band;
  rating.stars = stars;
  if (decided > today) {
    return absl::InvalidArgumentError(absl::StrCat(prefix, ".decision_date: ", rating.decision_date,
                                                   " is in the future (today is ", DayText(today), ")"));
  }
  OCOP_RETURN_IF_ERROR(rules.Check(absl::StrCat(prefix, ".council_level"), rating.council_level, stars, decided));
  for (auto [field, value] : {std::pair{"certificate_number", &rating.certificate_number},
                              std::pair{"decision_number", &rating.decision_number}, std::pair{"note", &rating.note}}) {
    const std::string name = absl::StrCat(prefix, ".", field);
    OCOP_ASSIGN_OR_RETURN(*value, text::NormalizeNfc(name, *value));
    const bool required = stars >= 3 && std::string_view(field) != "note";
    OCOP_RETURN_IF_ERROR(validate::Text(name, *value, std::string_view(field) == "note" ? 1000 : 100, required));
  }
  if (rating.valid_until.empty()) {
    rating.valid_until = DayText(DefaultValidUntil(decided));
  } else {
    OCOP_ASSIGN_OR_RETURN(absl::CivilDay until, validate::Date(absl::StrCat(prefix, ".valid_until"), rating.valid_until));
    if (until < decided) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, ".valid_until: ", rating.valid_until,
                                                     " is before the decision date ", rating.decision_date));
    }
  }
  if (rating.product_group == ProductGroup::kUnspecified) rating.product_group = product_group;
  if (!GroupInForceOn(rating.product_group, decided)) {
    return absl::InvalidArgumentError(absl::StrCat(
        prefix, ".product_group: that group was not in force on ", rating.decision_date,
        decided < kGroups2023EffectiveDate ? " (before Decision 148/QĐ-TTg; give the 2019 group it was rated under)"
                                           : " (the 2019 groups ended with Decision 148/QĐ-TTg on 2023-02-24)"));
  }
  return absl::OkStatus();
}

}  // namespace ocop::registry
