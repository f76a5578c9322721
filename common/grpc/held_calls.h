// Calls that can hold a synchronous server thread for long: change streams, stamp streams,
// client-streamed imports. Each kind is bounded in how many run at once (so held streams never
// take every thread of the pool and starve short calls), and a call that makes no progress for a
// while (a reader that stopped reading, a writer that stopped writing but never half-closed) is
// cancelled, freeing its thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include <grpcpp/server_context.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ocop::grpcutil {

class HeldCalls {
 public:
  // `what` names the kind in errors ("change streams"). At most `max_calls` at once; each is
  // cancelled after `stall_timeout` without Progress().
  HeldCalls(std::string what, int max_calls, absl::Duration stall_timeout);
  ~HeldCalls();
  HeldCalls(const HeldCalls&) = delete;
  HeldCalls& operator=(const HeldCalls&) = delete;

  struct Entry;
  // A call's place, released when destroyed (before the handler returns).
  class Hold {
   public:
    Hold(HeldCalls* owner, std::list<std::shared_ptr<Entry>>::iterator entry) : owner_(owner), entry_(entry) {}
    Hold(Hold&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)), entry_(other.entry_) {}
    Hold(const Hold&) = delete;
    ~Hold();
    // The call moved forward (a message read or written, an idle wait that is ours, not the
    // peer's): its stall clock restarts.
    void Progress();
    // The call now waits on our own work (an import being applied), not on the peer: the watchdog
    // leaves it alone from here on, however long that takes; its place is still held.
    void Working();
    // True once the watchdog cancelled the call for stalling.
    bool stalled() const;

   private:
    HeldCalls* owner_;
    std::list<std::shared_ptr<Entry>>::iterator entry_;
  };

  // A place for the call of `context`; RESOURCE_EXHAUSTED naming the kind when all are taken.
  absl::StatusOr<Hold> Enter(grpc::ServerContextBase* context);

  int active() const;
  // Calls cancelled for stalling so far.
  int64_t stalled_calls() const;

 private:
  void Watch();

  const std::string what_;
  const int max_calls_;
  const absl::Duration stall_timeout_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::list<std::shared_ptr<Entry>> entries_;
  int64_t stalled_calls_ = 0;
  std::thread watchdog_;
};

}  // namespace ocop::grpcutil
