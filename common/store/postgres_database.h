// The PostgreSQL engine: the production store that several replicas of a service share.
// - A pool of connections per process (StoreOptions::pool_size), made on demand and replaced when
//   one breaks; a database that cannot be reached is UNAVAILABLE naming it (never its password).
// - Write transactions take one transaction-scoped advisory lock first, so writers run one at a
//   time across every replica, as on SQLite: read-then-write logic (the next serial, a chain's
//   head, an idempotency key) needs no other locking, and the outbox's sequence numbers are
//   assigned in commit order (outbox.h). Within a process writers queue on a mutex first, so
//   waiting writers hold one connection, not the pool. Reads are REPEATABLE READ READ ONLY
//   snapshots that never wait for the lock.
// - Migrations are applied at open under a session advisory lock, so two replicas starting
//   together apply each migration once; the versions applied are kept in schema_migrations.
// - Change feeds: a write that appended to the outbox sends NOTIFY on commit; ListenForChanges
//   turns that into ChangeNotifier signals, so a feed served by one replica wakes for changes
//   written through another (after a lost listening connection it signals once, to re-read).
// - Statements: the SQL's `?`/`?N` placeholders become `$N`; parameters are sent as text with
//   their types inferred by the server (blobs as binary); a statement timeout bounds every write
//   statement and the read time limit every read.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/database.h"

namespace ocop::store {

class PostgresDatabase : public Database {
 public:
  static absl::StatusOr<std::unique_ptr<Database>> Open(const std::string& url,
                                                        const std::vector<std::string>& migrations,
                                                        const StoreOptions& options);
  ~PostgresDatabase() override;

  Dialect dialect() const override { return Dialect::kPostgresql; }
  // A thread with a connection of its own LISTENs on the store's channel; every write
  // transaction that appended changes sends a NOTIFY, which the server delivers at commit.
  void ListenForChanges(ChangeNotifier* notifier) override;

  class Pool;

 private:
  PostgresDatabase(std::unique_ptr<Pool> pool);
  absl::Status Write(const std::function<absl::Status(Connection&)>& body, bool audited) override;
  absl::Status ReadSnapshot(const std::function<absl::Status(Connection&)>& body) override;

  void Listen(ChangeNotifier* notifier);

  std::unique_ptr<Pool> pool_;
  std::mutex write_mutex_;
  std::atomic<bool> stopping_{false};
  std::thread listener_;
};

// `sql` with SQLite's placeholders (`?` and `?N`) rewritten as PostgreSQL's (`$N`), skipping
// string literals, quoted names and comments. `parameter_count` gets the highest number used, and
// `used` (when given) which of 1..that number appear.
std::string TranslatePlaceholders(std::string_view sql, int* parameter_count, std::vector<bool>* used = nullptr);

}  // namespace ocop::store
