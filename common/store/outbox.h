// The transactional outbox behind every service's change feed: a change is recorded in the same
// transaction as the data it describes, so the feed never announces an uncommitted change and
// never misses a committed one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/database.h"

namespace ocop::store {

// Schema of the outbox table; include it in a service's migration list (SQLite).
inline constexpr char kOutboxMigration[] = R"sql(
CREATE TABLE outbox (
  sequence    INTEGER PRIMARY KEY AUTOINCREMENT,
  entity      TEXT NOT NULL,
  name        TEXT NOT NULL,
  generation  INTEGER NOT NULL,
  commit_unix_micros INTEGER NOT NULL
);
)sql";

// On PostgreSQL a sequence number comes from the one-row outbox_head, whose row lock the appending
// transaction takes at its first change and holds until it commits (the engine writes the last
// number it used back before COMMIT): numbers are contiguous (a rolled-back append gives its
// number back) and in commit order, so a reader that has seen N has seen every change up to N.
// (A database sequence would not do: a transaction holding number 5 can commit after one holding
// 6, and a reader that has read 6 would skip 5 for ever.)
inline constexpr char kOutboxMigrationPostgres[] = R"sql(
CREATE TABLE outbox (
  sequence    BIGINT PRIMARY KEY,
  entity      TEXT NOT NULL,
  name        TEXT NOT NULL,
  generation  BIGINT NOT NULL,
  commit_unix_micros BIGINT NOT NULL
);
CREATE TABLE outbox_head (only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row), sequence BIGINT NOT NULL);
INSERT INTO outbox_head(sequence) VALUES (0);
)sql";

struct ChangeRecord {
  int64_t sequence = 0;
  std::string entity;
  std::string name;
  int64_t generation = 0;
  absl::Time commit_time;
};

// Records a change inside the caller's transaction; returns its sequence.
absl::StatusOr<int64_t> AppendChange(Connection& connection, const std::string& entity,
                                     const std::string& name, int64_t generation, absl::Time now);

// Changes with sequence > after_sequence, oldest first, at most `limit`.
absl::StatusOr<std::vector<ChangeRecord>> ReadChanges(Connection& connection, int64_t after_sequence,
                                                      int limit);

// The newest change's sequence; 0 when there is none.
absl::StatusOr<int64_t> HeadSequence(Connection& connection);

// Whether some change after `after_sequence` is gone (pruned). Sequences are contiguous
// (AUTOINCREMENT, and a rolled-back append gives its number back), so changes are missing exactly
// when fewer are kept after it than the head says there were.
absl::StatusOr<bool> ChangesMissingAfter(Connection& connection, int64_t after_sequence);

// Deletes at most `limit` changes committed before `cutoff`, oldest first, except those of
// `kept_entities` and the newest change (it marks the head). Returns how many were deleted.
absl::StatusOr<int64_t> PruneChanges(Connection& connection, absl::Time cutoff,
                                     const std::vector<std::string>& kept_entities, int limit);

// Wakes feed streams when a transaction that appended changes has committed.
class ChangeNotifier {
 public:
  // Call after a commit that appended changes.
  void Notify();
  // Waits until Notify() is called after `seen_epoch`, or until `timeout`; returns the epoch now.
  uint64_t WaitForChange(uint64_t seen_epoch, absl::Duration timeout);
  uint64_t epoch();

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  uint64_t epoch_ = 0;
};

}  // namespace ocop::store
