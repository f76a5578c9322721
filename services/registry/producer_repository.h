// Storage of producers. The domain (producers.h) talks to this, so a PostgreSQL backend can
// replace the SQLite one without touching it.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/store/idempotency.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

class ProducerRepository {
 public:
  virtual ~ProducerRepository() = default;

  // Stores `producer` (name already assigned) and a change-feed entry in one transaction. When
  // `key` was used before for the same body, returns the producer created then instead;
  // ALREADY_EXISTS when it was used for another body.
  virtual absl::StatusOr<Producer> CreateProducer(const Producer& producer, const store::IdempotencyKey& key) = 0;
  // Replaces the stored producer when its generation is still `expected_generation` (ABORTED
  // otherwise) and records a change; ALREADY_EXISTS naming the field when the external id or tax
  // code belongs to another producer.
  virtual absl::StatusOr<Producer> UpdateProducer(const Producer& producer, int64_t expected_generation) = 0;
  // NOT_FOUND naming the producer when absent.
  virtual absl::StatusOr<Producer> GetProducer(const std::string& name) = 0;
  // Producers matching `filter` created after `after_position`, oldest first, at most `limit`.
  virtual absl::StatusOr<Page<Producer>> ListProducers(const ProducerFilter& filter, int64_t after_position,
                                                       int limit) = 0;
};

}  // namespace ocop::registry
