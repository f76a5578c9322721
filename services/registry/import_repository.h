// Storage side of the bulk import: lookups by the office's references, then one transaction for
// everything.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "services/registry/product_repository.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

// What a bulk import writes, all in one transaction.
struct ImportBatch {
  struct NewProduct {
    Product product;  // product.rating: its first rating, if any
    std::optional<StatusChange> status;
  };
  struct ChangedProduct {
    Product product;
    int64_t expected_generation = 0;
    std::optional<StatusChange> status;
  };
  std::vector<Producer> new_producers;
  std::vector<std::pair<Producer, int64_t>> changed_producers;  // with the generation read
  std::vector<NewProduct> new_products;
  std::vector<ChangedProduct> changed_products;
  std::vector<std::pair<std::string, OcopRating>> new_ratings;  // product name, rating
};

// What an import finds already stored, by external id.
struct ImportLookup {
  std::map<std::string, Producer> producers;
  std::map<std::string, Product> products;
  std::map<std::string, std::vector<OcopRating>> ratings;  // by product external id
};

class ImportRepository {
 public:
  virtual ~ImportRepository() = default;

  // The stored producers and products with these external ids (absent ones are left out), and
  // the ratings of those products, read in one snapshot.
  virtual absl::StatusOr<ImportLookup> LookUpForImport(const std::vector<std::string>& producer_external_ids,
                                                       const std::vector<std::string>& product_external_ids) = 0;
  // Writes all of `batch` or nothing (ABORTED when a record changed since it was read).
  virtual absl::Status ApplyImport(const ImportBatch& batch) = 0;
};

}  // namespace ocop::registry
