#include "common/ratelimit/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace ocop::ratelimit {

TokenBucketLimiter::TokenBucketLimiter(double rate, double burst, size_t max_clients)
    : rate_(std::max(rate, 1e-9)), burst_(std::max(burst, 1.0)), max_clients_(std::max<size_t>(max_clients, 1)) {}

Decision TokenBucketLimiter::Allow(const std::string& client, absl::Time now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) Evict(now);
    recency_.push_front(client);
    it = buckets_.emplace(client, Bucket{burst_, now, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - it->second.updated));
    it->second.tokens = std::min(burst_, it->second.tokens + elapsed * rate_);
    it->second.updated = now;
  }
  Bucket& bucket = it->second;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return Decision{true, absl::ZeroDuration()};
  }
  return Decision{false, absl::Seconds((1.0 - bucket.tokens) / rate_)};
}

void TokenBucketLimiter::Evict(absl::Time now) {
  // Full buckets belong to clients idle long enough to have refilled: forgetting them loses nothing.
  const absl::Duration refill = absl::Seconds(burst_ / rate_);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (now - it->second.updated >= refill) {
      recency_.erase(it->second.recency);
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  while (buckets_.size() >= max_clients_ && !recency_.empty()) {
    buckets_.erase(recency_.back());
    recency_.pop_back();
  }
}

size_t TokenBucketLimiter::clients() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace ocop::ratelimit
