#include "common/store/postgres_database.h"

#include <libpq-fe.h>
#include <poll.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/metrics/metrics.h"
#include "common/status/status_macros.h"
#include "common/store/outbox.h"

namespace ocop::store {
namespace {

// Advisory lock keys (any 64-bit numbers no one else in the database uses): "ocop" + "writ"/"migr".
constexpr int64_t kWriterLock = 0x6f636f7077726974;
constexpr int64_t kMigrationLock = 0x6f636f706d696772;
// The channel on which write transactions announce outbox changes (NOTIFY is per database).
constexpr char kChangeChannel[] = "ocop_changes";

// Type OIDs from PostgreSQL's catalog (pg_type.dat); stable across versions.
constexpr Oid kBoolOid = 16;
constexpr Oid kByteaOid = 17;
constexpr Oid kTextOid = 25;

int64_t Milliseconds(absl::Duration duration) { return absl::ToInt64Milliseconds(duration); }

// Maps a failed command to a status: constraint violations are ALREADY_EXISTS (as on SQLite), a
// lost connection UNAVAILABLE naming the database, a statement timeout DEADLINE_EXCEEDED, a full
// disk RESOURCE_EXHAUSTED, anything else INTERNAL.
absl::Status PostgresError(PGconn* connection, const PGresult* result, absl::string_view what,
                           const std::string& database) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(connection);
  if (message.empty()) message = PQerrorMessage(connection);
  absl::StripTrailingAsciiWhitespace(&message);
  const std::string code = state != nullptr ? state : "";
  if (PQstatus(connection) != CONNECTION_OK || code.starts_with("08") || code == "57P01" || code == "57P02" ||
      code == "57P03") {
    return absl::UnavailableError(absl::StrCat("store: database ", database, " is unreachable: ", message));
  }
  if (code.starts_with("23")) return absl::AlreadyExistsError(absl::StrCat("constraint: ", message));
  if (code == "57014") return absl::DeadlineExceededError(absl::StrCat("store: statement timed out: ", message));
  if (code.starts_with("53")) {
    return absl::ResourceExhaustedError(
        absl::StrCat("store: cannot write (disk full or out of resources; nothing was written): ", message));
  }
  return absl::InternalError(absl::StrCat("postgresql: ", what, ": ", message));
}

// Ignores the server's notices (libpq prints them on stderr by default).
void IgnoreNotice(void*, const char*) {}

}  // namespace

std::string TranslatePlaceholders(std::string_view sql, int* parameter_count, std::vector<bool>* used) {
  std::string out;
  std::vector<bool> numbers_used;
  out.reserve(sql.size() + 16);
  int highest = 0;
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a literal or quoted name, with doubled quotes inside
      const size_t start = i++;
      while (i < sql.size()) {
        if (sql[i] == c) {
          if (i + 1 < sql.size() && sql[i + 1] == c) {
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
      out.append(sql.substr(start, i - start));
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop;
    } else if (c == '?') {
      ++i;
      int number = 0;
      bool numbered = false;
      while (i < sql.size() && sql[i] >= '0' && sql[i] <= '9') {
        number = number * 10 + (sql[i] - '0');
        numbered = true;
        ++i;
      }
      if (!numbered) number = highest + 1;
      if (number > highest) highest = number;
      if (static_cast<int>(numbers_used.size()) < number) numbers_used.resize(static_cast<size_t>(number), false);
      numbers_used[static_cast<size_t>(number - 1)] = true;
      absl::StrAppend(&out, "$", number);
    } else {
      out.push_back(c);
      ++i;
    }
  }
  if (parameter_count != nullptr) *parameter_count = highest;
  if (used != nullptr) *used = std::move(numbers_used);
  return out;
}

class PgConnection;

class PgStatement : public StatementBackend {
 public:
  PgStatement(PgConnection* owner, std::string name, int parameters)
      : owner_(owner), name_(std::move(name)), values_(static_cast<size_t>(parameters)),
        binary_(static_cast<size_t>(parameters), 0) {}
  ~PgStatement() override { Clear(); }

  void Bind(int index, int64_t value) override { Set(index, absl::StrCat(value), false); }
  void Bind(int index, double value) override {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    Set(index, text, false);
  }
  void Bind(int index, std::string_view text) override {
    // PostgreSQL text cannot hold NUL; SQLite would keep it. Refuse rather than cut the value.
    if (text.find('\0') != std::string_view::npos) {
      bind_error_ = absl::InvalidArgumentError(absl::StrCat("store: parameter ", index, " holds a NUL byte"));
      return;
    }
    Set(index, std::string(text), false);
  }
  void BindBlob(int index, std::string_view bytes) override { Set(index, std::string(bytes), true); }
  void BindNull(int index) override {
    if (!InRange(index)) return;
    values_[static_cast<size_t>(index - 1)].reset();
  }

  absl::StatusOr<bool> Step() override;

  void Reset() override {
    Clear();
    for (auto& value : values_) value.reset();
    bind_error_ = absl::OkStatus();
  }

  int64_t ColumnInt(int column) const override {
    if (!HasValue(column)) return 0;
    const char* text = PQgetvalue(result_, row_, column);
    if (PQftype(result_, column) == kBoolOid) return text[0] == 't' ? 1 : 0;
    return std::strtoll(text, nullptr, 10);
  }
  double ColumnDouble(int column) const override {
    if (!HasValue(column)) return 0;
    return std::strtod(PQgetvalue(result_, row_, column), nullptr);
  }
  std::string ColumnText(int column) const override {
    if (!HasValue(column)) return "";
    const char* text = PQgetvalue(result_, row_, column);
    if (PQftype(result_, column) == kByteaOid) {
      size_t length = 0;
      unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(text), &length);
      if (bytes == nullptr) return "";
      std::string value(reinterpret_cast<const char*>(bytes), length);
      PQfreemem(bytes);
      return value;
    }
    return std::string(text, static_cast<size_t>(PQgetlength(result_, row_, column)));
  }
  bool ColumnIsNull(int column) const override { return !HasValue(column); }

 private:
  bool InRange(int index) {
    if (index >= 1 && index <= static_cast<int>(values_.size())) return true;
    bind_error_ = absl::InternalError(absl::StrCat("store: parameter ", index, " is out of range"));
    return false;
  }
  void Set(int index, std::string value, bool binary) {
    if (!InRange(index)) return;
    values_[static_cast<size_t>(index - 1)] = std::move(value);
    binary_[static_cast<size_t>(index - 1)] = binary ? 1 : 0;
  }
  bool HasValue(int column) const {
    return result_ != nullptr && row_ >= 0 && row_ < PQntuples(result_) && column >= 0 &&
           column < PQnfields(result_) && !PQgetisnull(result_, row_, column);
  }
  void Clear() {
    if (result_ != nullptr) PQclear(result_);
    result_ = nullptr;
    row_ = -1;
  }

  PgConnection* owner_;
  std::string name_;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> binary_;
  absl::Status bind_error_;
  PGresult* result_ = nullptr;
  int row_ = -1;
};

class PgConnection : public Connection {
 public:
  PgConnection(PGconn* connection, std::string database) : connection_(connection), database_(std::move(database)) {
    PQsetNoticeProcessor(connection_, IgnoreNotice, nullptr);
  }
  ~PgConnection() override {
    cache_.clear();
    PQfinish(connection_);
  }

  Dialect dialect() const override { return Dialect::kPostgresql; }

  absl::StatusOr<Statement> Prepare(const std::string& sql) override {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      int parameters = 0;
      std::vector<bool> used;
      const std::string translated = TranslatePlaceholders(sql, &parameters, &used);
      // The server infers each parameter's type from where it appears; one that appears nowhere
      // (a query built with optional conditions binds them all) would have none: call it text.
      std::vector<Oid> types(static_cast<size_t>(parameters), 0);
      for (size_t i = 0; i < types.size(); ++i) {
        if (!used[i]) types[i] = kTextOid;
      }
      std::string name = absl::StrCat("s", cache_.size() + 1);
      PGresult* result = PQprepare(connection_, name.c_str(), translated.c_str(), parameters, types.data());
      absl::Status status = absl::OkStatus();
      if (PQresultStatus(result) != PGRES_COMMAND_OK) {
        status = PostgresError(connection_, result, absl::StrCat("prepare `", sql, "`"), database_);
      }
      PQclear(result);
      OCOP_RETURN_IF_ERROR(status);
      it = cache_.emplace(sql, std::make_unique<PgStatement>(this, std::move(name), parameters)).first;
    }
    return Statement(it->second.get());
  }

  absl::Status Execute(const std::string& sql) override {
    PGresult* result = PQexec(connection_, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    absl::Status outcome = absl::OkStatus();
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      outcome = PostgresError(connection_, result, "exec", database_);
    } else {
      Count(result);
    }
    PQclear(result);
    return outcome;
  }

  int Changes() const override { return last_changes_; }
  int64_t TotalChanges() const override { return total_changes_; }

  PGconn* raw() { return connection_; }
  const std::string& database() const { return database_; }
  bool broken() const { return PQstatus(connection_) != CONNECTION_OK; }
  bool idle() const { return PQtransactionStatus(connection_) == PQTRANS_IDLE; }

  void Count(const PGresult* result) {
    const char* tuples = PQcmdTuples(const_cast<PGresult*>(result));
    last_changes_ = tuples[0] == '\0' ? 0 : std::atoi(tuples);
    // A SELECT's count is rows returned, not rows changed.
    const std::string_view command = PQcmdStatus(const_cast<PGresult*>(result));
    if (command.starts_with("SELECT")) last_changes_ = 0;
    total_changes_ += last_changes_;
  }

 private:
  PGconn* connection_;
  std::string database_;
  std::map<std::string, std::unique_ptr<PgStatement>, std::less<>> cache_;
  int last_changes_ = 0;
  int64_t total_changes_ = 0;
};

absl::StatusOr<bool> PgStatement::Step() {
  if (result_ == nullptr) {
    OCOP_RETURN_IF_ERROR(bind_error_);
    std::vector<const char*> values(values_.size());
    std::vector<int> lengths(values_.size());
    for (size_t i = 0; i < values_.size(); ++i) {
      values[i] = values_[i] ? values_[i]->data() : nullptr;
      lengths[i] = values_[i] ? static_cast<int>(values_[i]->size()) : 0;
    }
    result_ = PQexecPrepared(owner_->raw(), name_.c_str(), static_cast<int>(values.size()), values.data(),
                             lengths.data(), binary_.data(), 0);
    const ExecStatusType status = PQresultStatus(result_);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      absl::Status error = PostgresError(owner_->raw(), result_, "step", owner_->database());
      Clear();
      return error;
    }
    owner_->Count(result_);
    row_ = -1;
  }
  ++row_;
  return row_ < PQntuples(result_);
}

class PostgresDatabase::Pool {
 public:
  Pool(std::string url, StoreOptions options)
      : url_(std::move(url)), database_(RedactedLocation(url_)), options_(options) {
    Exhausted();  // listed at zero from the start, for alerts on its increase
  }

  const std::string& database() const { return database_; }
  const StoreOptions& options() const { return options_; }

  // A connection of its own: made now, with the session settings every connection has.
  absl::StatusOr<std::unique_ptr<PgConnection>> Connect() {
    // Defaults first: the URL's own parameters, expanded from dbname, take precedence over them.
    const std::string timeout = absl::StrCat(std::max<int64_t>(1, absl::ToInt64Seconds(options_.connect_timeout)));
    const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {timeout.c_str(), "ocop-trace", url_.c_str(), nullptr};
    PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    if (raw == nullptr) return absl::ResourceExhaustedError("store: out of memory connecting to PostgreSQL");
    if (PQstatus(raw) != CONNECTION_OK) {
      std::string message = PQerrorMessage(raw);
      absl::StripTrailingAsciiWhitespace(&message);
      PQfinish(raw);
      return absl::UnavailableError(absl::StrCat("store: database ", database_, " is unreachable: ", message));
    }
    auto connection = std::make_unique<PgConnection>(raw, database_);
    OCOP_RETURN_IF_ERROR(connection->Execute(absl::StrCat(
        "SET statement_timeout = ", Milliseconds(options_.statement_timeout),
        "; SET idle_in_transaction_session_timeout = ", Milliseconds(options_.statement_timeout) * 2,
        "; SET TIME ZONE 'UTC'; SET client_min_messages = warning")));
    return connection;
  }

  // Borrows a connection until the lease goes away: an idle one, or a new one while the pool is
  // below its size. UNAVAILABLE when none frees up within the connect timeout.
  class Lease {
   public:
    Lease(Pool* pool, std::unique_ptr<PgConnection> connection) : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&&) = default;
    ~Lease() {
      if (connection_ != nullptr) pool_->Return(std::move(connection_));
    }
    PgConnection& operator*() { return *connection_; }
    PgConnection* operator->() { return connection_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<PgConnection> connection_;
  };

  absl::StatusOr<Lease> Acquire() {
    std::unique_lock lock(mutex_);
    const bool available = freed_.wait_for(lock, absl::ToChronoMilliseconds(options_.connect_timeout), [&] {
      return !idle_.empty() || open_ < options_.pool_size;
    });
    if (!available) {
      Exhausted().Increment();
      return absl::UnavailableError(absl::StrCat("store: all ", options_.pool_size, " connections to ", database_,
                                                 " stayed busy for ", absl::FormatDuration(options_.connect_timeout)));
    }
    if (!idle_.empty()) {
      std::unique_ptr<PgConnection> connection = std::move(idle_.back());
      idle_.pop_back();
      if (!connection->broken()) return Lease(this, std::move(connection));
      --open_;  // a connection the server dropped while idle: replace it
    }
    ++open_;
    lock.unlock();
    absl::StatusOr<std::unique_ptr<PgConnection>> made = Connect();
    if (!made.ok()) {
      std::lock_guard relock(mutex_);
      --open_;
      freed_.notify_one();
      return made.status();
    }
    return Lease(this, std::move(*made));
  }

  // Closes every idle connection (after one turned out broken, the others likely are too).
  void DropIdle() {
    std::lock_guard lock(mutex_);
    open_ -= static_cast<int>(idle_.size());
    idle_.clear();
    freed_.notify_all();
  }

 private:
  void Return(std::unique_ptr<PgConnection> connection) {
    std::lock_guard lock(mutex_);
    // A broken connection, or one left inside a transaction, is closed rather than reused.
    if (connection->broken() || !connection->idle()) {
      connection.reset();
      --open_;
    } else {
      idle_.push_back(std::move(connection));
    }
    freed_.notify_one();
  }

  static prometheus::Counter& Exhausted() {
    static prometheus::Counter& exhausted =
        metrics::CounterFamily("ocop_db_pool_exhausted_total",
                               "Transactions refused because every pooled PostgreSQL connection stayed busy for the "
                               "connect timeout.")
            .Add({});
    return exhausted;
  }
  double Count(bool in_use) {
    std::lock_guard lock(mutex_);
    const int idle = static_cast<int>(idle_.size());
    return in_use ? open_ - idle : idle;
  }

  const std::string url_;
  const std::string database_;
  const StoreOptions options_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;
  // Read when scraped; last, so they go first.
  std::vector<std::unique_ptr<metrics::ScrapedValue>> scraped_ = [this] {
    std::vector<std::unique_ptr<metrics::ScrapedValue>> values;
    const std::string help = "PostgreSQL connections of this process's pool, in use by a transaction or idle.";
    values.push_back(std::make_unique<metrics::ScrapedValue>("ocop_db_pool_connections", help,
                                                             prometheus::Labels{{"state", "in_use"}},
                                                             [this] { return Count(/*in_use=*/true); }));
    values.push_back(std::make_unique<metrics::ScrapedValue>("ocop_db_pool_connections", help,
                                                             prometheus::Labels{{"state", "idle"}},
                                                             [this] { return Count(/*in_use=*/false); }));
    values.push_back(std::make_unique<metrics::ScrapedValue>(
        "ocop_db_pool_max_connections", "The pool's size (--db_pool_size).", prometheus::Labels{},
        [size = options_.pool_size] { return static_cast<double>(size); }));
    return values;
  }();
};

PostgresDatabase::PostgresDatabase(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}
PostgresDatabase::~PostgresDatabase() {
  stopping_ = true;
  if (listener_.joinable()) listener_.join();
}

void PostgresDatabase::ListenForChanges(ChangeNotifier* notifier) {
  if (listener_.joinable()) return;
  listener_ = std::thread([this, notifier] { Listen(notifier); });
}

void PostgresDatabase::Listen(ChangeNotifier* notifier) {
  std::unique_ptr<PgConnection> connection;
  while (!stopping_) {
    if (connection == nullptr || connection->broken()) {
      connection.reset();
      absl::StatusOr<std::unique_ptr<PgConnection>> made = pool_->Connect();
      if (!made.ok() || !(*made)->Execute(absl::StrCat("LISTEN ", kChangeChannel)).ok()) {
        for (int i = 0; i < 10 && !stopping_; ++i) absl::SleepFor(absl::Milliseconds(100));
        continue;
      }
      connection = std::move(*made);
      notifier->Notify();  // changes may have committed while nobody listened
    }
    pollfd socket{PQsocket(connection->raw()), POLLIN, 0};
    poll(&socket, 1, 200);  // wakes for a notification, or to see whether to stop
    if (PQconsumeInput(connection->raw()) == 0) {
      connection.reset();
      continue;
    }
    bool notified = false;
    while (PGnotify* notification = PQnotifies(connection->raw())) {
      notified = true;
      PQfreemem(notification);
    }
    if (notified) notifier->Notify();
  }
}

namespace {

absl::Status Migrate(PgConnection& connection, const std::vector<std::string>& migrations) {
  // A session lock: a second replica starting now waits here, then finds the migrations applied.
  OCOP_RETURN_IF_ERROR(connection.Execute(absl::StrCat("SELECT pg_advisory_lock(", kMigrationLock, ")")));
  auto migrate = [&]() -> absl::Status {
    OCOP_RETURN_IF_ERROR(connection.Execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "applied_unix_micros BIGINT NOT NULL)"));
    int64_t applied = 0;
    {
      OCOP_ASSIGN_OR_RETURN(Statement version,
                            connection.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
      OCOP_ASSIGN_OR_RETURN(bool row, version.Step());
      if (row) applied = version.ColumnInt(0);
    }
    if (applied > static_cast<int64_t>(migrations.size())) {
      return absl::FailedPreconditionError(
          absl::StrCat("database schema is at migration ", applied, " but this binary knows only ",
                       migrations.size(), "; run a newer binary"));
    }
    for (size_t i = static_cast<size_t>(applied); i < migrations.size(); ++i) {
      const std::string script =
          absl::StrCat("BEGIN;", migrations[i], ";\nINSERT INTO schema_migrations VALUES (", i + 1, ", ",
                       absl::ToUnixMicros(absl::Now()), ");COMMIT;");
      absl::Status status = connection.Execute(script);
      if (!status.ok()) {
        connection.Execute("ROLLBACK").IgnoreError();
        if (absl::IsUnavailable(status)) return status;
        return absl::InternalError(absl::StrCat("migration ", i + 1, " failed: ", status.message()));
      }
    }
    return absl::OkStatus();
  };
  absl::Status status = migrate();
  connection.Execute(absl::StrCat("SELECT pg_advisory_unlock(", kMigrationLock, ")")).IgnoreError();
  return status;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Database>> PostgresDatabase::Open(const std::string& url,
                                                                 const std::vector<std::string>& migrations,
                                                                 const StoreOptions& options) {
  if (options.pool_size < 1) return absl::InvalidArgumentError("store: pool_size must be at least 1");
  auto pool = std::make_unique<Pool>(url, options);
  {
    OCOP_ASSIGN_OR_RETURN(std::unique_ptr<PgConnection> connection, pool->Connect());
    OCOP_RETURN_IF_ERROR(Migrate(*connection, migrations));
  }
  return std::unique_ptr<Database>(new PostgresDatabase(std::move(pool)));
}

// A pooled connection inside a transaction opened by `begin`.
absl::StatusOr<PostgresDatabase::Pool::Lease> Begin(PostgresDatabase::Pool& pool, const std::string& begin) {
  for (int attempt = 1;; ++attempt) {
    OCOP_ASSIGN_OR_RETURN(PostgresDatabase::Pool::Lease connection, pool.Acquire());
    absl::Status begun = connection->Execute(begin);
    if (begun.ok()) return connection;
    // A connection the server dropped while it sat in the pool (a restart, a failover) fails here,
    // before anything ran, and so do its idle siblings: drop them and try once on a new one.
    if (!connection->broken() || attempt == 2) return begun;
    pool.DropIdle();
  }
}

absl::Status PostgresDatabase::Write(const std::function<absl::Status(Connection&)>& body, bool audited) {
  // Writers of this process queue here rather than on the database lock: one connection waits
  // for the lock at a time, and the rest of the pool stays free for reads.
  std::lock_guard writing(write_mutex_);
  OCOP_ASSIGN_OR_RETURN(Pool::Lease connection,
                        Begin(*pool_, absl::StrCat("BEGIN; SELECT pg_advisory_xact_lock(", kWriterLock, ")")));
  const int64_t changes_before = connection->noted_changes();
  connection->set_outbox_last_sequence(0);
  absl::Status status = RunBody(*connection, body, audited);
  // The outbox numbers this transaction used (outbox.cc), recorded while it still holds the row.
  if (status.ok() && connection->outbox_last_sequence() != 0) {
    absl::StatusOr<Statement> head = connection->Prepare("UPDATE outbox_head SET sequence = ?");
    status = head.ok() ? head->Bind(1, connection->outbox_last_sequence()).Run() : head.status();
  }
  connection->set_outbox_last_sequence(0);
  // Delivered to the listeners of every replica when (and only if) the transaction commits.
  if (status.ok() && connection->noted_changes() != changes_before) {
    status = connection->Execute(absl::StrCat("NOTIFY ", kChangeChannel));
  }
  if (!status.ok()) {
    connection->Execute("ROLLBACK").IgnoreError();
    return status;
  }
  absl::Status commit = connection->Execute("COMMIT");
  if (!commit.ok() && !connection->broken()) connection->Execute("ROLLBACK").IgnoreError();
  if (!commit.ok() && connection->broken()) {
    return absl::UnavailableError(absl::StrCat("store: the connection to ", pool_->database(),
                                               " broke at commit; the write may or may not have been applied: ",
                                               commit.message()));
  }
  return commit;
}

absl::Status PostgresDatabase::ReadSnapshot(const std::function<absl::Status(Connection&)>& body) {
  OCOP_ASSIGN_OR_RETURN(Pool::Lease connection,
                        Begin(*pool_, absl::StrCat("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
                                           "SET LOCAL statement_timeout = ", Milliseconds(read_time_limit()))));
  absl::Status status = RunBody(*connection, body, /*audited=*/false);
  connection->Execute(status.ok() ? "COMMIT" : "ROLLBACK").IgnoreError();
  if (absl::IsDeadlineExceeded(status)) {
    return absl::DeadlineExceededError(absl::StrCat("store: a read ran longer than ",
                                                    absl::FormatDuration(read_time_limit()), " and was stopped"));
  }
  return status;
}

}  // namespace ocop::store
