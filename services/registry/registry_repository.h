// Storage interface of the registry: the domain talks to this, so a PostgreSQL backend can replace
// the SQLite one without touching the domain.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/store/idempotency.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

class RegistryRepository {
 public:
  virtual ~RegistryRepository() = default;

  // Stores `producer` (name already assigned) and a change-feed entry in one transaction. When
  // `key` was used before for the same body, returns the producer created then instead;
  // ALREADY_EXISTS when it was used for another body.
  virtual absl::StatusOr<Producer> CreateProducer(const Producer& producer,
                                                  const store::IdempotencyKey& key) = 0;
  // NOT_FOUND naming the producer when absent.
  virtual absl::StatusOr<Producer> GetProducer(const std::string& name) = 0;
  // Producers matching `filter` created after `after_position`, oldest first, at most `limit`.
  virtual absl::StatusOr<Page<Producer>> ListProducers(const ProducerFilter& filter,
                                                       int64_t after_position, int limit) = 0;

  // As CreateProducer; NOT_FOUND naming product.producer when the producer does not exist.
  virtual absl::StatusOr<Product> CreateProduct(const Product& product,
                                                const store::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<Product> GetProduct(const std::string& name) = 0;
  virtual absl::StatusOr<Page<Product>> ListProducts(const ProductFilter& filter,
                                                     int64_t after_position, int limit) = 0;
};

}  // namespace ocop::registry
