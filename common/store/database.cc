#include "common/store/database.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status_macros.h"
#include "common/store/audit.h"
#include "common/store/postgres_database.h"
#include "common/store/sqlite_database.h"

namespace ocop::store {

absl::Status Statement::Run() {
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return absl::OkStatus();
  }
}

bool IsPostgresLocation(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string RedactedLocation(std::string_view location) {
  if (!IsPostgresLocation(location)) return std::string(location);
  // postgresql://user:password@host/db → postgresql://user:***@host/db
  const size_t scheme_end = location.find("://") + 3;
  const size_t at = location.find('@', scheme_end);
  if (at == std::string_view::npos) return std::string(location);
  const size_t colon = location.find(':', scheme_end);
  if (colon == std::string_view::npos || colon > at) return std::string(location);
  return std::string(location.substr(0, colon + 1)) + "***" + std::string(location.substr(at));
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& location, const Schema& schema,
                                                         const StoreOptions& options) {
  if (IsPostgresLocation(location)) {
    if (schema.postgresql.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("store: this store is kept in a SQLite file only; give a file "
                                                     "path instead of ", RedactedLocation(location)));
    }
    return PostgresDatabase::Open(location, schema.postgresql, options);
  }
  return SqliteDatabase::Open(location, schema.sqlite);
}

absl::StatusOr<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                         const std::vector<std::string>& sqlite_migrations) {
  return SqliteDatabase::Open(path, sqlite_migrations);
}

absl::Status Database::AppendAudit(const AuditRecord& record) {
  if (!audit_) return absl::OkStatus();
  return Write([&](Connection& connection) { return AppendAuditRecord(connection, record); },
               /*audited=*/false);
}

absl::Status Database::RunBody(Connection& connection, const std::function<absl::Status(Connection&)>& body,
                               bool audited) {
  connection.TakeChanged();
  const int64_t changes_before = connection.TotalChanges();
  absl::Status status;
  // A body that throws must not leave the connection inside its transaction (every later call
  // would fail with "cannot start a transaction within a transaction", and its writes would be
  // committed by whoever commits next): it is rolled back like a body that fails.
  try {
    status = body(connection);
  } catch (const std::exception& error) {
    status = absl::InternalError(absl::StrCat("store: transaction aborted by an exception: ", error.what()));
  } catch (...) {
    status = absl::InternalError("store: transaction aborted by an exception");
  }
  const AuditContext* caller = CurrentAuditContext();
  if (status.ok() && audited && caller != nullptr && connection.TotalChanges() != changes_before) {
    AuditRecord record;
    record.time = absl::Now();
    record.who = *caller;
    record.resources = absl::StrJoin(connection.TakeChanged(), ",");
    record.outcome = "ok";
    status = AppendAuditRecord(connection, record);
  }
  return status;
}

}  // namespace ocop::store
