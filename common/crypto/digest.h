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

// `size` bytes from OpenSSL's CSPRNG; INTERNAL if it is not seeded.
absl::StatusOr<std::string> RandomBytes(size_t size);

// Whether `a` and `b` are equal, in time that depends only on their lengths (CRYPTO_memcmp): for
// secrets and signatures, where an early exit would tell a guesser how much was right.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// Lower-case hex of `bytes`.
std::string HexEncode(std::string_view bytes);

}  // namespace ocop::crypto
