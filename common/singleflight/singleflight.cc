#include "common/singleflight/singleflight.h"

namespace ocop::singleflight {

absl::StatusOr<std::string> Group::Do(const std::string& key,
                                      const std::function<absl::StatusOr<std::string>()>& load) {
  std::unique_lock lock(mutex_);
  if (auto running = in_flight_.find(key); running != in_flight_.end()) {
    std::shared_future<absl::StatusOr<std::string>> result = running->second.result;
    ++running->second.waiters;
    lock.unlock();
    return result.get();
  }
  std::promise<absl::StatusOr<std::string>> promise;
  in_flight_.emplace(key, InFlight{promise.get_future().share()});
  lock.unlock();

  // The key is released however the load ends: a load that throws must not leave it "in flight"
  // for ever (every later caller would wait on a result that never comes).
  auto release = [this, &key] {
    std::lock_guard guard(mutex_);
    in_flight_.erase(key);
  };
  absl::StatusOr<std::string> result;
  try {
    result = load();
  } catch (...) {
    release();
    promise.set_exception(std::current_exception());  // waiters see the same failure
    throw;
  }
  release();
  promise.set_value(result);
  return result;
}

int Group::Waiters(const std::string& key) const {
  std::lock_guard guard(mutex_);
  auto running = in_flight_.find(key);
  return running == in_flight_.end() ? 0 : running->second.waiters;
}

}  // namespace ocop::singleflight
