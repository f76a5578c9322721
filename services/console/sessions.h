// The console's sign-in sessions, kept in this process's memory: a random cookie value names one;
// only its SHA-256 is kept, so the table holds nothing a visitor could present. A session ends
// when its registry session expires, after `idle_timeout` without a request, or at sign-out.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/token_source.h"

namespace ocop::console {

// Who is signed in, from the access token the registry issued at sign-in.
struct ConsoleUser {
  std::string subject;  // "users/{id}"
  std::string username;
  std::string role;      // producer, office, admin, council, ...
  std::string producer;  // "producers/{id}" for a producer
  std::string province;  // a province code for office staff
};

struct Session {
  ConsoleUser user;
  // Every form the session posts carries it; a form without it is refused (CSRF).
  std::string csrf;
  // "sessions/{id}" at the registry, revoked at sign-out.
  std::string registry_session;
  // Access tokens for the backend calls made for this user, minted from the registry session.
  std::shared_ptr<auth::TokenSource> tokens;
  absl::Time expires = absl::InfinitePast();
  // Set when the registry no longer honours the session (revoked, user disabled): the next Find
  // drops it, so the person is sent to sign in again.
  std::atomic<bool> ended{false};
};

class SessionStore {
 public:
  SessionStore(absl::Duration idle_timeout, size_t max_sessions, std::function<absl::Time()> clock);

  // Keeps `session` and returns the cookie value that names it. With the table full, the session
  // idle longest goes first.
  absl::StatusOr<std::string> Add(std::shared_ptr<Session> session);
  // The live session `cookie` names (and marks it used), or null.
  std::shared_ptr<Session> Find(const std::string& cookie);
  void Remove(const std::string& cookie);
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<Session> session;
    absl::Time last_seen;
  };
  const absl::Duration idle_timeout_;
  const size_t max_sessions_;
  const std::function<absl::Time()> clock_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> sessions_;  // by SHA-256 of the cookie value
};

}  // namespace ocop::console
