// GS1 Digital Link stamps: {base}/01/{gtin}/10/{lot}/21/{serial}?k={key id}&s={signature}.
//
// For products with a GTIN a stamp can carry a GS1 Digital Link URI that supermarket scanners
// read, instead of /s/{token}. Scheme and host stay lower case (GS1's URI grammar requires it), so
// the QR code is in byte mode and larger than a /s/ stamp. The Ed25519 signature covers
//   "ocop-trace/digital-link/v1\0" | key id (4 bytes, big-endian) | GTIN (14 ASCII digits) | 0x00 |
//   lot (ASCII) | 0x00 | serial (8 bytes, big-endian)
// and is carried base64url without padding in `s`; `k` is the key id as 8 hex digits.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/ed25519.h"

namespace ocop::digital_link {

struct DigitalLinkStamp {
  std::string gtin;  // 14 digits
  std::string lot;
  uint64_t serial = 0;
  uint32_t key_id = 0;
  std::string signature;  // 64 bytes
};

// The bytes the signature covers.
std::string SignedBytes(uint32_t key_id, absl::string_view gtin, absl::string_view lot, uint64_t serial);

// The signed URI under `base_url` (scheme and host, lower-cased here).
absl::StatusOr<std::string> Encode(absl::string_view base_url, uint32_t key_id, absl::string_view gtin,
                                   absl::string_view lot, uint64_t serial, const crypto::Ed25519PrivateKey& key);

// Percent-encodes everything but RFC 3986 unreserved characters (a lot or serial in a path).
std::string PercentEncodePath(absl::string_view text);

// True when `code` looks like a Digital Link stamp (its path starts with /01/).
bool LooksLikeDigitalLink(absl::string_view code);

// Parses a Digital Link stamp URI (or its path and query). INVALID_ARGUMENT naming the part that is
// wrong: GTIN (14 digits, check digit), lot, serial, k or s. Does not check the signature.
absl::StatusOr<DigitalLinkStamp> Parse(absl::string_view code);

// Any GS1 Digital Link to a product, a lot or a unit: /01/{gtin}[/10/{lot}[/21/{serial}]] with
// its query (what a supermarket label or a producer's own GS1 link carries; no signature needed).
struct DigitalLinkPath {
  std::string gtin;    // 14 digits
  std::string lot;     // empty for a product link
  std::string serial;  // empty unless given (not necessarily one of our serials)
  // Query parameters in order (e.g. k, s, linkType).
  std::vector<std::pair<std::string, std::string>> query;
  // The value of query parameter `name`, or "".
  std::string Param(absl::string_view name) const;
};

// INVALID_ARGUMENT naming the part that is wrong.
absl::StatusOr<DigitalLinkPath> ParsePath(absl::string_view code);

// True when `stamp`'s signature verifies under `verifier`.
bool Verify(const DigitalLinkStamp& stamp, const crypto::Ed25519Verifier& verifier);

}  // namespace ocop::digital_link
