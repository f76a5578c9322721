// The public keys lookup verifies stamp tokens with, fetched from the stamp service. Private keys
// never come here.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/crypto/ed25519.h"
#include "common/token/token.h"

namespace ocop::lookup {

class KeyRing {
 public:
  // Returns key id -> raw 32-byte Ed25519 public key (e.g. from stamp's ListPublicKeys).
  using KeySource = std::function<absl::StatusOr<std::map<uint32_t, std::string>>()>;

  // `min_refresh_interval` bounds how often an unknown key id may trigger a fetch, so a flood of
  // forged key ids cannot turn into a flood of calls to the stamp service.
  KeyRing(KeySource source, std::function<absl::Time()> clock, absl::Duration min_refresh_interval);

  // Fetches the keys now. UNAVAILABLE when the source cannot be reached (the old keys stay).
  absl::Status Refresh();

  enum class Verification {
    kValid,
    kBadSignature,
    // The key id is not among the stamp service's keys, as its last answer said: not genuine.
    kUnknownKey,
    // The key id is not known here and the stamp service could not be asked (it is down, or the
    // last refresh failed and the next one is not due yet): nothing can be said about the stamp.
    kCannotCheck,
  };
  // Runs `check` with the verifier of `key_id`. An unknown key id triggers one refresh
  // (rate-limited) first; it is kUnknownKey only when the latest refresh succeeded.
  Verification Verify(uint32_t key_id, const std::function<bool(const crypto::Ed25519Verifier&)>& check);
  // Checks `token`'s signature.
  Verification Verify(const token::StampToken& token);

  // True when `key_id` is known now (no refresh).
  bool Knows(uint32_t key_id) const { return Find(key_id).has_value(); }

  size_t size() const;
  // Key id -> raw public key for every key known now.
  std::map<uint32_t, std::string> PublicKeys() const;
  // Refreshes unless a refresh was attempted within the minimum interval.
  void RefreshIfStale();

 private:
  std::optional<crypto::Ed25519Verifier> Find(uint32_t key_id) const;
  // The source's keys as verifiers; UNAVAILABLE (or the source's error) when it cannot answer.
  absl::StatusOr<std::map<uint32_t, crypto::Ed25519Verifier>> Fetch() const;

  KeySource source_;
  std::function<absl::Time()> clock_;
  absl::Duration min_refresh_interval_;
  mutable std::mutex mutex_;
  std::map<uint32_t, crypto::Ed25519Verifier> verifiers_;
  absl::Time last_refresh_attempt_ = absl::InfinitePast();
  // Whether the latest refresh attempt got the stamp service's key list (none yet: false).
  bool last_refresh_succeeded_ = false;
};

}  // namespace ocop::lookup
