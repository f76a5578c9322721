// Per-client token buckets: each client may make `rate` requests per second on average with bursts
// of up to `burst`. Used on the public endpoints so that one phone, script or scraper cannot take
// the capacity meant for everyone.
//
// Thread-safe. Memory is bounded: at most `max_clients` buckets are kept; when full, the least
// recently used bucket is dropped to make room, in O(1) (the limiter runs on the HTTP I/O threads
// under one lock, so a full table must never be scanned). The client dropped is the one idle
// longest: usually refilled anyway; if not, it gets a fresh bucket when it comes back, which only
// a flood of more than `max_clients` distinct clients can cause.
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
  // Whether `client` has a token at `now`, without taking it (e.g. to charge only failures).
  Decision Peek(const std::string& client, absl::Time now) const;

  size_t clients() const;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
    std::list<std::string>::iterator recency;
  };
  // Tokens in `bucket` at `now` (refilled since its last update).
  double TokensAt(const Bucket& bucket, absl::Time now) const;

  const double rate_;
  const double burst_;
  const size_t max_clients_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  std::list<std::string> recency_;  // most recently used first
};

}  // namespace ocop::ratelimit
