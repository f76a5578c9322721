#include "services/lookup/entity_cache.h"

#include "absl/strings/str_cat.h"

namespace ocop::lookup {

EntityCache::EntityCache(redis::RedisClient* redis, size_t max_local_bytes, std::function<absl::Time()> clock,
                         std::string_view mac_secret)
    : redis_(redis),
      clock_(std::move(clock)),
      mac_key_(mac_secret),
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

EntityCache::FillTicket EntityCache::BeginFill(const std::string& key) const {
  FillTicket ticket;
  ticket.stripe = std::hash<std::string>()(key) % kStripes;
  ticket.stripe_epoch = epochs_[ticket.stripe].load();
  ticket.global_epoch = global_epoch_.load();
  return ticket;
}

bool EntityCache::StillCurrent(const FillTicket& ticket) const {
  return epochs_[ticket.stripe].load() == ticket.stripe_epoch && global_epoch_.load() == ticket.global_epoch;
}

std::string EntityCache::Sealed(const std::string& redis_key, const std::string& bytes) const {
  // The key is MACed too, so an entry cannot be copied under another key (one roll's states
  // under another roll's name).
  return mac_key_.Mac(absl::StrCat(redis_key.size(), ":", redis_key, bytes)).substr(0, kMacBytes) + bytes;
}

std::optional<std::string> EntityCache::Unsealed(const std::string& redis_key, const std::string& sealed) const {
  if (sealed.size() < kMacBytes) return std::nullopt;
  std::string bytes = sealed.substr(kMacBytes);
  const std::string expected = mac_key_.Mac(absl::StrCat(redis_key.size(), ":", redis_key, bytes)).substr(0, kMacBytes);
  if (!crypto::ConstantTimeEquals(expected, std::string_view(sealed).substr(0, kMacBytes))) return std::nullopt;
  return bytes;
}

std::shared_ptr<const View> EntityCache::Get(const std::string& key, absl::Duration local_ttl,
                                             const Decoder& decode) {
  if (std::shared_ptr<const View> local = GetLocal(key)) return local;
  if (redis_ == nullptr) return nullptr;
  const FillTicket ticket = BeginFill(key);
  const std::string redis_key = RedisKey(key);
  absl::StatusOr<std::optional<std::string>> shared = redis_->Get(redis_key);
  if (!shared.ok() || !shared->has_value()) return nullptr;
  std::optional<std::string> bytes = Unsealed(redis_key, **shared);
  if (!bytes.has_value()) {
    ++rejected_entries_;
    return nullptr;
  }
  absl::StatusOr<std::shared_ptr<const View>> view = decode(*bytes);
  if (!view.ok() || *view == nullptr) return nullptr;
  // Read before an invalidation that has landed since: good for this scan, not for keeping.
  if (!StillCurrent(ticket)) return *view;
  PutLocal(key, *view, clock_() + local_ttl);
  if (!StillCurrent(ticket)) local_.Erase(key);
  return *view;
}

void EntityCache::Put(const std::string& key, const std::string& bytes, std::shared_ptr<const View> view,
                      absl::Duration ttl, const FillTicket& ticket) {
  if (!StillCurrent(ticket)) return;
  PutLocal(key, std::move(view), clock_() + ttl);
  const std::string redis_key = RedisKey(key);
  if (redis_ != nullptr) redis_->SetWithTtl(redis_key, Sealed(redis_key, bytes), ttl).IgnoreError();
  // An invalidation that landed while this was being stored may have dropped the entry before it
  // arrived: undo, so the stale bytes do not stay until their TTL.
  if (!StillCurrent(ticket)) {
    local_.Erase(key);
    if (redis_ != nullptr) redis_->Delete({redis_key}).IgnoreError();
  }
}

void EntityCache::PutLocal(const std::string& key, std::shared_ptr<const View> view, absl::Time expires) {
  local_.Put(key, Entry{std::move(view), expires});
}

void EntityCache::Invalidate(const std::string& key) {
  ++epochs_[std::hash<std::string>()(key) % kStripes];
  local_.Erase(key);
  if (redis_ != nullptr) redis_->Delete({RedisKey(key)}).IgnoreError();
}

void EntityCache::ClearLocal() {
  ++global_epoch_;
  local_.Clear();
}

}  // namespace ocop::lookup
