// Scratch-PIN secrets. A stamp's PIN is derived from its roll's PIN secret and its serial with
// HMAC-SHA256, so PINs are never stored; the secret is.
//
// Layout of the folder (0700): {secret_id}.secret (32 random bytes, 0600) and `current` (the id new
// rolls use). Losing a secret file makes every PIN printed with it unverifiable: back it up with
// the signing keys.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ocop::stamp {

inline constexpr int kPinDigits = 8;

// The PIN of `serial` under `secret`: HMAC-SHA256(secret, "ocop-trace/pin/v1\0" | serial as 8
// big-endian bytes), its first 8 bytes as a big-endian number modulo 10^8, zero-padded.
std::string DerivePin(absl::string_view secret, uint64_t serial);

class PinSecrets {
 public:
  // Loads the folder, creating it and a first secret when empty. FAILED_PRECONDITION for a secret
  // file others can read or a `current` naming a missing secret.
  static absl::StatusOr<std::unique_ptr<PinSecrets>> Open(const std::string& folder);

  const std::string& current_id() const { return current_id_; }
  // The PIN of `serial` under secret `secret_id`; NOT_FOUND when that secret is not held.
  absl::StatusOr<std::string> Pin(const std::string& secret_id, uint64_t serial) const;

 private:
  std::map<std::string, std::string> secrets_;
  std::string current_id_;
};

}  // namespace ocop::stamp
