// Helpers shared by the files that implement SqliteRegistryRepository.
#pragma once

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/store/database.h"
#include "services/registry/registry_types.h"

namespace ocop::registry::sqlite_internal {

// FTS5 query for folded words, each a quoted prefix: "dac san" -> "dac"* "san"* (all must appear).
// Folded text holds only letters, digits and single spaces, so quoting needs no escaping.
inline std::string PrefixMatch(absl::string_view folded_query) {
  std::string match;
  for (absl::string_view word : absl::StrSplit(folded_query, ' ', absl::SkipEmpty())) {
    absl::StrAppend(&match, match.empty() ? "" : " ", "\"", word, "\"*");
  }
  return match;
}

// "?, ?, ..., ?" with `count` placeholders.
inline std::string Placeholders(int count) {
  std::string placeholders;
  for (int i = 0; i < count; ++i) placeholders += i == 0 ? "?" : ", ?";
  return placeholders;
}

// "a = ?, b = ?" for a comma-separated column list.
inline std::string Assignments(absl::string_view columns) {
  std::string assignments;
  for (absl::string_view column : absl::StrSplit(columns, ", ")) {
    absl::StrAppend(&assignments, assignments.empty() ? "" : ", ", column, " = ?");
  }
  return assignments;
}

// The product `name` with its current rating and lists; NOT_FOUND naming it.
absl::StatusOr<Product> SelectProduct(store::Connection& connection, const std::string& name);
// The rating stored at `position`.
absl::StatusOr<OcopRating> SelectRatingAt(store::Connection& connection, int64_t position);

// Gives products stored before search existed their folded text (folding needs ICU, not SQL).
absl::Status BackfillProductSearch(store::Connection& connection);

}  // namespace ocop::registry::sqlite_internal
