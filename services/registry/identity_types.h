// Identity records as the domain sees them (identity.h).
#pragma once

#include <string>

#include "absl/time/time.h"

namespace ocop::registry {

struct User {
  std::string name;  // users/{id}
  std::string username;
  std::string display_name;
  std::string role;
  std::string producer;
  std::string province_code;
  std::string printer;
  std::string password_hash;  // Argon2id encoded; empty: cannot sign in with a password
  bool disabled = false;
  int failed_logins = 0;  // in a row, since the last success or lock
  absl::Time locked_until = absl::InfinitePast();
  absl::Time create_time = absl::InfinitePast();
};

// A session (from a login) or an API key: a random secret that mints access tokens.
struct Credential {
  std::string name;  // sessions/{id} or apiKeys/{id}
  std::string user;  // users/{id}
  std::string secret_sha256;  // hex
  std::string display_name;
  absl::Time expire_time = absl::InfinitePast();
  std::string revoked_reason;  // non-empty once revoked
  std::string revoked_by;
  absl::Time create_time = absl::InfinitePast();
};

}  // namespace ocop::registry
