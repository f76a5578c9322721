#include "services/lookup/entity_cache.h"

namespace ocop::lookup {

EntityCache::EntityCache(redis::RedisClient* redis, size_t max_local_bytes, std::function<absl::Time()> clock)
    : redis_(redis),
      clock_(std::move(clock)),
      local_(cache::ShardedLru<Entry>::Bounds::Bytes(max_local_bytes),
             [](const Entry& entry) { return entry.view == nullptr ? 0 : entry.view->MemoryBytes(); }) {}

std::shared_ptr<const View> EntityCache::GetLocal(const std::string& key) {
  std::optional<Entry> entry = local_.Get(key);
  if (!entry.has_value()) return nullptr;
  if (entry->expires <= clock_()) {
    local_.Erase(key);
    return nullptr;
  }
  return std::move(entry->view);
}

std::shared_ptr<const View> EntityCache::Get(const std::string& key, absl::Duration local_ttl,
                                             const Decoder& decode) {
  if (std::shared_ptr<const View> local = GetLocal(key)) return local;
  if (redis_ == nullptr) return nullptr;
  absl::StatusOr<std::optional<std::string>> shared = redis_->Get(RedisKey(key));
  if (!shared.ok() || !shared->has_value()) return nullptr;
  absl::StatusOr<std::shared_ptr<const View>> view = decode(**shared);
  if (!view.ok() || *view == nullptr) return nullptr;
  PutLocal(key, *view, clock_() + local_ttl);
  return *view;
}

void EntityCache::Put(const std::string& key, const std::string& bytes, std::shared_ptr<const View> view,
                      absl::Duration ttl) {
  PutLocal(key, std::move(view), clock_() + ttl);
  if (redis_ != nullptr) redis_->SetWithTtl(RedisKey(key), bytes, ttl).IgnoreError();
}

void EntityCache::PutLocal(const std::string& key, std::shared_ptr<const View> view, absl::Time expires) {
  local_.Put(key, Entry{std::move(view), expires});
}

void EntityCache::Invalidate(const std::string& key) {
  local_.Erase(key);
  if (redis_ != nullptr) redis_->Delete({RedisKey(key)}).IgnoreError();
}

void EntityCache::ClearLocal() { local_.Clear(); }

}  // namespace ocop::lookup
