// The stamp service's storage on either store engine (SQLite or PostgreSQL; common/store): rolls
// are serial ranges, one row per roll. The tables are in stamp_schema.h.
#pragma once

#include <memory>

#include "common/store/database.h"
#include "common/store/outbox.h"
#include "services/stamp/scan_history.h"
#include "services/stamp/stamp_repository.h"

namespace ocop::stamp {

class SqlStampRepository final : public StampRepository, public RenderRepository, public ScanRepository {
 public:
  // `location`: a SQLite file path or a postgresql:// URL.
  static absl::StatusOr<std::unique_ptr<SqlStampRepository>> Open(const std::string& location,
                                                                  const store::StoreOptions& options = {});

  absl::StatusOr<Roll> IssueRoll(const Roll& roll, const store::IdempotencyKey& key) override;
  absl::StatusOr<Roll> GetRoll(const std::string& name) override;
  absl::StatusOr<Roll> FindRollBySerial(uint64_t serial) override;
  absl::StatusOr<store::Page<Roll>> ListRolls(const RollFilter& filter, int64_t after_position, int limit) override;
  absl::StatusOr<Roll> AddOperation(const std::string& roll_name, const RangeOperation& operation,
                                    const store::IdempotencyKey& key, const OperationCheck& check) override;
  absl::StatusOr<store::Page<RangeOperation>> ListOperations(const std::string& roll_name, int64_t after_position,
                                                             int limit) override;
  absl::StatusOr<StampState> StateOfSerial(uint64_t serial) override;

  absl::StatusOr<PinOutcome> RecordPinTry(uint64_t serial, const PinTry& apply) override;
  absl::Status AddCopyFlagClearance(const CopyFlagClearance& clearance, const store::IdempotencyKey& key) override;
  absl::StatusOr<std::string> CopyFlagClearedThrough(uint64_t serial) override;
  absl::StatusOr<Render> StartRender(const Render& render) override;
  absl::Status AdvanceRender(const std::string& render, uint64_t last_sent_serial, absl::Time now) override;
  absl::StatusOr<Render> ResumeRender(const std::string& render, const std::string& printer,
                                      uint64_t last_received_serial, uint64_t max_resend, absl::Time now) override;
  absl::StatusOr<std::vector<Render>> ListRenders(const std::string& roll) override;
  absl::StatusOr<ReprintOrder> CreateReprintOrder(const ReprintOrder& order,
                                                  const store::IdempotencyKey& key) override;

  absl::StatusOr<int64_t> InsertScans(const std::vector<ScanRecord>& scans, absl::Time delete_before) override;
  absl::StatusOr<std::vector<ScanStatsRow>> ScanStats(const ScanQuery& query, int64_t offset, int limit) override;

  store::Database* database() { return database_.get(); }
  store::ChangeNotifier* notifier() { return &notifier_; }

 private:
  explicit SqlStampRepository(std::unique_ptr<store::Database> database) : database_(std::move(database)) {}
  // Builds the stored states of rolls whose operations predate them (a database of an earlier
  // version), once.
  absl::Status BuildMissingStates();
  // Declared first: the database's change listener signals it until the database is gone.
  store::ChangeNotifier notifier_;
  std::unique_ptr<store::Database> database_;
};

}  // namespace ocop::stamp
