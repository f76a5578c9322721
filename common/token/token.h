// The stamp token: what a QR code carries after "/s/".
//
//   bytes  = version (1) | key id (4, big-endian) | serial (8, big-endian) | signature (64)
//   signed = kSignaturePrefix | the first 13 bytes
//   token  = base32(bytes), upper case, no padding: 124 characters for version 1
//
// See docs/token-format.md. Decoding is strict and canonical: one token spelling per stamp
// (either letter case), so caches and counters keyed by (key id, serial) cannot be split.
#pragma once

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "common/crypto/ed25519.h"

namespace ocop::token {

inline constexpr uint8_t kTokenVersion = 1;
inline constexpr size_t kTokenBytes = 1 + 4 + 8 + 64;
inline constexpr size_t kTokenChars = 124;  // ceil(77 * 8 / 5)
// Domain separation: a stamp signature can never be replayed as another protocol's signature.
inline constexpr absl::string_view kSignaturePrefix{"ocop-trace/stamp-token/v1\0", 26};

struct StampToken {
  uint8_t version = kTokenVersion;
  uint32_t key_id = 0;
  uint64_t serial = 0;
  std::string signature;  // 64 bytes
};

// The bytes the signature covers for (key_id, serial).
std::string SignedBytes(uint32_t key_id, uint64_t serial);

// Signs and encodes the token for (key_id, serial).
absl::StatusOr<std::string> EncodeToken(uint32_t key_id, uint64_t serial,
                                        const crypto::Ed25519PrivateKey& key);

// Decodes a token's text without checking its signature. INVALID_ARGUMENT naming the reason: wrong
// length, bad character, non-canonical base32, or unknown version.
absl::StatusOr<StampToken> DecodeToken(absl::string_view text);

// True when `token`'s signature verifies under `verifier`.
bool VerifyToken(const StampToken& token, const crypto::Ed25519Verifier& verifier);

// Finds the token in what a camera read: a URL ending "/s/{token}" or "/S/{token}" (scheme and
// host in any case, an optional query or fragment ignored) or a bare token. INVALID_ARGUMENT when
// there is none.
absl::StatusOr<absl::string_view> ExtractToken(absl::string_view code);

// Key ids are shown as 8 lower-case hex digits.
std::string KeyIdToHex(uint32_t key_id);
// INVALID_ARGUMENT unless `hex` is 8 hex digits.
absl::StatusOr<uint32_t> KeyIdFromHex(absl::string_view hex);

}  // namespace ocop::token
