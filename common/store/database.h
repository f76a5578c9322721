// A service's store, on one of two engines behind one interface:
// - SQLite (a file path): the embedded default, one writer connection and a few read connections,
//   WAL mode, migrations tracked in PRAGMA user_version (sqlite_database.h);
// - PostgreSQL (a postgresql:// URL): the production store that several replicas share, a pool of
//   connections, migrations applied under an advisory lock (postgres_database.h).
// Repositories write their queries once against Connection and Statement. The SQL both engines
// accept is large (RETURNING, ON CONFLICT, CTEs, window functions); where they differ a
// repository asks Connection::dialect(). Placeholders are written SQLite's way (`?`, `?N`) and
// translated for PostgreSQL.
//
// Writes are serialised on both engines (SQLite has one writer; PostgreSQL writers take one
// transaction-scoped advisory lock first), so a write transaction sees every write committed before
// it began, as it always has on SQLite; see docs/decisions.md 37.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ocop::store {

struct AuditRecord;
class ChangeNotifier;

enum class Dialect { kSqlite, kPostgresql };

// The engine's side of a prepared statement. Binding is 1-based, columns 0-based. A bind error is
// kept and returned by the next Step().
class StatementBackend {
 public:
  virtual ~StatementBackend() = default;
  virtual void Bind(int index, int64_t value) = 0;
  virtual void Bind(int index, double value) = 0;
  virtual void Bind(int index, std::string_view text) = 0;
  virtual void BindBlob(int index, std::string_view bytes) = 0;
  virtual void BindNull(int index) = 0;
  virtual absl::StatusOr<bool> Step() = 0;
  virtual void Reset() = 0;
  virtual int64_t ColumnInt(int column) const = 0;
  virtual double ColumnDouble(int column) const = 0;
  virtual std::string ColumnText(int column) const = 0;
  virtual bool ColumnIsNull(int column) const = 0;
};

// A prepared statement borrowed from the connection's cache. It is reset and its bindings cleared
// when this object goes away.
class Statement {
 public:
  explicit Statement(StatementBackend* backend) : backend_(backend) {}
  Statement(Statement&& other) noexcept : backend_(std::exchange(other.backend_, nullptr)) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() {
    if (backend_ != nullptr) backend_->Reset();
  }

  Statement& Bind(int index, int64_t value) { backend_->Bind(index, value); return *this; }
  Statement& Bind(int index, double value) { backend_->Bind(index, value); return *this; }
  Statement& Bind(int index, std::string_view text) { backend_->Bind(index, text); return *this; }
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& BindBlob(int index, std::string_view bytes) { backend_->BindBlob(index, bytes); return *this; }
  Statement& BindNull(int index) { backend_->BindNull(index); return *this; }

  // Advances to the next row: true when a row is available, false when done.
  absl::StatusOr<bool> Step() { return backend_->Step(); }
  // Steps to completion, for statements that return no rows.
  absl::Status Run();
  // Rewinds the statement and clears its bindings, to run it again with new ones.
  void Reset() { backend_->Reset(); }

  int64_t ColumnInt(int column) const { return backend_->ColumnInt(column); }
  double ColumnDouble(int column) const { return backend_->ColumnDouble(column); }
  std::string ColumnText(int column) const { return backend_->ColumnText(column); }
  bool ColumnIsNull(int column) const { return backend_->ColumnIsNull(column); }

 private:
  StatementBackend* backend_;
};

// What a transaction or read works on: one connection, held for the whole body.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual Dialect dialect() const = 0;
  // Returns a cached prepared statement for `sql`; INTERNAL if it does not compile.
  virtual absl::StatusOr<Statement> Prepare(const std::string& sql) = 0;
  // Executes one or more statements without results (schema changes, settings).
  virtual absl::Status Execute(const std::string& sql) = 0;
  // Rows changed by the last statement.
  virtual int Changes() const = 0;
  // Rows changed since the connection opened (to tell whether a transaction wrote anything).
  virtual int64_t TotalChanges() const = 0;
  // Names whose changes this transaction appended to the change feed (outbox.h), for its audit row.
  void NoteChanged(const std::string& name) {
    changed_.push_back(name);
    ++noted_changes_;
  }
  std::vector<std::string> TakeChanged() { return std::exchange(changed_, {}); }
  // How many changes were noted on this connection since it opened.
  int64_t noted_changes() const { return noted_changes_; }
  // PostgreSQL's outbox numbering inside the current write transaction (outbox.cc): the last
  // sequence number it handed out, 0 before its first change. The engine resets it at BEGIN and
  // writes it to outbox_head before COMMIT.
  int64_t outbox_last_sequence() const { return outbox_last_sequence_; }
  void set_outbox_last_sequence(int64_t sequence) { outbox_last_sequence_ = sequence; }

 private:
  std::vector<std::string> changed_;
  int64_t noted_changes_ = 0;
  int64_t outbox_last_sequence_ = 0;
};

// A store's schema: versioned migrations, one list per engine. Each list is append-only (never
// edit a migration that has shipped); the two are versioned apart (the PostgreSQL list began with
// the whole schema as it stood when that engine arrived).
struct Schema {
  std::vector<std::string> sqlite;
  std::vector<std::string> postgresql;
};

// Connection settings for PostgreSQL (SQLite ignores them).
struct StoreOptions {
  int pool_size = 8;                                  // connections per process
  absl::Duration statement_timeout = absl::Seconds(30);  // for writes; reads use the read time limit
  absl::Duration connect_timeout = absl::Seconds(5);
};

// Whether `location` names a PostgreSQL database (postgresql:// or postgres://) rather than a file.
bool IsPostgresLocation(std::string_view location);

// The location without its password, for logs and error messages.
std::string RedactedLocation(std::string_view location);

class Database {
 public:
  // Opens the store at `location`: a SQLite file path (":memory:" for tests), or a PostgreSQL URL
  // (postgresql://user@host:port/dbname?...), and applies the migrations not yet applied, each in
  // its own transaction. FAILED_PRECONDITION when the store has more migrations than this binary
  // knows; UNAVAILABLE naming the database when PostgreSQL cannot be reached; INVALID_ARGUMENT when
  // `location` names PostgreSQL for a schema kept for SQLite files only (a tool's own file).
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& location, const Schema& schema,
                                                        const StoreOptions& options = {});
  // A SQLite-only schema (tools and tests that keep a file of their own).
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                        const std::vector<std::string>& sqlite_migrations);
  virtual ~Database() = default;

  virtual Dialect dialect() const = 0;

  // Runs `body` as a write transaction; rolls back when it returns an error (which is then
  // returned) or throws (INTERNAL), and commits otherwise. Write transactions run one at a time
  // across every process sharing the store. With auditing on, a transaction that wrote something
  // while its thread serves a caller (audit.h) also writes that caller's audit row, before COMMIT.
  // A commit whose outcome is unknown (the connection broke) is UNAVAILABLE: retry with the same
  // request id.
  // Every transaction's time and failures are metrics (docs/operations.md).
  absl::Status Transact(const std::function<absl::Status(Connection&)>& body);
  // Runs `body` in a read-only transaction (a consistent snapshot) that never waits for a write or
  // a long read. A read that runs past the read time limit is stopped: DEADLINE_EXCEEDED.
  absl::Status Read(const std::function<absl::Status(Connection&)>& body);

  // Signals `notifier` (not owned; it must outlive this) whenever another process sharing the
  // store commits a change to the outbox, so change feeds served here wake for writes made
  // through other replicas. A no-op on SQLite, which one process owns.
  virtual void ListenForChanges(ChangeNotifier* notifier) { (void)notifier; }

  // Turns the audit trail on; the migrations must have created it (store::AuditMigration).
  void EnableAudit() { audit_ = true; }
  // Appends `record` in a transaction of its own (a denied attempt, which wrote nothing).
  absl::Status AppendAudit(const AuditRecord& record);
  // How long a read may run (10 s unless set; set before serving).
  void set_read_time_limit(absl::Duration limit) { read_time_limit_ = limit; }

 protected:
  // The engine's write transaction; with `audited`, RunBody writes the caller's audit row.
  virtual absl::Status Write(const std::function<absl::Status(Connection&)>& body, bool audited) = 0;
  // The engine's read-only transaction (Read).
  virtual absl::Status ReadSnapshot(const std::function<absl::Status(Connection&)>& body) = 0;
  // Runs `body` on `connection` inside an open transaction: catches exceptions, and when
  // `audited` writes the audit row of a caller whose transaction wrote something. The caller
  // commits when this returns OK and rolls back otherwise.
  absl::Status RunBody(Connection& connection, const std::function<absl::Status(Connection&)>& body,
                       bool audited);
  absl::Duration read_time_limit() const { return read_time_limit_; }

 private:
  bool audit_ = false;
  absl::Duration read_time_limit_ = absl::Seconds(10);
};

}  // namespace ocop::store
