#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "common/threads/lower_priority.h"

namespace ocop::threads {
namespace {

TEST(LowerPriorityTest, TheWorkRunsOnAThreadOfItsOwnWithALowerPriority) {
  const int caller_nice = ThisThreadNice();
  int work_nice = -100;
  std::thread::id work_thread;
  RunAtLowerPriority(10, [&] {
    work_nice = ThisThreadNice();
    work_thread = std::this_thread::get_id();
  });
  EXPECT_EQ(work_nice, std::min(19, caller_nice + 10));
  EXPECT_NE(work_thread, std::this_thread::get_id());
  // The caller (a pooled gRPC thread) keeps its priority: it could not raise it back itself.
  EXPECT_EQ(ThisThreadNice(), caller_nice);
}

TEST(LowerPriorityTest, ANiceValueIsCappedAt19) {
  int work_nice = -100;
  RunAtLowerPriority(100, [&] { work_nice = ThisThreadNice(); });
  EXPECT_EQ(work_nice, 19);
}

TEST(LowerPriorityTest, AThreadCanLowerItsOwnPriorityForGood) {
  int before = -100, after = -100, other = -100;
  std::thread background([&] {
    before = ThisThreadNice();
    LowerThisThreadPriority(5);
    after = ThisThreadNice();
  });
  background.join();
  std::thread sibling([&] { other = ThisThreadNice(); });
  sibling.join();
  EXPECT_EQ(after, std::min(19, before + 5));
  EXPECT_EQ(other, before);  // other threads of the process keep theirs
}

TEST(LowerPriorityTest, NoIncrementRunsTheWorkOnTheCaller) {
  std::thread::id work_thread;
  int work_nice = -100;
  RunAtLowerPriority(0, [&] {
    work_thread = std::this_thread::get_id();
    work_nice = ThisThreadNice();
  });
  EXPECT_EQ(work_thread, std::this_thread::get_id());
  EXPECT_EQ(work_nice, ThisThreadNice());
}

}  // namespace
}  // namespace ocop::threads
