#include "common/store/audit.h"

#include "common/status/status_macros.h"

namespace ocop::store {
namespace {

thread_local const AuditContext* current_context = nullptr;

}  // namespace

ScopedAuditContext::ScopedAuditContext(AuditContext context)
    : context_(std::move(context)), previous_(current_context) {
  current_context = &context_;
}

ScopedAuditContext::~ScopedAuditContext() { current_context = previous_; }

const AuditContext* CurrentAuditContext() { return current_context; }

absl::Status AppendAuditRecord(Connection& connection, const AuditRecord& record) {
  OCOP_ASSIGN_OR_RETURN(
      Statement insert,
      connection.Prepare("INSERT INTO audit_log(unix_micros, subject, role, credential, method, resources, peer, "
                         "request_id, outcome) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, absl::ToUnixMicros(record.time))
      .Bind(2, record.who.subject)
      .Bind(3, record.who.role)
      .Bind(4, record.who.credential)
      .Bind(5, record.who.method)
      .Bind(6, record.resources)
      .Bind(7, record.who.peer)
      .Bind(8, record.who.request_id)
      .Bind(9, record.outcome);
  return insert.Run();
}

absl::StatusOr<std::vector<AuditRecord>> ReadAuditRecords(Database& database, const AuditFilter& filter,
                                                          int64_t after, int limit) {
  std::vector<AuditRecord> records;
  OCOP_RETURN_IF_ERROR(database.Read([&](Connection& connection) -> absl::Status {
    // The position of a substring, 1-based, or 0: SQLite calls it instr, PostgreSQL strpos.
    const char* find = connection.dialect() == Dialect::kSqlite ? "instr" : "strpos";
    OCOP_ASSIGN_OR_RETURN(
        Statement select,
        connection.Prepare(absl::StrCat(
            "SELECT position, unix_micros, subject, role, credential, method, resources, peer, request_id, outcome "
            "FROM audit_log WHERE position > ?1 AND (?2 = '' OR subject = ?2) AND (?3 = '' OR ", find,
            "(method, ?3) > 0) AND (?4 = '' OR ", find, "(resources, ?4) > 0) AND (?5 = 0 OR outcome <> 'ok') "
            "AND unix_micros >= ?6 ORDER BY position LIMIT ?7")));
    select.Bind(1, after)
        .Bind(2, filter.subject)
        .Bind(3, filter.method)
        .Bind(4, filter.resource)
        .Bind(5, static_cast<int64_t>(filter.denied_only ? 1 : 0))
        .Bind(6, filter.since == absl::InfinitePast() ? INT64_MIN : absl::ToUnixMicros(filter.since))
        .Bind(7, static_cast<int64_t>(limit));
    while (true) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      AuditRecord record;
      record.position = select.ColumnInt(0);
      record.time = absl::FromUnixMicros(select.ColumnInt(1));
      record.who = AuditContext{select.ColumnText(2), select.ColumnText(3), select.ColumnText(4),
                                select.ColumnText(5), select.ColumnText(7), select.ColumnText(8)};
      record.resources = select.ColumnText(6);
      record.outcome = select.ColumnText(9);
      records.push_back(std::move(record));
    }
    return absl::OkStatus();
  }));
  return records;
}

}  // namespace ocop::store
