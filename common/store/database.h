// SQLite store: one connection per database file, WAL mode, foreign keys on, prepared statements
// cached per SQL text, schema migrations embedded in the binary and applied at open.
//
// Access is serialised by a mutex: SQLite has one writer anyway, and the services run their
// blocking store calls on gRPC's synchronous thread pool (see docs/architecture.md, "Threads").
#pragma once

#include <cstdint>
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ocop::store {

struct AuditRecord;

// A prepared statement borrowed from the connection's cache. Binding is 1-based, columns 0-based.
// The statement is reset and its bindings cleared when this object goes away.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, const char* text) { return Bind(index, std::string_view(text)); }
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindNull(int index);

  // Advances to the next row: true when a row is available, false when done.
  absl::StatusOr<bool> Step();
  // Steps to completion, for statements that return no rows.
  absl::Status Run();
  // Rewinds the statement and clears its bindings, to run it again with new ones.
  void Reset();

  int64_t ColumnInt(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  absl::Status bind_error_;
};

// What a transaction or read sees: the one connection, with the lock held.
class Connection {
 public:
  explicit Connection(sqlite3* db) : db_(db) {}
  ~Connection();

  // Returns a cached prepared statement for `sql`; INTERNAL if it does not compile.
  absl::StatusOr<Statement> Prepare(const std::string& sql);
  // Executes one or more statements without results (schema changes, pragmas).
  absl::Status Execute(const std::string& sql);
  // Row id of the last insert.
  int64_t LastInsertRowId() const;
  // Rows changed by the last statement.
  int Changes() const;
  // Rows changed since the connection opened (to tell whether a transaction wrote anything).
  int64_t TotalChanges() const;
  // Names whose changes this transaction appended to the change feed (outbox.h), for its audit row.
  void NoteChanged(const std::string& name) { changed_.push_back(name); }
  std::vector<std::string> TakeChanged() { return std::exchange(changed_, {}); }

 private:
  sqlite3* db_;
  std::vector<std::string> changed_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

class Database {
 public:
  // Opens (creating if needed) the SQLite file at `path` (":memory:" for tests), sets WAL mode,
  // foreign keys and a busy timeout, then applies the migrations not yet applied (tracked in
  // PRAGMA user_version), each in its own transaction. Migrations are append-only: never edit one
  // that has shipped. Fails with INTERNAL if the file cannot be opened or a migration fails, and
  // with FAILED_PRECONDITION if the file has more migrations than this binary knows.
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                        const std::vector<std::string>& migrations);
  ~Database();

  // Runs `body` inside BEGIN IMMEDIATE .. COMMIT; rolls back when it returns an error (which is
  // then returned) or throws (INTERNAL), and commits otherwise. With auditing on, a transaction that wrote something
  // while its thread serves a caller (audit.h) also writes that caller's audit row, before COMMIT.
  absl::Status Transact(const std::function<absl::Status(Connection&)>& body);
  // Turns the audit trail on; the migrations must have created it (store::kAuditMigration).
  void EnableAudit() { audit_ = true; }
  // Appends `record` in a transaction of its own (a denied attempt, which wrote nothing).
  absl::Status AppendAudit(const AuditRecord& record);
  // Runs `body` in a read transaction (a consistent snapshot) on one of the read connections, so
  // reads run side by side and never wait for a write or a long read (WAL). A read that runs past
  // the read time limit is stopped: DEADLINE_EXCEEDED. (":memory:" databases have no separate
  // readers: reads take the writer's connection.)
  absl::Status Read(const std::function<absl::Status(Connection&)>& body);

  // Read connections opened by Open (a file database only).
  static constexpr int kReaders = 4;
  // How long a read may run (10 s unless set; set before serving).
  void set_read_time_limit(absl::Duration limit) { read_time_limit_ = limit; }

 private:
  struct Reader {
    sqlite3* db = nullptr;
    std::unique_ptr<Connection> connection;
    std::mutex mutex;
    absl::Time deadline = absl::InfiniteFuture();  // progress handler stops the read after it
  };

  Database(sqlite3* db);
  absl::Status Migrate(const std::vector<std::string>& migrations);
  absl::Status OpenReaders(const std::string& path);
  absl::Status RunInTransaction(const char* begin, const std::function<absl::Status(Connection&)>& body);
  absl::Status ReadOn(Reader& reader, const std::function<absl::Status(Connection&)>& body);

  sqlite3* db_;
  std::mutex mutex_;
  std::unique_ptr<Connection> connection_;
  bool audit_ = false;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::atomic<size_t> next_reader_{0};
  absl::Duration read_time_limit_ = absl::Seconds(10);
};

// INTERNAL status naming the SQLite error of `db`, prefixed with `what`.
absl::Status SqliteError(sqlite3* db, absl::string_view what);

}  // namespace ocop::store
