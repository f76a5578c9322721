// Duplicate suppression for concurrent loads: while a load for a key is running, other callers
// asking for the same key wait for its result instead of starting their own. A popular stamp that
// falls out of the cache therefore costs the backends one call, not one per waiting scan (no
// thundering herd). Nothing is cached here: the next call after the load finishes loads again.
#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"

namespace ocop::singleflight {

class Group {
 public:
  // Runs `load` for `key`, or waits for the run already in flight for `key` and returns its result.
  // A load that throws throws in its caller and in every caller waiting for it, and leaves the key
  // free for the next call.
  absl::StatusOr<std::string> Do(const std::string& key, const std::function<absl::StatusOr<std::string>()>& load);

  // Callers waiting for the load in flight for `key` (0 when none runs): each of them will get its
  // result, whatever happens from here on.
  int Waiters(const std::string& key) const;

 private:
  struct InFlight {
    std::shared_future<absl::StatusOr<std::string>> result;
    int waiters = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::string, InFlight> in_flight_;
};

}  // namespace ocop::singleflight
