#include "common/grpc/held_calls.h"

#include <algorithm>
#include <atomic>

#include "absl/strings/str_cat.h"

namespace ocop::grpcutil {

struct HeldCalls::Entry {
  grpc::ServerContextBase* context;
  std::atomic<int64_t> last_progress_nanos;
  std::atomic<bool> stalled{false};
  std::atomic<bool> working{false};  // waiting on us, not on the peer
};

namespace {
int64_t NowNanos() { return absl::ToUnixNanos(absl::Now()); }
}  // namespace

HeldCalls::HeldCalls(std::string what, int max_calls, absl::Duration stall_timeout)
    : what_(std::move(what)), max_calls_(max_calls), stall_timeout_(stall_timeout) {
  watchdog_ = std::thread([this] { Watch(); });
}

HeldCalls::~HeldCalls() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  watchdog_.join();
}

absl::StatusOr<HeldCalls::Hold> HeldCalls::Enter(grpc::ServerContextBase* context) {
  std::lock_guard lock(mutex_);
  if (static_cast<int>(entries_.size()) >= max_calls_) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many open ", what_, " (", max_calls_, ") on this server; retry in a few seconds"));
  }
  auto entry = std::make_shared<Entry>();
  entry->context = context;
  entry->last_progress_nanos = NowNanos();
  entries_.push_front(std::move(entry));
  return Hold(this, entries_.begin());
}

HeldCalls::Hold::~Hold() {
  if (owner_ == nullptr) return;
  std::lock_guard lock(owner_->mutex_);
  owner_->entries_.erase(entry_);
}

void HeldCalls::Hold::Progress() { (*entry_)->last_progress_nanos.store(NowNanos(), std::memory_order_relaxed); }

void HeldCalls::Hold::Working() { (*entry_)->working.store(true); }

bool HeldCalls::Hold::stalled() const { return (*entry_)->stalled.load(); }

int HeldCalls::active() const {
  std::lock_guard lock(mutex_);
  return static_cast<int>(entries_.size());
}

int64_t HeldCalls::stalled_calls() const {
  std::lock_guard lock(mutex_);
  return stalled_calls_;
}

void HeldCalls::Watch() {
  // Checks a few times per timeout, so a stalled call is cancelled within 1.25 timeouts.
  const auto tick = std::chrono::nanoseconds(std::max<int64_t>(absl::ToInt64Nanoseconds(stall_timeout_) / 4, 1'000'000));
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, tick);
    const int64_t deadline = NowNanos() - absl::ToInt64Nanoseconds(stall_timeout_);
    for (const std::shared_ptr<Entry>& entry : entries_) {
      if (entry->stalled || entry->working || entry->last_progress_nanos.load(std::memory_order_relaxed) > deadline) {
        continue;
      }
      // Held under the mutex: the call's Hold (destroyed before its handler returns, and so
      // before its context goes) cannot be released meanwhile.
      entry->stalled = true;
      ++stalled_calls_;
      entry->context->TryCancel();
    }
  }
}

}  // namespace ocop::grpcutil
