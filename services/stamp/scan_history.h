// Durable scan history: lookup sends the scans of genuine stamps in batches; producers and
// provincial offices read statistics per day, stamp, lot or product. Only salted, truncated client
// hashes are kept, for a limited time (docs/privacy.md).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "common/store/page.h"

namespace ocop::stamp {

struct ScanRecord {
  std::string scan_id;
  uint64_t serial = 0;
  absl::Time scan_time;
  std::string day;  // Vietnam day, set by ScanHistory
  std::string client_hash;
  std::string verdict;
  std::string batch;
  std::string product;
  std::string producer;
  std::string province_code;
  int64_t count = 1;  // scans folded into this record
};

// Values match ocop.stamp.v1.ScanGroupBy.
enum class ScanGroupBy { kUnspecified = 0, kDay, kStamp, kBatch, kProduct };

struct ScanQuery {
  std::string producer;
  std::string product;
  std::string batch;
  uint64_t serial = 0;
  std::string province_code;
  std::string from_day;
  std::string to_day;
  ScanGroupBy group_by = ScanGroupBy::kDay;
};

struct ScanStatsRow {
  std::string key;
  int64_t scans = 0;
  int64_t distinct_clients = 0;
  int64_t distinct_days = 0;
  int64_t possible_copy_scans = 0;
};

class ScanRepository {
 public:
  virtual ~ScanRepository() = default;
  // Stores the records not stored before (by scan_id) and deletes scans older than
  // `delete_before` in the same transaction; returns how many scans (sum of counts) were stored.
  virtual absl::StatusOr<int64_t> InsertScans(const std::vector<ScanRecord>& scans, absl::Time delete_before) = 0;
  // Rows by the query's key, ordered by key, from `offset`, at most `limit`.
  virtual absl::StatusOr<std::vector<ScanStatsRow>> ScanStats(const ScanQuery& query, int64_t offset, int limit) = 0;
};

class ScanHistory {
 public:
  // `repository` is not owned. Scans older than `retention` are deleted as new ones arrive.
  ScanHistory(ScanRepository* repository, absl::Duration retention, std::function<absl::Time()> clock)
      : repository_(repository), retention_(retention), clock_(std::move(clock)) {}

  // Only services (role service) record scans: PERMISSION_DENIED otherwise.
  // INVALID_ARGUMENT naming scans[i].field.
  absl::StatusOr<int64_t> RecordScans(const Actor& actor, std::vector<ScanRecord> scans);
  // PERMISSION_DENIED when a producer asks about another producer's scans, an office gives
  // neither a province nor a producer, or the caller has no role that may read statistics.
  absl::StatusOr<store::Page<ScanStatsRow>> Stats(const Actor& actor, ScanQuery query, int page_size,
                                                  const std::string& page_token);

 private:
  ScanRepository* repository_;
  absl::Duration retention_;
  std::function<absl::Time()> clock_;
};

}  // namespace ocop::stamp
