// Lookup's two-level cache of entity views: a bounded in-process cache of decoded views
// (views.h) in front of Redis, which holds their serialised bytes for every lookup replica.
// Entries are keyed by entity and resource name ("batch:batches/x"); both levels cap their
// lifetime, and both are dropped when a change feed announces a change. The in-process level is
// sharded (cache::ShardedLru), so scans of different views never wait for each other, and bounded
// in bytes. Redis failures are treated as misses: lookup keeps answering from the backends.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/cache/sharded_lru.h"
#include "common/redis/redis_client.h"
#include "services/lookup/views.h"

namespace ocop::lookup {

class EntityCache {
 public:
  // Turns the bytes of an entry into its view; an error makes the entry a miss.
  using Decoder = std::function<absl::StatusOr<std::shared_ptr<const View>>(const std::string& bytes)>;

  // `redis` may be null (no shared cache). Not owned. Memory holds views of at most about
  // `max_local_bytes` in all (View::MemoryBytes).
  EntityCache(redis::RedisClient* redis, size_t max_local_bytes, std::function<absl::Time()> clock);

  // The view at `key` from memory only (never waits for Redis); null when not there.
  std::shared_ptr<const View> GetLocal(const std::string& key);
  // From memory, else from Redis, decoded with `decode` and kept in memory for the rest of
  // `local_ttl`; null when neither has it.
  std::shared_ptr<const View> Get(const std::string& key, absl::Duration local_ttl, const Decoder& decode);
  // Stores `view` in memory and its `bytes` in Redis, for `ttl`.
  void Put(const std::string& key, const std::string& bytes, std::shared_ptr<const View> view, absl::Duration ttl);
  // Drops `key` from both levels.
  void Invalidate(const std::string& key);
  // Drops every in-memory entry (on a feed reconnect, changes may have been missed).
  void ClearLocal();

  size_t local_size() const { return local_.size(); }
  size_t local_bytes() const { return local_.bytes(); }
  size_t max_local_bytes() const { return local_.max_bytes(); }

  // Redis key prefix, versioned so a format change never reads old entries.
  static std::string RedisKey(const std::string& key) { return "ocop:lookup:v1:" + key; }

 private:
  struct Entry {
    std::shared_ptr<const View> view;
    absl::Time expires;
  };
  void PutLocal(const std::string& key, std::shared_ptr<const View> view, absl::Time expires);

  redis::RedisClient* redis_;
  std::function<absl::Time()> clock_;
  cache::ShardedLru<Entry> local_;
};

}  // namespace ocop::lookup
