// Lookup's two-level cache of entity views: a bounded in-process LRU in front of Redis. Entries
// are serialized protobuf views keyed by entity and resource name ("batch:batches/x"); both levels
// cap their lifetime, and both are dropped when a change feed announces a change.
// Redis failures are treated as misses: lookup keeps answering from the backends.
#pragma once

#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/time/time.h"
#include "common/redis/redis_client.h"

namespace ocop::lookup {

class EntityCache {
 public:
  // `redis` may be null (no shared cache). Not owned.
  EntityCache(redis::RedisClient* redis, size_t max_local_entries, std::function<absl::Time()> clock);

  // The cached bytes for `key`, from memory or else Redis (then kept in memory for the rest of
  // `local_ttl`).
  std::optional<std::string> Get(const std::string& key, absl::Duration local_ttl);
  // The cached bytes for `key` from memory only (never waits for Redis).
  std::optional<std::string> GetLocal(const std::string& key);
  // Stores `value` in both levels for `ttl`.
  void Put(const std::string& key, const std::string& value, absl::Duration ttl);
  // Drops `key` from both levels.
  void Invalidate(const std::string& key);
  // Drops every in-memory entry (on a feed reconnect, changes may have been missed).
  void ClearLocal();

  size_t local_size() const;

  // Redis key prefix, versioned so a format change never reads old entries.
  static std::string RedisKey(const std::string& key) { return "ocop:lookup:v1:" + key; }

 private:
  struct Entry {
    std::string value;
    absl::Time expires;
    std::list<std::string>::iterator recency;
  };
  void PutLocal(const std::string& key, const std::string& value, absl::Time expires);

  redis::RedisClient* redis_;
  const size_t max_local_entries_;
  std::function<absl::Time()> clock_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> recency_;  // most recent first
};

}  // namespace ocop::lookup
