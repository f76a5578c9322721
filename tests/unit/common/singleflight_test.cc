#include "common/singleflight/singleflight.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"

namespace ocop::singleflight {
namespace {

TEST(SingleFlightTest, ConcurrentCallersForOneKeyShareOneLoad) {
  Group group;
  std::atomic<int> loads{0};
  absl::Notification release;
  std::vector<std::thread> threads;
  std::vector<absl::StatusOr<std::string>> results(16, absl::UnknownError("not run"));
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      results[i] = group.Do("stamp:1", [&]() -> absl::StatusOr<std::string> {
        ++loads;
        release.WaitForNotification();  // hold the load until every caller has arrived
        return std::string("view of stamp 1");
      });
    });
  }
  // One caller loads; the other 15 wait for it (joined under the group's lock: no sleep guesses).
  while (group.Waiters("stamp:1") < 15) std::this_thread::yield();
  release.Notify();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(loads.load(), 1);
  for (const auto& result : results) {
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(*result, "view of stamp 1");
  }
  // Nothing is cached: a later call loads again; other keys load on their own; errors reach callers.
  EXPECT_TRUE(group.Do("stamp:1", [&]() -> absl::StatusOr<std::string> { ++loads; return std::string("again"); }).ok());
  EXPECT_EQ(loads.load(), 2);
  absl::StatusOr<std::string> failed =
      group.Do("stamp:2", []() -> absl::StatusOr<std::string> { return absl::UnavailableError("batch down"); });
  EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
}

// A load that throws fails its caller and the callers waiting for it, and does not leave its key
// "in flight": the next call loads again instead of waiting for ever.
TEST(SingleFlightTest, ALoadThatThrowsFailsItsWaitersAndFreesTheKey) {
  Group group;
  absl::Notification leader_started;
  absl::Notification release;
  std::atomic<int> threw{0};
  std::thread leader([&] {
    try {
      (void)group.Do("stamp:2", [&]() -> absl::StatusOr<std::string> {
        leader_started.Notify();
        release.WaitForNotification();
        throw std::runtime_error("backend client threw");
      });
    } catch (const std::runtime_error&) {
      ++threw;
    }
  });
  leader_started.WaitForNotification();
  std::atomic<bool> waiter_loaded{false};
  std::thread waiter([&] {
    try {
      (void)group.Do("stamp:2", [&]() -> absl::StatusOr<std::string> {
        waiter_loaded = true;  // only if it came after the leader's load ended
        return std::string("its own load");
      });
    } catch (const std::runtime_error&) {
      ++threw;
    }
  });
  while (group.Waiters("stamp:2") < 1) std::this_thread::yield();  // the waiter shares the leader's load
  release.Notify();
  leader.join();
  waiter.join();
  // The leader threw, and the waiter shared its failure (it did not load on its own).
  EXPECT_EQ(threw.load(), 2);
  EXPECT_FALSE(waiter_loaded);
  EXPECT_EQ(group.Waiters("stamp:2"), 0);
  absl::StatusOr<std::string> again =
      group.Do("stamp:2", []() -> absl::StatusOr<std::string> { return std::string("loaded again"); });
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "loaded again");
}

}  // namespace
}  // namespace ocop::singleflight
