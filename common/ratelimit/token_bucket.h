// Per-client token buckets: each client may make `rate` requests per second on average with bursts
// of up to `burst`. Used on the public endpoints so that one phone, script or scraper cannot take
// the capacity meant for everyone.
//
// Thread-safe. Memory is bounded: at most `max_clients` buckets are kept; when full, buckets that
// have refilled completely (idle clients, which lose nothing by being forgotten) are dropped, and if
// none has, the least recently used ones.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/time/time.h"

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

  size_t clients() const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
    std::list<std::string>::iterator recency;
  };
  void Evict(absl::Time now);

  const double rate_;
  const double burst_;
  const size_t max_clients_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> recency_;  // most recently used first
};

}  // namespace ocop::ratelimit
