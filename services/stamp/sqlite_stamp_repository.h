// The stamp service's SQLite storage: rolls are serial ranges, one row per roll.
#pragma once

#include <memory>

#include "common/store/database.h"
#include "common/store/outbox.h"
#include "services/stamp/stamp_repository.h"

namespace ocop::stamp {

class SqliteStampRepository final : public StampRepository {
 public:
  static absl::StatusOr<std::unique_ptr<SqliteStampRepository>> Open(const std::string& path);

  absl::StatusOr<Roll> IssueRoll(const Roll& roll, const store::IdempotencyKey& key) override;
  absl::StatusOr<Roll> GetRoll(const std::string& name) override;
  absl::StatusOr<Roll> FindRollBySerial(uint64_t serial) override;
  absl::StatusOr<Roll> AddOperation(const std::string& roll_name, const RangeOperation& operation,
                                    const store::IdempotencyKey& key, const OperationCheck& check) override;

  store::Database* database() { return database_.get(); }
  store::ChangeNotifier* notifier() { return &notifier_; }

 private:
  explicit SqliteStampRepository(std::unique_ptr<store::Database> database) : database_(std::move(database)) {}
  std::unique_ptr<store::Database> database_;
  store::ChangeNotifier notifier_;
};

}  // namespace ocop::stamp
