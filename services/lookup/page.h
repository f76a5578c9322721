// The consumer page: a small, self-contained mobile HTML page, Vietnamese first, with a switch to
// English (every text is in both languages; the switch decides which one leads). No external assets
// (inline CSS only, no script), so it opens on a cheap phone over a slow link; under 30 KB.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ocop/lookup/v1/lookup.pb.h"
#include "services/lookup/catalogue.h"

namespace ocop::lookup {

enum class PageLanguage { kVietnamese, kEnglish };

struct PageOptions {
  PageLanguage language = PageLanguage::kVietnamese;
  // Where the language switch points (the same page in the other language); none when empty.
  std::string other_language_href;
};

// The page for a resolved code.
std::string RenderResultPage(const v1::ResolveResponse& result, const PageOptions& options = {});

// What a result page shows of the lot, its product and its producer, in one language: the same
// for every stamp of the lot, so lookup renders it once per view (page_cache.h).
struct PageDetails {
  std::string sections;     // the product, the producer, the lot and its timeline
  std::string checkpoints;  // the footer's signed checkpoints of the chains shown
};
// Whether a page with `verdict` shows the details (a voided, revoked or never-activated stamp may
// sit on a counterfeit: it does not).
bool PageShowsDetails(v1::Verdict verdict);
// The details of `result` (its product, producer, batch, events, ancestors and seasons).
PageDetails RenderPageDetails(const v1::ResolveResponse& result, PageLanguage language);
// The page for `result` with its details rendered before: of `result` only the verdict, the
// scans, the stamp and the batch's recall reason are read. The same bytes as the page above.
std::string RenderResultPage(const v1::ResolveResponse& result, const PageDetails& details,
                             const PageOptions& options);

// A province's public catalogue: one page of `catalogue` (SelectFromCatalogue), with a search
// form holding `filter` and links to the pages before and after.
std::string RenderCataloguePage(const v1::Catalogue& catalogue, const CatalogueFilter& filter,
                                const PageOptions& options = {});

// A page that says the code could not be checked: `vietnamese` and `english` explain why.
std::string RenderMessagePage(absl::string_view vietnamese, absl::string_view english,
                              const PageOptions& options = {});

// The page for a code that cannot be checked now (a backend or the stamp keys are unreachable):
// it says so, and that this is no sign of a counterfeit. Served with 503 and Retry-After.
std::string RenderUnavailablePage(const PageOptions& options = {});


}  // namespace ocop::lookup
