#include "common/store/outbox.h"

#include "common/status/status_macros.h"

namespace ocop::store {

absl::StatusOr<int64_t> AppendChange(Connection& connection, const std::string& entity,
                                     const std::string& name, int64_t generation, absl::Time now) {
  if (connection.dialect() == Dialect::kSqlite) {
    OCOP_ASSIGN_OR_RETURN(Statement insert,
                          connection.Prepare("INSERT INTO outbox(entity, name, generation, commit_unix_micros) "
                                             "VALUES(?1, ?2, ?3, ?4) RETURNING sequence"));
    insert.Bind(1, entity).Bind(2, name).Bind(3, generation).Bind(4, absl::ToUnixMicros(now));
    OCOP_ASSIGN_OR_RETURN(bool row, insert.Step());
    if (!row) return absl::InternalError("store: the outbox gave no sequence number");
    const int64_t sequence = insert.ColumnInt(0);
    OCOP_RETURN_IF_ERROR(insert.Run());
    connection.NoteChanged(name);
    return sequence;
  }
  // PostgreSQL: the transaction's first change locks outbox_head's row (until COMMIT) and reads
  // the head; its later changes count on from there, and the engine writes the last number back
  // before COMMIT. Updating the row once per change instead would leave a version of it per
  // change in this transaction, each found by walking all the earlier ones: quadratic, and a fifth
  // of a 60,000-row import's time.
  int64_t sequence = connection.outbox_last_sequence();
  if (sequence == 0) {
    OCOP_ASSIGN_OR_RETURN(Statement head, connection.Prepare("SELECT sequence FROM outbox_head FOR UPDATE"));
    OCOP_ASSIGN_OR_RETURN(bool row, head.Step());
    if (!row) return absl::InternalError("store: outbox_head has no row");
    sequence = head.ColumnInt(0);
    OCOP_RETURN_IF_ERROR(head.Run());
  }
  ++sequence;
  OCOP_ASSIGN_OR_RETURN(Statement insert,
                        connection.Prepare("INSERT INTO outbox(sequence, entity, name, generation, commit_unix_micros) "
                                           "VALUES(?1, ?2, ?3, ?4, ?5)"));
  insert.Bind(1, sequence).Bind(2, entity).Bind(3, name).Bind(4, generation).Bind(5, absl::ToUnixMicros(now));
  OCOP_RETURN_IF_ERROR(insert.Run());
  connection.set_outbox_last_sequence(sequence);
  connection.NoteChanged(name);
  return sequence;
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

absl::StatusOr<int64_t> HeadSequence(Connection& connection) {
  OCOP_ASSIGN_OR_RETURN(Statement select, connection.Prepare("SELECT COALESCE(MAX(sequence), 0) FROM outbox"));
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  return row ? select.ColumnInt(0) : 0;
}

absl::StatusOr<bool> ChangesMissingAfter(Connection& connection, int64_t after_sequence) {
  OCOP_ASSIGN_OR_RETURN(int64_t head, HeadSequence(connection));
  if (head <= after_sequence) return false;
  OCOP_ASSIGN_OR_RETURN(Statement count, connection.Prepare("SELECT COUNT(*) FROM outbox WHERE sequence > ?"));
  count.Bind(1, after_sequence);
  OCOP_ASSIGN_OR_RETURN(bool row, count.Step());
  return row && count.ColumnInt(0) < head - after_sequence;
}

absl::StatusOr<int64_t> PruneChanges(Connection& connection, absl::Time cutoff,
                                     const std::vector<std::string>& kept_entities, int limit) {
  // Commit times grow with sequences, so the changes older than the cutoff are a prefix: find its
  // end by reading only that prefix (by primary key), then delete by sequence range.
  OCOP_ASSIGN_OR_RETURN(Statement boundary,
                        connection.Prepare("SELECT sequence FROM outbox WHERE commit_unix_micros >= ? "
                                           "ORDER BY sequence LIMIT 1"));
  boundary.Bind(1, absl::ToUnixMicros(cutoff));
  OCOP_ASSIGN_OR_RETURN(bool found, boundary.Step());
  const int64_t first_recent = found ? boundary.ColumnInt(0) : 0;
  boundary.Reset();
  OCOP_ASSIGN_OR_RETURN(int64_t head, HeadSequence(connection));
  const int64_t end = found ? first_recent : head;  // the head itself is always kept
  std::string kept = "''";
  for (size_t i = 0; i < kept_entities.size(); ++i) kept += ", ?";
  OCOP_ASSIGN_OR_RETURN(
      Statement remove,
      connection.Prepare("DELETE FROM outbox WHERE sequence IN (SELECT sequence FROM outbox WHERE sequence < ? "
                         "AND entity NOT IN (" + kept + ") ORDER BY sequence LIMIT ?)"));
  int index = 1;
  remove.Bind(index++, end);
  for (const std::string& entity : kept_entities) remove.Bind(index++, entity);
  remove.Bind(index, static_cast<int64_t>(limit));
  OCOP_RETURN_IF_ERROR(remove.Run());
  return connection.Changes();
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
