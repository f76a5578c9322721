// Bulk import: rows as read from the office's CSV files, and what came of them.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "services/registry/registry_types.h"

namespace ocop::registry {

struct ImportProducerRow {
  int line = 0;  // in the producers file
  Producer producer;
  // False when the file has no workforce (value chain) columns: a stored producer keeps its own,
  // so an office's older spreadsheet does not erase what was recorded since.
  bool has_workforce = true;
  bool has_value_chain = true;
};

// A product row may carry a rating; several rows with the same product external id add several
// ratings and must agree on the product's own fields.
struct ImportProductRow {
  int line = 0;  // in the products file
  Product product;
  std::string producer_external_id;
};

// How rows apply to stored records.
struct ImportOptions {
  bool validate_only = false;
  // The fields the files have columns for (update-mask paths); a stored record keeps the others.
  // Unset: every field is replaced (a producer row's unset workforce and value chain still keep
  // the stored ones).
  std::optional<std::set<std::string>> producer_fields;
  std::optional<std::set<std::string>> product_fields;
};

struct ImportError {
  std::string file;  // "producers" or "products"
  int line = 0;
  std::string message;  // "field: reason"
};

struct ImportResult {
  bool applied = false;
  int producers_created = 0;
  int producers_updated = 0;
  int producers_unchanged = 0;
  int products_created = 0;
  int products_updated = 0;
  int products_unchanged = 0;
  int ratings_added = 0;
  int ratings_unchanged = 0;
  std::vector<ImportError> errors;
};

}  // namespace ocop::registry
