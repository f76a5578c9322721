#include "services/lookup/entity_cache.h"

namespace ocop::lookup {

EntityCache::EntityCache(redis::RedisClient* redis, size_t max_local_entries, std::function<absl::Time()> clock)
    : redis_(redis), max_local_entries_(max_local_entries), clock_(std::move(clock)) {}

std::optional<std::string> EntityCache::Get(const std::string& key, absl::Duration local_ttl) {
  absl::Time now = clock_();
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      if (it->second.expires > now) {
        recency_.splice(recency_.begin(), recency_, it->second.recency);
        return it->second.value;
      }
      recency_.erase(it->second.recency);
      entries_.erase(it);
    }
  }
  if (redis_ == nullptr) return std::nullopt;
  absl::StatusOr<std::optional<std::string>> shared = redis_->Get(RedisKey(key));
  if (!shared.ok() || !shared->has_value()) return std::nullopt;
  PutLocal(key, **shared, now + local_ttl);
  return *shared;
}

std::optional<std::string> EntityCache::GetLocal(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.expires <= clock_()) return std::nullopt;
  recency_.splice(recency_.begin(), recency_, it->second.recency);
  return it->second.value;
}

void EntityCache::Put(const std::string& key, const std::string& value, absl::Duration ttl) {
  PutLocal(key, value, clock_() + ttl);
  if (redis_ != nullptr) redis_->SetWithTtl(RedisKey(key), value, ttl).IgnoreError();
}

void EntityCache::PutLocal(const std::string& key, const std::string& value, absl::Time expires) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    it->second.value = value;
    it->second.expires = expires;
    recency_.splice(recency_.begin(), recency_, it->second.recency);
    return;
  }
  recency_.push_front(key);
  entries_.emplace(key, Entry{value, expires, recency_.begin()});
  while (entries_.size() > max_local_entries_) {
    entries_.erase(recency_.back());
    recency_.pop_back();
  }
}

void EntityCache::Invalidate(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      recency_.erase(it->second.recency);
      entries_.erase(it);
    }
  }
  if (redis_ != nullptr) redis_->Delete({RedisKey(key)}).IgnoreError();
}

void EntityCache::ClearLocal() {
  std::lock_guard lock(mutex_);
  entries_.clear();
  recency_.clear();
}

size_t EntityCache::local_size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace ocop::lookup
