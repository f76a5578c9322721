// A real PostgreSQL 15 server for tests: one per test process, started on first use on a free
// loopback port (TCP only), with its data in a temporary folder. Every test asks for a database
// of its own, so tests never see each other's rows.
//
// The server refuses to run as root, so when the tests run as root (CI does) it runs as the
// `postgres` system user that Debian's postgresql package creates. initdb runs once per machine
// and user into a template folder that later processes copy (about 40 ms instead of a second).
// For tests durability settings are off (fsync, synchronous_commit): they are about behaviour, and
// the data folder is thrown away. Benchmarks start a durable server of their own.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tests/support/processes.h"

namespace ocop::testing {

class PostgresServer {
 public:
  // The process's server, started on the first call, durability off. UNAVAILABLE naming the reason
  // when PostgreSQL is not installed or does not start.
  static absl::StatusOr<PostgresServer*> Shared();
  // A server of the caller's own; `durable` keeps PostgreSQL's defaults (fsync, synchronous
  // commit, full page writes), as production runs it: for benchmarks.
  static absl::StatusOr<std::unique_ptr<PostgresServer>> Start(bool durable);

  // A new, empty database on the server: its postgresql:// URL.
  absl::StatusOr<std::string> CreateDatabase();
  // The URL of a database that does not exist on a port where nothing listens.
  static std::string UnreachableUrl();

  int port() const { return port_; }
  pid_t pid() const { return process_ ? process_->pid() : 0; }
  ~PostgresServer();

 private:
  PostgresServer() = default;
  absl::Status Launch(bool durable);

  TempDir dir_;
  int port_ = 0;
  int databases_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

// Creates database `name` on the server `server_url` names (any database of it; the user may
// create databases) and returns the URL with the database replaced, its parameters kept.
absl::StatusOr<std::string> CreateDatabaseOn(const std::string& server_url, const std::string& name);

// `count` new, empty databases for a benchmark: on the server `server_url` names when it is not
// empty (an operator's, e.g. postgresql://ocop@db.internal/postgres; named ocop_bench_{pid}_{n},
// left there), otherwise on a durable server of the benchmark's own, kept in `*own`.
absl::StatusOr<std::vector<std::string>> BenchmarkDatabases(const std::string& server_url, int count,
                                                            std::unique_ptr<PostgresServer>* own);

}  // namespace ocop::testing
