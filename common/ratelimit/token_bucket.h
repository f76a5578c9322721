// Per-client token buckets: each client may make `rate` requests per second on average with bursts
// of up to `burst`. Used on the public endpoints so that one phone, script or scraper cannot take
// the capacity meant for everyone.
//
// Thread-safe without a global lock: clients are spread over shards (cache::ShardedLru), so the
// HTTP I/O threads checking different clients do not wait for each other. Memory is bounded: at
// most `max_clients` buckets are kept; when full, the least recently used bucket (of its shard) is
// dropped to make room, in O(1). The client dropped is one idle long: usually refilled anyway; if
// not, it gets a fresh bucket when it comes back, which only a flood of more than `max_clients`
// distinct clients can cause.
#pragma once

#include <cstddef>
#include <string>

#include "absl/time/time.h"
#include "common/cache/sharded_lru.h"

namespace prometheus {
class Counter;
}

namespace ocop::ratelimit {

struct Decision {
  bool allowed = true;
  // When refused: how long until one request will be allowed.
  absl::Duration retry_after;
};

class TokenBucketLimiter {
 public:
  // `rate` tokens per second (> 0), `burst` tokens at most (>= 1).
  TokenBucketLimiter(double rate, double burst, size_t max_clients = 100000);

  // Takes one token from `client`'s bucket at time `now`.
  Decision Allow(const std::string& client, absl::Time now);
  // Whether `client` has a token at `now`, without taking it (e.g. to charge only failures).
  Decision Peek(const std::string& client, absl::Time now) const;

  size_t clients() const;
  // The most memory the buckets may take, as cache::ShardedLru counts it (keys up to 64 bytes).
  size_t max_bytes() const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  // Tokens in `bucket` at `now` (refilled since its last update).
  double TokensAt(const Bucket& bucket, absl::Time now) const;

  const double rate_;
  const double burst_;
  const size_t max_clients_;
  mutable cache::ShardedLru<Bucket> buckets_;
};

// The counter of refusals by the limit named `limit` (ocop_rate_limit_rejections_total{limit=...}),
// counted by the caller where it refuses: a limiter cannot tell a refusal from a Peek or an Allow
// that only charges a failure.
prometheus::Counter& RejectionsOf(const std::string& limit);

}  // namespace ocop::ratelimit
