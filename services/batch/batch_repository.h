// Storage interface of the batch service (SQLite now; PostgreSQL later without touching the domain).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "common/store/idempotency.h"
#include "services/batch/batch_types.h"

namespace ocop::batch {

class BatchRepository {
 public:
  virtual ~BatchRepository() = default;

  // Stores `batch` and its change-feed entry in one transaction, once per idempotency key (see
  // store::CreateOnce). ALREADY_EXISTS naming batch.lot_code when the product already has the lot.
  virtual absl::StatusOr<Batch> CreateBatch(const Batch& batch, const store::IdempotencyKey& key) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<Batch> GetBatch(const std::string& name) = 0;
  virtual absl::StatusOr<Page<Batch>> ListBatches(const BatchFilter& filter, int64_t after_position,
                                                  int limit) = 0;

  // Appends `event` (sequence and name assigned here) to its batch, bumps the batch's generation
  // and writes the change-feed entry, in one transaction, once per idempotency key. NOT_FOUND
  // naming parent when the batch does not exist.
  virtual absl::StatusOr<BatchEvent> AppendEvent(const BatchEvent& event, const store::IdempotencyKey& key) = 0;
  // Events of `batch` with sequence > after_sequence, in order, at most `limit`.
  virtual absl::StatusOr<Page<BatchEvent>> ListEvents(const std::string& batch, int64_t after_sequence,
                                                      int limit) = 0;
};

}  // namespace ocop::batch
