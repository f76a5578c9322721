// Lookup's two-level cache of entity views: a bounded in-process cache of decoded views
// (views.h) in front of Redis, which holds their serialised bytes for every lookup replica.
// Entries are keyed by entity and resource name ("batch:batches/x"); both levels cap their
// lifetime, and both are dropped when a change feed announces a change. The in-process level is
// sharded (cache::ShardedLru), so scans of different views never wait for each other, and bounded
// in bytes. Redis failures are treated as misses: lookup keeps answering from the backends.
//
// Redis is not trusted blindly: each entry carries an HMAC-SHA256 of its key and bytes under a
// secret the lookup replicas share, so whoever can write to Redis still cannot make a revoked
// stamp's roll read as active; an entry whose MAC does not match is a miss.
//
// A fill never outlives an invalidation that raced it: BeginFill() takes a ticket before the load,
// and Put() with a ticket that an Invalidate() (or ClearLocal()) overtook stores nothing, or
// undoes what it stored when the invalidation landed during the Put itself.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/cache/sharded_lru.h"
#include "common/crypto/digest.h"
#include "common/redis/redis_client.h"
#include "services/lookup/views.h"

namespace ocop::lookup {

class EntityCache {
 public:
  // Turns the bytes of an entry into its view; an error makes the entry a miss.
  using Decoder = std::function<absl::StatusOr<std::shared_ptr<const View>>(const std::string& bytes)>;

  // `redis` may be null (no shared cache). Not owned. Memory holds views of at most about
  // `max_local_bytes` in all (View::MemoryBytes). `mac_secret` (at least 16 bytes) keys the MACs
  // of Redis entries; replicas sharing Redis must share it.
  EntityCache(redis::RedisClient* redis, size_t max_local_bytes, std::function<absl::Time()> clock,
              std::string_view mac_secret);

  // Taken before loading `key` from a backend; see Put.
  struct FillTicket {
    size_t stripe = 0;
    uint64_t stripe_epoch = 0;
    uint64_t global_epoch = 0;
  };
  FillTicket BeginFill(const std::string& key) const;

  // The view at `key` from memory only (never waits for Redis); null when not there.
  std::shared_ptr<const View> GetLocal(const std::string& key);
  // From memory, else from Redis, decoded with `decode` and kept in memory for the rest of
  // `local_ttl`; null when neither has it.
  std::shared_ptr<const View> Get(const std::string& key, absl::Duration local_ttl, const Decoder& decode);
  // Stores `view` in memory and its `bytes` in Redis, for `ttl`, unless `key` was invalidated since
  // `ticket` was taken (the bytes may predate the change).
  void Put(const std::string& key, const std::string& bytes, std::shared_ptr<const View> view, absl::Duration ttl,
           const FillTicket& ticket);
  // Drops `key` from both levels.
  void Invalidate(const std::string& key);
  // Drops every in-memory entry (on a feed reconnect, changes may have been missed).
  void ClearLocal();

  size_t local_size() const { return local_.size(); }
  size_t local_bytes() const { return local_.bytes(); }
  size_t max_local_bytes() const { return local_.max_bytes(); }

  // Redis key prefix, versioned so a format change never reads old entries (v2: MAC first).
  static std::string RedisKey(const std::string& key) { return "ocop:lookup:v2:" + key; }
  // Entries read from Redis whose MAC did not match (tampered with, or another secret).
  int64_t rejected_entries() const { return rejected_entries_.load(); }

 private:
  struct Entry {
    std::shared_ptr<const View> view;
    absl::Time expires;
  };
  void PutLocal(const std::string& key, std::shared_ptr<const View> view, absl::Time expires);
  bool StillCurrent(const FillTicket& ticket) const;
  std::string Sealed(const std::string& redis_key, const std::string& bytes) const;
  // The bytes of a sealed entry, or nullopt when its MAC is wrong.
  std::optional<std::string> Unsealed(const std::string& redis_key, const std::string& sealed) const;

  static constexpr size_t kStripes = 1024;
  static constexpr size_t kMacBytes = 16;
  redis::RedisClient* redis_;
  std::function<absl::Time()> clock_;
  crypto::HmacSha256Key mac_key_;
  cache::ShardedLru<Entry> local_;
  // Bumped by Invalidate (per stripe of keys) and ClearLocal (all), before they drop anything.
  std::array<std::atomic<uint64_t>, kStripes> epochs_{};
  std::atomic<uint64_t> global_epoch_{0};
  std::atomic<int64_t> rejected_entries_{0};
};

}  // namespace ocop::lookup
