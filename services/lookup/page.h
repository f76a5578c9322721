// The consumer page: a small, self-contained mobile HTML page, Vietnamese first, with a switch to
// English (every text is in both languages; the switch decides which one leads). No external assets
// (inline CSS only, no script), so it opens on a cheap phone over a slow link; under 30 KB.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ocop/lookup/v1/lookup.pb.h"

namespace ocop::lookup {

enum class PageLanguage { kVietnamese, kEnglish };

struct PageOptions {
  PageLanguage language = PageLanguage::kVietnamese;
  // Where the language switch points (the same page in the other language); none when empty.
  std::string other_language_href;
};

// The page for a resolved code.
std::string RenderResultPage(const v1::ResolveResponse& result, const PageOptions& options = {});

// A page that says the code could not be checked: `vietnamese` and `english` explain why.
std::string RenderMessagePage(absl::string_view vietnamese, absl::string_view english,
                              const PageOptions& options = {});

// The page for a code that cannot be checked now (a backend or the stamp keys are unreachable):
// it says so, and that this is no sign of a counterfeit. Served with 503 and Retry-After.
std::string RenderUnavailablePage(const PageOptions& options = {});

// Escapes &, <, >, " and ' for HTML text and attribute values.
std::string HtmlEscape(absl::string_view text);

}  // namespace ocop::lookup
