// Storage interface of the batch service (SQLite or PostgreSQL behind it; sql_batch_repository.h).
// Every write commits its change-feed entries in the same transaction, and every append to a chain
// stores the event's chain hash and moves the chain's head with it. Lots and seasons read back
// carry a checkpoint of their chain's head signed at that moment (the moment it is published).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/idempotency.h"
#include "services/batch/batch_types.h"

namespace ocop::batch {

// New lots and events written together, e.g. a split (children + the event on the parent) or a
// harvest (the lot + its first event).
struct LotChange {
  // Inserted with their `parents` links; status open.
  std::vector<Batch> new_lots;
  // Appended in order to their chains (event.batch); sequence, name and chain hash are set here.
  std::vector<BatchEvent> events;
  // Must be open now; closed by the change (FAILED_PRECONDITION naming the lot otherwise).
  std::vector<std::string> close;
  // Remembered under the idempotency key and returned: the lot or event that names the change.
  std::string result_name;
};

struct Recall {
  std::string lot;
  std::string reason;
  absl::Time time;
  // The event appended to the lot and each descendant (batch is set per lot).
  BatchEvent event;
};

class BatchRepository {
 public:
  virtual ~BatchRepository() = default;

  // ALREADY_EXISTS naming growing_area.code for a duplicate code. Once per idempotency key.
  virtual absl::StatusOr<GrowingArea> CreateGrowingArea(const GrowingArea& area, const store::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<GrowingArea> GetGrowingArea(const std::string& name) = 0;
  virtual absl::StatusOr<Page<GrowingArea>> ListGrowingAreas(const GrowingAreaFilter& filter, int64_t after_position,
                                                            int limit) = 0;
  // NOT_FOUND naming parent when the area does not exist; ALREADY_EXISTS naming season.label.
  virtual absl::StatusOr<Season> CreateSeason(const Season& season, const store::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<Season> GetSeason(const std::string& name) = 0;
  virtual absl::StatusOr<Page<Season>> ListSeasons(const std::string& area, int64_t after_position, int limit) = 0;

  // Applies `change` in one transaction, once per idempotency key; returns its result_name (the
  // earlier one on a retry). A new lot's lot code must be new for its product (ALREADY_EXISTS
  // naming batch.lot_code).
  virtual absl::StatusOr<std::string> ApplyLotChange(const LotChange& change, const store::IdempotencyKey& key) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<Batch> GetBatch(const std::string& name) = 0;
  virtual absl::StatusOr<Page<Batch>> ListBatches(const BatchFilter& filter, int64_t after_position,
                                                  int limit) = 0;

  // Appends `event` (sequence, name and chain hash assigned here) to its chain (a lot or a
  // season), bumps the generation of every lot whose trace shows the chain and writes their
  // change-feed entries, in one transaction, once per idempotency key and once per event_id:
  // the same event_id with the same `fingerprint` returns the stored event, with another
  // fingerprint is ALREADY_EXISTS. NOT_FOUND naming parent when the chain does not exist;
  // INVALID_ARGUMENT naming event.corrects when it is not an earlier event of the chain.
  virtual absl::StatusOr<BatchEvent> AppendEvent(const BatchEvent& event, const std::string& fingerprint,
                                                 const store::IdempotencyKey& key) = 0;
  // Events of `chain` with sequence > after_sequence, in order, at most `limit`.
  virtual absl::StatusOr<Page<BatchEvent>> ListEvents(const std::string& chain, int64_t after_sequence,
                                                      int limit) = 0;
  // Events matching `query` after `after_position` in recording order.
  virtual absl::StatusOr<Page<BatchEvent>> QueryEvents(const EventQuery& query, int64_t after_position,
                                                       int limit) = 0;
  // Every event of `chain` in sequence order, as stored (for verification).
  virtual absl::StatusOr<std::vector<BatchEvent>> ChainEvents(const std::string& chain) = 0;

  // Recalls the lot and every descendant not yet recalled, once per idempotency key; returns the
  // lots recalled by this call (by the first call on a retry).
  virtual absl::StatusOr<std::vector<std::string>> RecallLot(const Recall& recall,
                                                             const store::IdempotencyKey& key) = 0;
  // The lot with its ancestors (nearest first), seasons and all their events by event time.
  virtual absl::StatusOr<Trace> GetTrace(const std::string& name) = 0;
};

}  // namespace ocop::batch
