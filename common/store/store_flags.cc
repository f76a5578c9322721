#include "common/store/store_flags.h"

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"

ABSL_FLAG(int, db_pool_size, 8, "PostgreSQL connections per process (1-200); SQLite ignores it");
ABSL_FLAG(absl::Duration, db_statement_timeout, absl::Seconds(30),
          "Longest a write statement may run on PostgreSQL (reads have their own limit); SQLite ignores it");

namespace ocop::store {

absl::StatusOr<StoreOptions> StoreOptionsFromFlags() {
  StoreOptions options;
  options.pool_size = absl::GetFlag(FLAGS_db_pool_size);
  options.statement_timeout = absl::GetFlag(FLAGS_db_statement_timeout);
  if (options.pool_size < 1 || options.pool_size > 200) {
    return absl::InvalidArgumentError(absl::StrCat("--db_pool_size: must be 1 to 200, not ", options.pool_size));
  }
  if (options.statement_timeout < absl::Milliseconds(100) || options.statement_timeout > absl::Hours(1)) {
    return absl::InvalidArgumentError(absl::StrCat("--db_statement_timeout: must be 100ms to 1h, not ",
                                                   absl::FormatDuration(options.statement_timeout)));
  }
  return options;
}

}  // namespace ocop::store
