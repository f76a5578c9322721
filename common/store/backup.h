// Online backups of SQLite stores: a consistent copy of a database file while its service keeps
// writing (SQLite's backup API, docs/operations.md "Backups"). PostgreSQL stores are backed up with
// PostgreSQL's own tools instead.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace ocop::store {

// Copies the SQLite database at `from` to the new file `to` as of one moment: every transaction
// committed before it, none after, whatever writers do meanwhile (the copy runs in one read
// transaction, which in WAL mode never blocks them). The copy is checked (PRAGMA quick_check) and
// synced. ALREADY_EXISTS when `to` exists; NOT_FOUND when `from` does not.
absl::Status BackupSqliteFile(const std::string& from, const std::string& to);

}  // namespace ocop::store
