// Input checks shared by the services' domain layers. Each returns INVALID_ARGUMENT with a message
// that names the field and the rule ("product.display_name: must not be empty").
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace ocop::validate {

// Non-empty after trimming, at most `max_chars` bytes, well-formed UTF-8 without control
// characters (text::CheckPlainText): free text ends up on the public page, in CSV and in logs.
absl::Status Text(absl::string_view field, absl::string_view value, size_t max_chars, bool required);

// "{collection}/{id}" with an id of letters, digits, '-' and '_' (1-64 characters).
absl::Status ResourceName(absl::string_view field, absl::string_view value, absl::string_view collection);

// A calendar date "YYYY-MM-DD"; returns it.
absl::StatusOr<absl::CivilDay> Date(absl::string_view field, absl::string_view value);

// Only ASCII digits, exactly `digits` of them (GSO unit codes: province 2, commune 5).
absl::Status DigitCode(absl::string_view field, absl::string_view value, size_t digits);

// A GS1 GTIN-8/12/13/14 with a correct check digit; returns it as 14 digits (left-padded with 0).
absl::StatusOr<std::string> Gtin(absl::string_view field, absl::string_view value);

// An https URL of at most 2000 bytes without spaces, quotes or angle brackets (a link to a file
// stored elsewhere: a product photo, a dossier document).
absl::Status HttpsUrl(absl::string_view field, absl::string_view value);

// The public site's base, "http(s)://host[:port]" with no path, query, fragment or user info:
// links printed on stamps and published in linksets start with it.
absl::Status BaseUrl(absl::string_view field, absl::string_view value);

// A SHA-256 digest as 64 hex digits; returns it in lower case. The message names what was hashed
// ("{field}: must be 64 hex digits (SHA-256 of the {what})").
absl::StatusOr<std::string> Sha256Hex(absl::string_view field, absl::string_view value, absl::string_view what);

// A new random resource id: `prefix` (an issuer code such as "tn", may be empty) then 16 lower-case
// base32 characters (80 random bits), so names stay unique when deployments merge.
std::string NewId(absl::string_view prefix);

}  // namespace ocop::validate
