#include "common/ratelimit/token_bucket.h"

#include <algorithm>
#include <cmath>

#include "common/metrics/metrics.h"

namespace ocop::ratelimit {
namespace {

// Small tables keep one shard, so that their LRU order is exact.
size_t ShardsFor(size_t max_clients) { return max_clients >= 1024 ? 16 : 1; }

}  // namespace

TokenBucketLimiter::TokenBucketLimiter(double rate, double burst, size_t max_clients)
    : rate_(std::max(rate, 1e-9)),
      burst_(std::max(burst, 1.0)),
      max_clients_(std::max<size_t>(max_clients, 1)),
      buckets_(cache::ShardedLru<Bucket>::Bounds::Entries(max_clients_, ShardsFor(max_clients_))) {}

double TokenBucketLimiter::TokensAt(const Bucket& bucket, absl::Time now) const {
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - bucket.updated));
  return std::min(burst_, bucket.tokens + elapsed * rate_);
}

Decision TokenBucketLimiter::Allow(const std::string& client, absl::Time now) {
  return buckets_.Update(
      client, [&] { return Bucket{burst_, now}; },
      [&](Bucket& bucket) {
        bucket.tokens = TokensAt(bucket, now);
        bucket.updated = std::max(bucket.updated, now);
        if (bucket.tokens >= 1.0) {
          bucket.tokens -= 1.0;
          return Decision{true, absl::ZeroDuration()};
        }
        return Decision{false, absl::Seconds((1.0 - bucket.tokens) / rate_)};
      });
}

Decision TokenBucketLimiter::Peek(const std::string& client, absl::Time now) const {
  std::optional<Bucket> bucket = buckets_.Get(client);
  const double tokens = bucket.has_value() ? TokensAt(*bucket, now) : burst_;
  if (tokens >= 1.0) return Decision{true, absl::ZeroDuration()};
  return Decision{false, absl::Seconds((1.0 - tokens) / rate_)};
}

size_t TokenBucketLimiter::clients() const { return buckets_.size(); }

size_t TokenBucketLimiter::max_bytes() const {
  return max_clients_ * (cache::ShardedLru<Bucket>::kEntryOverheadBytes + sizeof(Bucket) + 2 * 64);
}

prometheus::Counter& RejectionsOf(const std::string& limit) {
  return metrics::CounterFamily("ocop_rate_limit_rejections_total",
                                "Requests refused (or, for the audit trail, refusals not recorded) by a rate limit.")
      .Add({{"limit", limit}});
}

}  // namespace ocop::ratelimit
