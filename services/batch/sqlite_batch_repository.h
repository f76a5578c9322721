// The batch service's SQLite storage.
#pragma once

#include <memory>

#include "common/store/database.h"
#include "common/store/outbox.h"
#include "services/batch/batch_repository.h"

namespace ocop::batch {

class SqliteBatchRepository final : public BatchRepository {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteBatchRepository>> Open(const std::string& path);

  absl::StatusOr<Batch> CreateBatch(const Batch& batch, const store::IdempotencyKey& key) override;
  absl::StatusOr<Batch> GetBatch(const std::string& name) override;
  absl::StatusOr<Page<Batch>> ListBatches(const BatchFilter& filter, int64_t after_position, int limit) override;
  absl::StatusOr<BatchEvent> AppendEvent(const BatchEvent& event, const store::IdempotencyKey& key) override;
  absl::StatusOr<Page<BatchEvent>> ListEvents(const std::string& batch, int64_t after_sequence,
                                              int limit) override;

  store::Database* database() { return database_.get(); }
  store::ChangeNotifier* notifier() { return &notifier_; }

 private:
  explicit SqliteBatchRepository(std::unique_ptr<store::Database> database) : database_(std::move(database)) {}
  std::unique_ptr<store::Database> database_;
  store::ChangeNotifier notifier_;
};

}  // namespace ocop::batch
