#include "common/store/outbox.h"

#include "common/status/status_macros.h"

namespace ocop::store {

absl::StatusOr<int64_t> AppendChange(Connection& connection, const std::string& entity,
                                     const std::string& name, int64_t generation, absl::Time now) {
  OCOP_ASSIGN_OR_RETURN(
      Statement insert,
      connection.Prepare("INSERT INTO outbox(entity, name, generation, commit_unix_micros) "
                         "VALUES(?, ?, ?, ?)"));
  insert.Bind(1, entity).Bind(2, name).Bind(3, generation).Bind(4, absl::ToUnixMicros(now));
  OCOP_RETURN_IF_ERROR(insert.Run());
  connection.NoteChanged(name);
  return connection.LastInsertRowId();
}

absl::StatusOr<std::vector<ChangeRecord>> ReadChanges(Connection& connection, int64_t after_sequence,
                                                      int limit) {
  OCOP_ASSIGN_OR_RETURN(
      Statement select,
      connection.Prepare("SELECT sequence, entity, name, generation, commit_unix_micros FROM outbox "
                         "WHERE sequence > ? ORDER BY sequence LIMIT ?"));
  select.Bind(1, after_sequence).Bind(2, static_cast<int64_t>(limit));
  std::vector<ChangeRecord> changes;
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    changes.push_back(ChangeRecord{select.ColumnInt(0), select.ColumnText(1), select.ColumnText(2),
                                   select.ColumnInt(3), absl::FromUnixMicros(select.ColumnInt(4))});
  }
  return changes;
}

void ChangeNotifier::Notify() {
  {
    std::lock_guard lock(mutex_);
    ++epoch_;
  }
  changed_.notify_all();
}

uint64_t ChangeNotifier::WaitForChange(uint64_t seen_epoch, absl::Duration timeout) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, absl::ToChronoMilliseconds(timeout), [&] { return epoch_ != seen_epoch; });
  return epoch_;
}

uint64_t ChangeNotifier::epoch() {
  std::lock_guard lock(mutex_);
  return epoch_;
}

}  // namespace ocop::store
