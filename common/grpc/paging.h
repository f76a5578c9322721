// AIP-158 paging helpers: page sizes and opaque page tokens carrying a keyset cursor.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace ocop::grpcutil {

// The page size to use: `requested` if in 1..max, `default_size` for 0, max when above.
// INVALID_ARGUMENT naming page_size when negative.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

// An opaque token for "continue after the row with this position".
std::string EncodePageToken(int64_t after_position);
// The position in `token`, 0 for an empty token. INVALID_ARGUMENT naming page_token when malformed.
absl::StatusOr<int64_t> DecodePageToken(const std::string& token);

}  // namespace ocop::grpcutil
