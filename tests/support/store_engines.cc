#include "tests/support/store_engines.h"

#include "tests/support/postgres.h"

namespace ocop::testing {

std::string StoreEngineName(const ::testing::TestParamInfo<store::Dialect>& info) {
  return info.param == store::Dialect::kSqlite ? "Sqlite" : "Postgresql";
}

absl::StatusOr<std::string> NewStoreLocation(store::Dialect engine, const TempDir& dir, const std::string& file) {
  if (engine == store::Dialect::kSqlite) return dir.File(file);
  absl::StatusOr<PostgresServer*> server = PostgresServer::Shared();
  if (!server.ok()) return server.status();
  return (*server)->CreateDatabase();
}

}  // namespace ocop::testing
