// RFC 4648 base32 without padding, strict: exactly one spelling per byte string.
#pragma once

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace ocop::token {

// Upper-case base32 of `bytes`, no padding.
std::string Base32Encode(absl::string_view bytes);

// Decodes unpadded base32 in either letter case. INVALID_ARGUMENT for a character outside the
// alphabet, padding, a length no byte string encodes to, or non-zero trailing bits (a
// non-canonical spelling of the same bytes).
absl::StatusOr<std::string> Base32Decode(absl::string_view text);

}  // namespace ocop::token
