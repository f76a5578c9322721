// The batch service's storage on either store engine (SQLite or PostgreSQL; common/store). The
// tables are in batch_schema.h.
#pragma once

#include <memory>

#include "common/store/database.h"
#include "common/store/outbox.h"
#include "services/batch/batch_repository.h"
#include "services/batch/checkpoint_signer.h"

namespace ocop::batch {

class SqlBatchRepository final : public BatchRepository {
 public:
  // `location`: a SQLite file path or a postgresql:// URL. `signer` (not owned, may be null) signs
  // a checkpoint of every chain head read; it must outlive this.
  static absl::StatusOr<std::unique_ptr<SqlBatchRepository>> Open(const std::string& location,
                                                                  const CheckpointSigner* signer,
                                                                  const store::StoreOptions& options = {});

  absl::StatusOr<GrowingArea> CreateGrowingArea(const GrowingArea& area, const store::IdempotencyKey& key) override;
  absl::StatusOr<GrowingArea> GetGrowingArea(const std::string& name) override;
  absl::StatusOr<Page<GrowingArea>> ListGrowingAreas(const GrowingAreaFilter& filter, int64_t after_position,
                                                    int limit) override;
  absl::StatusOr<Season> CreateSeason(const Season& season, const store::IdempotencyKey& key) override;
  absl::StatusOr<Season> GetSeason(const std::string& name) override;
  absl::StatusOr<Page<Season>> ListSeasons(const std::string& area, int64_t after_position, int limit) override;

  absl::StatusOr<std::string> ApplyLotChange(const LotChange& change, const store::IdempotencyKey& key) override;
  absl::StatusOr<Batch> GetBatch(const std::string& name) override;
  absl::StatusOr<Page<Batch>> ListBatches(const BatchFilter& filter, int64_t after_position, int limit) override;

  absl::StatusOr<BatchEvent> AppendEvent(const BatchEvent& event, const std::string& fingerprint,
                                         const store::IdempotencyKey& key) override;
  absl::StatusOr<Page<BatchEvent>> ListEvents(const std::string& chain, int64_t after_sequence, int limit) override;
  absl::StatusOr<Page<BatchEvent>> QueryEvents(const EventQuery& query, int64_t after_position, int limit) override;
  absl::StatusOr<std::vector<BatchEvent>> ChainEvents(const std::string& chain) override;
  absl::StatusOr<std::vector<std::string>> RecallLot(const Recall& recall, const store::IdempotencyKey& key) override;
  absl::StatusOr<Trace> GetTrace(const std::string& name) override;

  store::Database* database() { return database_.get(); }
  store::ChangeNotifier* notifier() { return &notifier_; }

 private:
  SqlBatchRepository(std::unique_ptr<store::Database> database, const CheckpointSigner* signer)
      : database_(std::move(database)), signer_(signer) {}
  // Computes the chain hashes of events carried over from the pre-chain schema (one time).
  absl::Status HashUnhashedEvents();

  // Declared first: the database's change listener signals it until the database is gone.
  store::ChangeNotifier notifier_;
  std::unique_ptr<store::Database> database_;
  const CheckpointSigner* signer_;
};

}  // namespace ocop::batch
