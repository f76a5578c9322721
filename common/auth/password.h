// Password hashing with Argon2id (RFC 9106) from Debian's libargon2, in the standard encoded form
// ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>"), so parameters can be raised later and old
// hashes still verify. Passwords and secrets are never stored or logged; only these hashes are.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ocop::auth {

// OWASP's Argon2id minimum (19 MiB, 2 passes, 1 lane): about 30 ms on the 2-core machine, which
// makes guessing slow while a login stays quick.
struct PasswordParams {
  uint32_t memory_kib = 19456;
  uint32_t passes = 2;
  uint32_t lanes = 1;
};

// INVALID_ARGUMENT naming `password` when it is shorter than 10 or longer than 256 bytes.
absl::Status CheckPasswordRules(absl::string_view password);

// The encoded Argon2id hash of `password` with a fresh 16-byte salt.
absl::StatusOr<std::string> HashPassword(absl::string_view password, const PasswordParams& params = {});

// Whether `password` matches `encoded` (constant time in the password).
bool VerifyPassword(absl::string_view encoded, absl::string_view password);

}  // namespace ocop::auth
