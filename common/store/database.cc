#include "common/store/database.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/metrics/metrics.h"
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

namespace {

const char* EngineName(Dialect dialect) { return dialect == Dialect::kSqlite ? "sqlite" : "postgresql"; }

prometheus::Family<prometheus::Counter>& FailedTransactions() {
  return metrics::CounterFamily("ocop_db_transactions_failed_total",
                                "Database transactions rolled back, by the status they failed with.");
}

// One engine's time histograms by kind, made when the process first uses the engine (a lookup by
// labels takes a lock). The failures alerts watch for start at zero then, so a rate() over them
// has a series before the first failure.
struct EngineMetrics {
  prometheus::Histogram* seconds[2];  // read, write

  explicit EngineMetrics(Dialect dialect) {
    auto& family = metrics::HistogramFamily("ocop_db_transaction_seconds",
                                            "Database transactions: time from BEGIN (waiting for a connection and "
                                            "the writer lock included) to COMMIT or ROLLBACK, in seconds.");
    for (bool write : {false, true}) {
      const char* kind = write ? "write" : "read";
      seconds[write] = &family.Add({{"engine", EngineName(dialect)}, {"kind", kind}}, metrics::LatencyBuckets());
      for (absl::StatusCode code : {absl::StatusCode::kUnavailable, absl::StatusCode::kInternal,
                                    absl::StatusCode::kResourceExhausted, absl::StatusCode::kDeadlineExceeded}) {
        FailedTransactions().Add({{"engine", EngineName(dialect)}, {"kind", kind}, {"code", absl::StatusCodeToString(code)}});
      }
    }
  }
};

prometheus::Histogram& TransactionSeconds(Dialect dialect, bool write) {
  if (dialect == Dialect::kSqlite) {
    static const EngineMetrics sqlite(Dialect::kSqlite);
    return *sqlite.seconds[write];
  }
  static const EngineMetrics postgresql(Dialect::kPostgresql);
  return *postgresql.seconds[write];
}

// A transaction's time, and its outcome when it failed.
absl::Status Measured(Dialect dialect, bool write, const std::function<absl::Status()>& transaction) {
  const absl::Time start = absl::Now();
  absl::Status status = transaction();
  TransactionSeconds(dialect, write).Observe(absl::ToDoubleSeconds(absl::Now() - start));
  if (!status.ok()) {
    FailedTransactions()
        .Add({{"engine", EngineName(dialect)},
              {"kind", write ? "write" : "read"},
              {"code", absl::StatusCodeToString(status.code())}})
        .Increment();
  }
  return status;
}

}  // namespace

absl::Status Database::Transact(const std::function<absl::Status(Connection&)>& body) {
  return Measured(dialect(), /*write=*/true, [&] { return Write(body, audit_); });
}

absl::Status Database::Read(const std::function<absl::Status(Connection&)>& body) {
  return Measured(dialect(), /*write=*/false, [&] { return ReadSnapshot(body); });
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
