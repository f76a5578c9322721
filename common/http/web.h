// What server-rendered pages need of a request and a response: HTML escaping, form bodies
// (application/x-www-form-urlencoded and multipart/form-data), query strings and cookies.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ocop::http {

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(absl::string_view text);

// "a=1&b=x+y%21" -> {a: "1", b: "x y!"}. A name given twice keeps its first value. INVALID_ARGUMENT
// for a broken %-escape or text that is not UTF-8 (every form field is text).
absl::StatusOr<std::map<std::string, std::string>> ParseForm(absl::string_view body);
// The same for the query of a request target ("/path?a=1"); nothing for a target without one.
absl::StatusOr<std::map<std::string, std::string>> ParseQuery(absl::string_view target);
// The path of a request target, without its query.
absl::string_view PathOf(absl::string_view target);

// Percent-encodes `text` for a query value or form field (everything but A-Z a-z 0-9 - . _ ~).
std::string UrlEncode(absl::string_view text);

// A multipart/form-data body (RFC 7578: a form with file inputs) given its Content-Type header
// value: each part's name and content; a file part's content is the file's bytes, unchanged. A
// name given twice keeps its first part. INVALID_ARGUMENT for a Content-Type without a boundary, a
// body that does not follow its boundaries, or a part without a name.
absl::StatusOr<std::map<std::string, std::string>> ParseMultipartForm(absl::string_view content_type,
                                                                      absl::string_view body);

// "a=1; b=2" (a Cookie header) -> {a: "1", b: "2"}; a name given twice keeps its first value.
std::map<std::string, std::string> ParseCookies(absl::string_view header);

}  // namespace ocop::http
