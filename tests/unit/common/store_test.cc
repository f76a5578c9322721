#include "common/store/database.h"

#include <gtest/gtest.h>

#include <future>
#include <stdexcept>

#include <thread>

#include "common/store/idempotency.h"
#include "common/store/outbox.h"
#include "tests/support/processes.h"
#include "tests/support/status_matchers.h"

namespace ocop::store {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

const std::vector<std::string> kMigrations = {
    "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE)",
    kOutboxMigration,
    kIdempotencyMigration,
};

int64_t CountItems(Database& database) {
  int64_t count = -1;
  EXPECT_THAT(database.Read([&](Connection& connection) {
    auto select = connection.Prepare("SELECT COUNT(*) FROM items");
    if (!select.ok()) return select.status();
    auto row = select->Step();
    if (!row.ok()) return row.status();
    count = select->ColumnInt(0);
    return absl::OkStatus();
  }), IsOk());
  return count;
}

absl::Status InsertItem(Connection& connection, const std::string& label) {
  auto insert = connection.Prepare("INSERT INTO items(label) VALUES(?)");
  if (!insert.ok()) return insert.status();
  return insert->Bind(1, label).Run();
}

// Every test keeps its files in a TempDir, whose destructor deletes what it holds: when no fresh
// folder can be made it stops the test rather than hand out a shared one such as /tmp.
TEST(TempDirDeathTest, NeverFallsBackToASharedFolder) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        setenv("TMPDIR", "/nonexistent-ocop-tmp", 1);
        ocop::testing::TempDir dir;
      },
      "cannot make a temporary folder");
}

TEST(Database, MigratesOnceAndKeepsDataAcrossReopen) {
  ocop::testing::TempDir dir;
  {
    auto database = Database::Open(dir.File("a.db"), kMigrations);
    ASSERT_THAT(database, IsOk());
    ASSERT_THAT((*database)->Transact([](Connection& c) { return InsertItem(c, "tea"); }), IsOk());
  }
  auto reopened = Database::Open(dir.File("a.db"), kMigrations);
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ(CountItems(**reopened), 1);
}

TEST(Database, RefusesAFileFromANewerBinary) {
  ocop::testing::TempDir dir;
  ASSERT_THAT(Database::Open(dir.File("a.db"), kMigrations), IsOk());
  EXPECT_THAT(Database::Open(dir.File("a.db"), {kMigrations[0]}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "newer binary"));
}

// WAL, and commits synced before they return (an acknowledged write survives power loss).
TEST(Database, UsesWriteAheadLoggingAndSyncsEveryCommit) {
  ocop::testing::TempDir dir;
  auto database = Database::Open(dir.File("a.db"), kMigrations);
  ASSERT_THAT(database, IsOk());
  auto pragma_value = [&](const std::string& pragma) {
    std::string value;
    EXPECT_THAT((*database)->Read([&](Connection& c) {
      auto statement = c.Prepare("PRAGMA " + pragma);
      if (!statement.ok()) return statement.status();
      auto row = statement->Step();
      value = statement->ColumnText(0);
      return row.status();
    }), IsOk());
    return value;
  };
  EXPECT_EQ(pragma_value("journal_mode"), "wal");
  EXPECT_EQ(pragma_value("synchronous"), "2");  // FULL
}

TEST(Database, ATransactionThatThrowsIsRolledBackAndTheNextOneWorks) {
  auto database = Database::Open(":memory:", kMigrations);
  ASSERT_THAT(database, IsOk());
  absl::Status status = (*database)->Transact([](Connection& c) -> absl::Status {
    if (auto s = InsertItem(c, "honey"); !s.ok()) return s;
    throw std::runtime_error("out of luck");
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal, "out of luck"));
  EXPECT_EQ(CountItems(**database), 0);
  EXPECT_THAT((*database)->Transact([](Connection& c) { return InsertItem(c, "tea"); }), IsOk());
  EXPECT_EQ(CountItems(**database), 1);
}

// Reads have their own connections: a long read (a year of statistics) holds up neither writes nor
// other reads. With one connection the write below would wait for the read to finish, forever.
TEST(Database, ALongReadHoldsUpNeitherWritesNorOtherReads) {
  ocop::testing::TempDir dir;
  auto database = Database::Open(dir.File("store.db"), kMigrations);
  ASSERT_THAT(database, IsOk());
  ASSERT_THAT((*database)->Transact([](Connection& c) { return InsertItem(c, "tea"); }), IsOk());
  std::promise<void> release;
  std::promise<void> reading;
  std::thread long_read([&] {
    EXPECT_THAT((*database)->Read([&](Connection& c) -> absl::Status {
      auto count = c.Prepare("SELECT COUNT(*) FROM items");
      if (!count.ok()) return count.status();
      if (auto row = count->Step(); !row.ok()) return row.status();
      reading.set_value();
      release.get_future().wait();  // holds its snapshot, as a slow query would
      return absl::OkStatus();
    }), IsOk());
  });
  reading.get_future().wait();
  auto others = std::async(std::launch::async, [&] {
    EXPECT_THAT((*database)->Transact([](Connection& c) { return InsertItem(c, "honey"); }), IsOk());
    return CountItems(**database);  // a read on another connection, after the write
  });
  const bool finished = others.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  release.set_value();
  long_read.join();
  ASSERT_TRUE(finished) << "the write or the second read waited for the long read";
  EXPECT_EQ(others.get(), 2);
}

// A runaway read is stopped at the time limit with DEADLINE_EXCEEDED; the next read works.
TEST(Database, ARunawayReadIsStoppedAtTheTimeLimit) {
  ocop::testing::TempDir dir;
  auto database = Database::Open(dir.File("store.db"), kMigrations);
  ASSERT_THAT(database, IsOk());
  (*database)->set_read_time_limit(absl::Milliseconds(200));
  const absl::Time start = absl::Now();
  absl::Status status = (*database)->Read([](Connection& c) -> absl::Status {
    auto endless = c.Prepare(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT COUNT(*) FROM n");
    if (!endless.ok()) return endless.status();
    return endless->Step().status();
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kDeadlineExceeded, "ran longer than"));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  EXPECT_EQ(CountItems(**database), 0);
}

TEST(Database, FailedTransactionLeavesNothingBehind) {
  auto database = Database::Open(":memory:", kMigrations);
  ASSERT_THAT(database, IsOk());
  absl::Status status = (*database)->Transact([](Connection& c) {
    if (auto s = InsertItem(c, "honey"); !s.ok()) return s;
    return absl::InvalidArgumentError("later validation failed");
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(CountItems(**database), 0);
}

TEST(Database, UniqueViolationIsAlreadyExists) {
  auto database = Database::Open(":memory:", kMigrations);
  ASSERT_THAT(database, IsOk());
  ASSERT_THAT((*database)->Transact([](Connection& c) { return InsertItem(c, "tea"); }), IsOk());
  EXPECT_THAT((*database)->Transact([](Connection& c) { return InsertItem(c, "tea"); }),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(CountItems(**database), 1);
}

TEST(Outbox, ReadsChangesAfterASequenceInOrder) {
  auto database = Database::Open(":memory:", kMigrations);
  ASSERT_THAT(database, IsOk());
  ASSERT_THAT((*database)->Transact([](Connection& c) {
    for (int i = 1; i <= 3; ++i) {
      auto appended = AppendChange(c, "batch", "batches/b" + std::to_string(i), i, absl::Now());
      if (!appended.ok()) return appended.status();
    }
    return absl::OkStatus();
  }), IsOk());
  std::vector<ChangeRecord> changes;
  ASSERT_THAT((*database)->Read([&](Connection& c) {
    auto read = ReadChanges(c, 1, 10);
    if (read.ok()) changes = *read;
    return read.status();
  }), IsOk());
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].sequence, 2);
  EXPECT_EQ(changes[0].name, "batches/b2");
  EXPECT_EQ(changes[1].generation, 3);
}

TEST(ChangeNotifier, WakesAWaiterAndTimesOutOtherwise) {
  ChangeNotifier notifier;
  uint64_t epoch = notifier.epoch();
  EXPECT_EQ(notifier.WaitForChange(epoch, absl::Milliseconds(20)), epoch);
  std::thread notify([&] { notifier.Notify(); });
  EXPECT_NE(notifier.WaitForChange(epoch, absl::Seconds(10)), epoch);
  notify.join();
}

TEST(Idempotency, SameKeySameBodyFindsTheResourceAndOtherBodyIsRefused) {
  auto database = Database::Open(":memory:", kMigrations);
  ASSERT_THAT(database, IsOk());
  IdempotencyKey key{"alice", "CreateThing", "req-1", "fp-1"};
  ASSERT_THAT((*database)->Transact([&](Connection& c) {
    auto found = FindIdempotentResult(c, key);
    if (!found.ok()) return found.status();
    EXPECT_FALSE(found->has_value());
    return RememberIdempotentResult(c, key, "things/1");
  }), IsOk());
  ASSERT_THAT((*database)->Read([&](Connection& c) {
    auto found = FindIdempotentResult(c, key);
    EXPECT_THAT(found, IsOk());
    EXPECT_EQ(found->value_or(""), "things/1");
    IdempotencyKey other_caller = key;
    other_caller.caller = "bob";
    EXPECT_FALSE(FindIdempotentResult(c, other_caller)->has_value());
    IdempotencyKey other_body = key;
    other_body.fingerprint = "fp-2";
    EXPECT_THAT(FindIdempotentResult(c, other_body),
                StatusIs(absl::StatusCode::kAlreadyExists, "request_id"));
    return absl::OkStatus();
  }), IsOk());
}

}  // namespace
}  // namespace ocop::store
