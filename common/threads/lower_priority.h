// Background work (rendering a roll of PNG or PDF labels: seconds of a core; storing a batch of
// scan history) at a lower CPU priority, so that on a shared machine the short interactive calls
// around it (a stamp lookup for a scan, a scan's page) keep their cores and the background work
// takes what is left, instead of sharing equally and making every scan wait meanwhile.
#pragma once

#include <functional>

namespace ocop::threads {

// Runs `work` on a new thread whose nice value is raised by `nice_increment` (capped at 19; 0 or
// less: the caller's priority), and returns when it is done. A thread may lower its own priority
// without privileges but not raise it back, which is why the work gets a thread of its own rather
// than lowering a pooled one. Failing to lower it (a sandbox that forbids it) only leaves the
// priority as it was.
void RunAtLowerPriority(int nice_increment, const std::function<void()>& work);

// Raises the calling thread's nice value by `nice_increment` (capped at 19) for the rest of its
// life: for a thread that only ever does background work (best effort, as above).
void LowerThisThreadPriority(int nice_increment);

// The nice value of the calling thread.
int ThisThreadNice();

}  // namespace ocop::threads
