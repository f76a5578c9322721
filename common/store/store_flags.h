// The store flags every service binary takes beside its --db:
//   --db_pool_size          PostgreSQL connections per process
//   --db_statement_timeout  how long one write statement may run on PostgreSQL
// (SQLite ignores both.) A password belongs in ~/.pgpass or PGPASSFILE, not in the --db URL,
// which process listings show; logs print the URL without it (store::RedactedLocation).
#pragma once

#include "absl/status/statusor.h"
#include "common/store/database.h"

namespace ocop::store {

// The options the flags give; INVALID_ARGUMENT naming the flag when one is out of range.
absl::StatusOr<StoreOptions> StoreOptionsFromFlags();

}  // namespace ocop::store
