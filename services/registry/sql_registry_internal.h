// Helpers shared by the files that implement the registry's SQL repositories (sql_registry_store.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/store/database.h"
#include "services/registry/admin_units.h"
#include "services/registry/product_repository.h"
#include "services/registry/report_types.h"
#include "services/registry/registry_types.h"

namespace ocop::registry::sql_internal {

// The search words as the engine's full-text query, each a prefix that must appear: "dac san"
// becomes `"dac"* "san"*` for SQLite's FTS5 and `dac:* & san:*` for PostgreSQL's tsquery. Folded
// text holds only letters, digits and single spaces, so neither needs escaping.
inline std::string PrefixMatch(store::Dialect dialect, absl::string_view folded_query) {
  std::string match;
  for (absl::string_view word : absl::StrSplit(folded_query, ' ', absl::SkipEmpty())) {
    if (dialect == store::Dialect::kSqlite) {
      absl::StrAppend(&match, match.empty() ? "" : " ", "\"", word, "\"*");
    } else {
      absl::StrAppend(&match, match.empty() ? "" : " & ", word, ":*");
    }
  }
  return match;
}

// The condition that the row of `table` (producers or products, as `alias`) matches the
// PrefixMatch bound at ?`parameter`: its FTS5 index (`table`_search) on SQLite, a GIN index over
// to_tsvector('simple', search_folded) on PostgreSQL.
inline std::string SearchCondition(store::Dialect dialect, absl::string_view table, absl::string_view alias,
                                   int parameter) {
  if (dialect == store::Dialect::kSqlite) {
    return absl::StrCat(alias, ".position IN (SELECT rowid FROM ", table, "_search WHERE ", table, "_search MATCH ?",
                        parameter, ")");
  }
  return absl::StrCat("to_tsvector('simple', ", alias, ".search_folded) @@ to_tsquery('simple', ?", parameter, ")");
}

// The condition that producer `alias` lies within a UnitScope bound by BindScope at ?`first` to
// ?`first`+3.
inline std::string ScopeCondition(absl::string_view alias, int first) {
  const std::string version = absl::StrCat("?", first), province = absl::StrCat("?", first + 1),
                    district = absl::StrCat("?", first + 2), commune = absl::StrCat("?", first + 3);
  return absl::StrCat(
      "((", version, " = '", kUnitsBefore2025Merger, "' AND ", alias, ".former_province_code = ", province,
      " AND (", district, " = '' OR ", alias, ".former_district_code = ", district, ") AND (", commune, " = '' OR ",
      alias, ".former_commune_code = ", commune, ")) OR (", version, " != '", kUnitsBefore2025Merger, "' AND (",
      province, " = '' OR ", alias, ".current_province_code = ", province, ") AND (", commune, " = '' OR ", alias,
      ".current_commune_code = ", commune, ")))");
}
inline void BindScope(store::Statement& statement, int first, const UnitScope& scope) {
  statement.Bind(first, scope.units_version.empty() ? std::string(kUnitsCurrent) : scope.units_version)
      .Bind(first + 1, scope.province_code)
      .Bind(first + 2, scope.district_code)
      .Bind(first + 3, scope.commune_code);
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

// Row writers shared by the single-record methods and the bulk import (one transaction each).
// Each checks uniqueness, writes the record and its change-feed entry; updates are ABORTED when
// the stored generation is not `expected_generation`.
absl::Status InsertProducerRow(store::Connection& connection, const Producer& producer);
absl::Status UpdateProducerRow(store::Connection& connection, const Producer& producer, int64_t expected_generation);
absl::StatusOr<std::optional<Producer>> FindProducerByExternalId(store::Connection& connection,
                                                                 const std::string& external_id);
// Inserts the product with its lists, its first rating (product.rating) and first status change.
absl::Status InsertProductRow(store::Connection& connection, const Product& product,
                              const std::optional<StatusChange>& status);
absl::Status UpdateProductRow(store::Connection& connection, const Product& product, int64_t expected_generation,
                              const std::optional<StatusChange>& status);
// Appends a rating, updates the current one, bumps the product's generation and records the change.
absl::StatusOr<std::string> AppendRatingRow(store::Connection& connection, const std::string& product,
                                            const OcopRating& rating);
absl::StatusOr<std::optional<Product>> FindProductByExternalId(store::Connection& connection,
                                                               const std::string& external_id);
absl::StatusOr<std::vector<OcopRating>> RatingsOf(store::Connection& connection, const std::string& product);

// Recomputes the former (pre-merger) units of row `name` of `table` ("producers" or
// "sales_points"), or of all its rows when empty (after the unit tables changed).
absl::Status RefreshFormerUnits(store::Connection& connection, absl::string_view table, const std::string& name);
// Give producers and products stored before search existed their folded text (folding needs ICU,
// not SQL).
absl::Status BackfillProducerSearch(store::Connection& connection);
absl::Status BackfillProductSearch(store::Connection& connection);

}  // namespace ocop::registry::sql_internal
