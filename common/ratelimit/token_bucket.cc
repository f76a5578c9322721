#include "common/ratelimit/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace ocop::ratelimit {

TokenBucketLimiter::TokenBucketLimiter(double rate, double burst, size_t max_clients)
    : rate_(std::max(rate, 1e-9)), burst_(std::max(burst, 1.0)), max_clients_(std::max<size_t>(max_clients, 1)) {}

double TokenBucketLimiter::TokensAt(const Bucket& bucket, absl::Time now) const {
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  return std::min(burst_, bucket.tokens + elapsed * rate_);
}

Decision TokenBucketLimiter::Allow(const std::string& client, absl::Time now) {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_clients_) {
      buckets_.erase(recency_.back());  // the least recently used
      recency_.pop_back();
    }
    recency_.push_front(client);
    it = buckets_.emplace(client, Bucket{burst_, now, recency_.begin()}).first;
  } else {
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    it->second.tokens = TokensAt(it->second, now);
    it->second.updated = now;
  }
  Bucket& bucket = it->second;
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return Decision{true, absl::ZeroDuration()};
  }
  return Decision{false, absl::Seconds((1.0 - bucket.tokens) / rate_)};
}

Decision TokenBucketLimiter::Peek(const std::string& client, absl::Time now) const {
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(client);
  const double tokens = it == buckets_.end() ? burst_ : TokensAt(it->second, now);
  if (tokens >= 1.0) return Decision{true, absl::ZeroDuration()};
  return Decision{false, absl::Seconds((1.0 - tokens) / rate_)};
}

size_t TokenBucketLimiter::clients() const {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

}  // namespace ocop::ratelimit
