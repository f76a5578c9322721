// A bounded, thread-safe least-recently-used map for hot paths: the keys are spread over shards,
// each with its own lock, recency list and share of the byte budget, so threads that touch
// different keys never wait for each other and no operation scans the table.
//
// The bound is in bytes, as `size_of(value)` counts them plus the key and a fixed per-entry
// overhead for the node, the hash slot and the recency link, so an operator can add up the bounds
// of every cache in a process; optionally also in entries. Beyond either, the least recently used
// entries of the shard are dropped. A small bound wants one shard (exact LRU order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/hash/hash.h"

namespace ocop::cache {

template <typename Value>
class ShardedLru {
 public:
  // Bytes an entry costs besides its key and what `size_of` counts: the map node, the hash
  // bucket, the recency list node and the key's second copy in it (measured with glibc malloc).
  static constexpr size_t kEntryOverheadBytes = 160;
  using SizeOf = std::function<size_t(const Value&)>;

  struct Bounds {
    size_t max_bytes = SIZE_MAX;
    size_t max_entries = SIZE_MAX;
    size_t shards = 16;
    static Bounds Bytes(size_t max_bytes) { return Bounds{max_bytes, SIZE_MAX, 16}; }
    static Bounds Entries(size_t max_entries, size_t shards = 16) { return Bounds{SIZE_MAX, max_entries, shards}; }
  };

  // Each shard gets an equal part of the bounds. `size_of`: heap bytes a value holds beyond
  // sizeof(Value) (none when not given).
  explicit ShardedLru(Bounds bounds, SizeOf size_of = nullptr)
      : shards_(std::max<size_t>(bounds.shards, 1)),
        max_shard_bytes_(std::max<size_t>(bounds.max_bytes / shards_.size(), 1)),
        max_shard_entries_(std::max<size_t>(bounds.max_entries / shards_.size(), 1)),
        size_of_(std::move(size_of)) {}

  // A copy of the value at `key` (marked most recently used), or nothing.
  std::optional<Value> Get(const std::string& key) {
    Shard& shard = ShardOf(key);
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it == shard.entries.end()) return std::nullopt;
    shard.recency.splice(shard.recency.begin(), shard.recency, it->second.recency);
    return it->second.value;
  }

  // Runs `test` on the value at `key` under its shard's lock (no copy) and marks it most recently
  // used; false when there is none.
  template <typename Test>
  bool Check(const std::string& key, Test&& test) {
    Shard& shard = ShardOf(key);
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it == shard.entries.end()) return false;
    shard.recency.splice(shard.recency.begin(), shard.recency, it->second.recency);
    return test(static_cast<const Value&>(it->second.value));
  }

  // Sets `key` to `value`, dropping the least recently used entries of its shard beyond the bound.
  // (Value must be default-constructible.)
  void Put(const std::string& key, Value value) {
    Update(key, [] { return Value(); }, [&](Value& stored) { stored = std::move(value); });
  }

  // Under the shard's lock: runs `update` on the value at `key`, first inserting `make()` when
  // there is none; returns what `update` returns. The entry becomes the most recently used.
  template <typename Make, typename Apply>
  auto Update(const std::string& key, Make&& make, Apply&& update) {
    Shard& shard = ShardOf(key);
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it == shard.entries.end()) {
      shard.recency.push_front(key);
      it = shard.entries.emplace(key, Entry{make(), shard.recency.begin(), 0}).first;
    } else {
      shard.recency.splice(shard.recency.begin(), shard.recency, it->second.recency);
    }
    Entry& entry = it->second;
    shard.bytes -= entry.bytes;
    if constexpr (std::is_void_v<decltype(update(entry.value))>) {
      update(entry.value);
      entry.bytes = BytesOf(key, entry.value);
      shard.bytes += entry.bytes;
      EvictLocked(shard);
    } else {
      auto result = update(entry.value);
      entry.bytes = BytesOf(key, entry.value);
      shard.bytes += entry.bytes;
      EvictLocked(shard);
      return result;
    }
  }

  // Drops `key`; true when it was there.
  bool Erase(const std::string& key) {
    Shard& shard = ShardOf(key);
    std::lock_guard lock(shard.mutex);
    auto it = shard.entries.find(key);
    if (it == shard.entries.end()) return false;
    shard.bytes -= it->second.bytes;
    shard.recency.erase(it->second.recency);
    shard.entries.erase(it);
    return true;
  }

  void Clear() {
    for (Shard& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      shard.entries.clear();
      shard.recency.clear();
      shard.bytes = 0;
    }
  }

  size_t size() const {
    size_t total = 0;
    for (const Shard& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      total += shard.entries.size();
    }
    return total;
  }

  // What the entries cost, as counted against the bound.
  size_t bytes() const {
    size_t total = 0;
    for (const Shard& shard : shards_) {
      std::lock_guard lock(shard.mutex);
      total += shard.bytes;
    }
    return total;
  }

  size_t max_bytes() const { return max_shard_bytes_ * shards_.size(); }
  size_t max_entries() const { return max_shard_entries_ * shards_.size(); }

 private:
  struct Entry {
    Value value;
    std::list<std::string>::iterator recency;
    size_t bytes;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<std::string, Entry> entries;
    std::list<std::string> recency;  // most recently used first
    size_t bytes = 0;
  };

  Shard& ShardOf(const std::string& key) { return shards_[absl::Hash<std::string>{}(key) % shards_.size()]; }

  size_t BytesOf(const std::string& key, const Value& value) const {
    // The key is held twice (map and recency list); short keys live inside the string object.
    const size_t key_heap = key.size() > 15 ? key.capacity() + 1 : 0;
    return kEntryOverheadBytes + sizeof(Value) + 2 * key_heap + (size_of_ ? size_of_(value) : 0);
  }

  // Keeps the most recently used entry even when it alone is over the bound.
  void EvictLocked(Shard& shard) {
    while ((shard.bytes > max_shard_bytes_ || shard.entries.size() > max_shard_entries_) &&
           shard.entries.size() > 1) {
      auto victim = shard.entries.find(shard.recency.back());
      shard.bytes -= victim->second.bytes;
      shard.entries.erase(victim);
      shard.recency.pop_back();
    }
  }

  std::vector<Shard> shards_;
  const size_t max_shard_bytes_;
  const size_t max_shard_entries_;
  SizeOf size_of_;
};

}  // namespace ocop::cache
