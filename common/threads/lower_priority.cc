#include "common/threads/lower_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace ocop::threads {
namespace {

// On Linux a thread's nice value is its own: PRIO_PROCESS with a thread id changes that thread.
id_t ThisThreadId() { return static_cast<id_t>(syscall(SYS_gettid)); }

}  // namespace

int ThisThreadNice() {
  errno = 0;
  return getpriority(PRIO_PROCESS, ThisThreadId());
}

void LowerThisThreadPriority(int nice_increment) {
  if (nice_increment <= 0) return;
  const int target = std::min(19, ThisThreadNice() + nice_increment);
  setpriority(PRIO_PROCESS, ThisThreadId(), target);  // best effort: on failure the work still runs
}

void RunAtLowerPriority(int nice_increment, const std::function<void()>& work) {
  if (nice_increment <= 0) {
    work();
    return;
  }
  // A new thread starts with its creator's nice value.
  std::thread worker([&] {
    LowerThisThreadPriority(nice_increment);
    work();
  });
  worker.join();
}

}  // namespace ocop::threads
