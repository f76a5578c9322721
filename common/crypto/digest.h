// Hashes, MACs and random bytes over OpenSSL 3 EVP.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ocop::crypto {

// The 32-byte SHA-256 of `data`.
std::string Sha256(std::string_view data);

// The 32-byte HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// HMAC-SHA256 under one key, many times: the key's inner and outer SHA-256 states are computed
// once, so each MAC costs two short hashes (OpenSSL 3's one-shot HMAC() sets up a MAC context on
// every call, which costs more than the hashing). Thread-safe.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  ~HmacSha256Key();
  HmacSha256Key(const HmacSha256Key&) = delete;
  HmacSha256Key& operator=(const HmacSha256Key&) = delete;
  // The 32-byte HMAC-SHA256 of `data`, equal to HmacSha256(key, data).
  std::string Mac(std::string_view data) const;

 private:
  struct Contexts;
  Contexts* contexts_;
};

// `size` bytes from OpenSSL's CSPRNG; INTERNAL if it is not seeded.
absl::StatusOr<std::string> RandomBytes(size_t size);

// Whether `a` and `b` are equal, in time that depends only on their lengths (CRYPTO_memcmp): for
// secrets and signatures, where an early exit would tell a guesser how much was right.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Lower-case hex of `bytes`.
std::string HexEncode(std::string_view bytes);

}  // namespace ocop::crypto
