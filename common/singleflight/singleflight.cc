#include "common/singleflight/singleflight.h"

namespace ocop::singleflight {

absl::StatusOr<std::string> Group::Do(const std::string& key,
                                      const std::function<absl::StatusOr<std::string>()>& load) {
  std::unique_lock lock(mutex_);
  if (auto running = in_flight_.find(key); running != in_flight_.end()) {
    std::shared_future<absl::StatusOr<std::string>> result = running->second;
    lock.unlock();
    return result.get();
  }
  std::promise<absl::StatusOr<std::string>> promise;
  in_flight_.emplace(key, promise.get_future().share());
  lock.unlock();

  absl::StatusOr<std::string> result = load();  // must not throw: our loads return statuses

  lock.lock();
  in_flight_.erase(key);
  lock.unlock();
  promise.set_value(result);
  return result;
}

}  // namespace ocop::singleflight
