// The consumer page: a small, self-contained mobile HTML page, Vietnamese first with English.
// No external assets (inline CSS only), so it opens on a cheap phone over a slow link.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ocop/lookup/v1/lookup.pb.h"

namespace ocop::lookup {

// The page for a resolved code.
std::string RenderResultPage(const v1::ResolveResponse& result);

// A page that says the code could not be checked: `vietnamese` and `english` explain why.
std::string RenderMessagePage(absl::string_view vietnamese, absl::string_view english);

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(absl::string_view text);

}  // namespace ocop::lookup
