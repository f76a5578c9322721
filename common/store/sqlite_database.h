// The SQLite engine: one connection per database file for writes, WAL mode, synchronous=FULL,
// foreign keys on, prepared statements cached per SQL text, migrations tracked in PRAGMA
// user_version, and a few read-only connections so reads run beside writes.
//
// Writes are serialised by a mutex: SQLite has one writer anyway, and the services run their
// blocking store calls on gRPC's synchronous thread pool (see docs/architecture.md, "Threads").
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/store/database.h"

struct sqlite3;
struct sqlite3_stmt;

namespace ocop::store {

class SqliteDatabase : public Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& path,
                                                        const std::vector<std::string>& migrations);
  ~SqliteDatabase() override;

  Dialect dialect() const override { return Dialect::kSqlite; }

  // Read connections opened by Open (a file database only).
  static constexpr int kReaders = 4;

 private:
  class SqliteConnection;
  struct Reader;

  explicit SqliteDatabase(sqlite3* db);
  absl::Status Write(const std::function<absl::Status(Connection&)>& body, bool audited) override;
  absl::Status ReadSnapshot(const std::function<absl::Status(Connection&)>& body) override;
  absl::Status Migrate(const std::vector<std::string>& migrations);
  absl::Status OpenReaders(const std::string& path);
  absl::Status RunInTransaction(const char* begin, const std::function<absl::Status(Connection&)>& body,
                                bool audited);
  absl::Status ReadOn(Reader& reader, const std::function<absl::Status(Connection&)>& body);

  sqlite3* db_;
  std::mutex mutex_;
  std::unique_ptr<SqliteConnection> connection_;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::atomic<size_t> next_reader_{0};
};

// INTERNAL status naming the SQLite error of `db`, prefixed with `what` (RESOURCE_EXHAUSTED when
// the disk is full or failing).
absl::Status SqliteError(sqlite3* db, absl::string_view what);

}  // namespace ocop::store
