#include "services/console/sessions.h"

#include "common/crypto/digest.h"
#include "common/token/base32.h"

namespace ocop::console {

SessionStore::SessionStore(absl::Duration idle_timeout, size_t max_sessions, std::function<absl::Time()> clock)
    : idle_timeout_(idle_timeout), max_sessions_(std::max<size_t>(1, max_sessions)), clock_(std::move(clock)) {}

absl::StatusOr<std::string> SessionStore::Add(std::shared_ptr<Session> session) {
  absl::StatusOr<std::string> random = crypto::RandomBytes(32);
  if (!random.ok()) return random.status();
  const std::string cookie = token::Base32Encode(*random);
  const absl::Time now = clock_();
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= max_sessions_) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
      if (it->second.last_seen < oldest->second.last_seen) oldest = it;
    }
    sessions_.erase(oldest);
  }
  sessions_[crypto::Sha256(cookie)] = Entry{std::move(session), now};
  return cookie;
}

std::shared_ptr<Session> SessionStore::Find(const std::string& cookie) {
  if (cookie.empty()) return nullptr;
  const absl::Time now = clock_();
  std::lock_guard lock(mutex_);
  auto found = sessions_.find(crypto::Sha256(cookie));
  if (found == sessions_.end()) return nullptr;
  if (now - found->second.last_seen > idle_timeout_ || now >= found->second.session->expires ||
      found->second.session->ended) {
    sessions_.erase(found);
    return nullptr;
  }
  found->second.last_seen = now;
  return found->second.session;
}

void SessionStore::Remove(const std::string& cookie) {
  std::lock_guard lock(mutex_);
  sessions_.erase(crypto::Sha256(cookie));
}

size_t SessionStore::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace ocop::console
