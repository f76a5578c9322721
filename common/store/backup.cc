#include "common/store/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/store/sqlite_database.h"

namespace ocop::store {
namespace {

struct CloseDatabase {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DatabaseHandle = std::unique_ptr<sqlite3, CloseDatabase>;

absl::Status Open(const std::string& path, int flags, DatabaseHandle* handle) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  handle->reset(db);
  if (rc != SQLITE_OK) return SqliteError(db, absl::StrCat("backup: cannot open ", path));
  sqlite3_busy_timeout(db, 10'000);
  return absl::OkStatus();
}

}  // namespace

absl::Status BackupSqliteFile(const std::string& from, const std::string& to) {
  if (!std::filesystem::exists(from)) return absl::NotFoundError(absl::StrCat("backup: ", from, " does not exist"));
  if (std::filesystem::exists(to)) return absl::AlreadyExistsError(absl::StrCat("backup: ", to, " already exists"));
  DatabaseHandle source;
  DatabaseHandle copy;
  if (absl::Status opened = Open(from, SQLITE_OPEN_READONLY, &source); !opened.ok()) return opened;
  if (absl::Status opened = Open(to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &copy); !opened.ok()) return opened;
  sqlite3_backup* backup = sqlite3_backup_init(copy.get(), "main", source.get(), "main");
  if (backup == nullptr) return SqliteError(copy.get(), "backup: cannot start");
  // All pages in one step: one read transaction on the source, so the copy is one moment of it.
  // BUSY or LOCKED (a checkpoint, another process' lock) are retried for a while.
  int rc = SQLITE_OK;
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  do {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) absl::SleepFor(absl::Milliseconds(50));
  } while ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && absl::Now() < give_up);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return SqliteError(copy.get(), absl::StrCat("backup: copying ", from));
  sqlite3_stmt* check = nullptr;
  std::string verdict;
  if (sqlite3_prepare_v2(copy.get(), "PRAGMA quick_check", -1, &check, nullptr) == SQLITE_OK &&
      sqlite3_step(check) == SQLITE_ROW) {
    verdict = reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
  }
  sqlite3_finalize(check);
  if (verdict != "ok")
    return absl::DataLossError(absl::StrCat("backup: the copy of ", from, " fails its check: ", verdict));
  copy.reset();  // closed, then synced: a backup must survive a power cut once reported done
  const int fd = open(to.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    if (fd >= 0) close(fd);
    return absl::InternalError(absl::StrCat("backup: cannot sync ", to));
  }
  close(fd);
  return absl::OkStatus();
}

}  // namespace ocop::store
