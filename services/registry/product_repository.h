// Storage of products, their append-only ratings and their status history.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/idempotency.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

// A change of a product's status, effective from a day.
struct StatusChange {
  ProductStatus status = ProductStatus::kActive;
  std::string effective_date;  // YYYY-MM-DD
  std::string recorded_by;
  absl::Time record_time;
};

class ProductRepository {
 public:
  virtual ~ProductRepository() = default;

  // Stores `product` (name assigned) with product.rating (if any) as its first rating and `status`
  // (if any) as its first status change, and a change-feed entry. Idempotent by `key` as
  // ProducerRepository::CreateProducer; NOT_FOUND naming product.producer when the producer does
  // not exist; ALREADY_EXISTS naming product.external_id when another product holds it.
  virtual absl::StatusOr<Product> CreateProduct(const Product& product, const std::optional<StatusChange>& status,
                                                const store::IdempotencyKey& key) = 0;
  // Replaces the stored product when its generation is still `expected_generation` (ABORTED
  // otherwise); also records `status` when the status changed.
  virtual absl::StatusOr<Product> UpdateProduct(const Product& product, int64_t expected_generation,
                                                const std::optional<StatusChange>& status) = 0;
  // With its current rating (state not filled); NOT_FOUND naming it.
  virtual absl::StatusOr<Product> GetProduct(const std::string& name) = 0;
  virtual absl::StatusOr<Page<Product>> ListProducts(const ProductFilter& filter, int64_t after_position,
                                                     int limit) = 0;

  // Appends `rating` to `product`'s ratings (its name assigned here), makes the latest decision
  // the product's current rating and records a product change; idempotent by `key`. NOT_FOUND
  // naming parent when the product does not exist.
  virtual absl::StatusOr<OcopRating> AddRating(const std::string& product, const OcopRating& rating,
                                               const store::IdempotencyKey& key) = 0;
  // `product`'s ratings in the order recorded; NOT_FOUND naming parent.
  virtual absl::StatusOr<Page<OcopRating>> ListRatings(const std::string& product, int64_t after_position,
                                                       int limit) = 0;
};

}  // namespace ocop::registry
