// Vietnamese text: one stored spelling (NFC) and a folded form for searching.
//
// The same Vietnamese word can arrive precomposed ("ệ" as one code point, from most keyboards) or
// decomposed ("e" + two combining marks, from some macOS and Windows input methods). Stored text is
// normalised to NFC so equal words are equal bytes; search compares folded text, in which case,
// tone and vowel marks are gone and "đ" is "d", because consumers and office staff type
// "dac san dong hy" for "Đặc sản Đồng Hỷ".
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ocop::text {

// OK when `value` is well-formed UTF-8 without control characters: C0 controls other than tab and
// newline, DEL, C1 controls (U+0080..U+009F) and the bidirectional overrides and isolates
// (U+202A..U+202E, U+2066..U+2069), which make a name display as something it is not.
// INVALID_ARGUMENT naming `field` otherwise.
absl::Status CheckPlainText(absl::string_view field, absl::string_view value);

// `value` in Unicode NFC. INVALID_ARGUMENT naming `field` when CheckPlainText refuses it.
absl::StatusOr<std::string> NormalizeNfc(absl::string_view field, absl::string_view value);

// Search form: NFD, combining marks removed, "đ"/"Đ" -> "d", case folded; every run of characters
// that are not letters or digits becomes one space; no leading or trailing space. Ill-formed UTF-8
// folds to what remains after dropping the bad bytes. "Chè Tân Cương" -> "che tan cuong".
std::string FoldForSearch(absl::string_view value);

}  // namespace ocop::text
