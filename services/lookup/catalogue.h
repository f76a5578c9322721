// The public catalogue: a province's OCOP products certified on a day, as the provinces' OCOP
// websites list them (stars, group, producer, commune, certificate validity), searchable by name.
// A province's whole catalogue is one cached view (a few hundred products), made from two registry
// listings and dropped when the registry's feed announces a change of any product or producer;
// each request then filters and pages it in memory.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "ocop/lookup/v1/lookup.pb.h"
#include "ocop/registry/v1/registry.pb.h"
#include "services/lookup/views.h"

namespace ocop::lookup {

// Entries shown per page.
inline constexpr int kCataloguePageSize = 50;

// A province's catalogue for one day, with each entry's search text folded once.
class CatalogueView : public View {
 public:
  // INVALID_ARGUMENT when `bytes` is not a v1.Catalogue with a province and a day.
  static absl::StatusOr<std::shared_ptr<const CatalogueView>> Decode(const std::string& bytes, absl::CivilDay today);
  CatalogueView(v1::Catalogue catalogue, absl::CivilDay day);

  const v1::Catalogue& catalogue() const { return catalogue_; }
  absl::CivilDay day() const { return day_; }
  // Entry i's product name, sub-group, producer and commune names, folded (text::FoldForSearch).
  const std::string& search_text(size_t i) const { return search_text_[i]; }
  size_t MemoryBytes() const override;

 private:
  v1::Catalogue catalogue_;
  absl::CivilDay day_;
  std::vector<std::string> search_text_;
};

// The whole catalogue of `province_code` on `day` from the registry's records: every product
// certified that day (ocop_mark::MarkOn) with its producer's public form (public_view.h), 5 stars
// first, then by folded name. A product whose producer is not among `producers` is left out.
v1::Catalogue MakeCatalogue(const std::string& province_code, absl::CivilDay day,
                            const std::vector<registry::v1::Product>& products,
                            const std::vector<registry::v1::Producer>& producers);

// What a visitor asks of a catalogue: all of it, or what matches.
struct CatalogueFilter {
  // Folded words that must all begin words of the entry's search text ("che tan cuong").
  std::vector<std::string> words;
  std::string query;  // as typed, to show again in the search box
  int stars = 0;      // 3 to 5; 0: any
  registry::v1::ProductGroup group = registry::v1::PRODUCT_GROUP_UNSPECIFIED;
  std::string commune_code;  // today's commune code; empty: any
  // A Decision 148 code as given (canonical), e.g. "I.5" or "I.5.a", and the deepest lines it
  // covers; empty: any.
  std::string category;
  std::vector<std::string> categories;
  int page = 1;
};

// The filter in a query string: q (words), stars (3-5), group (1-9), commune (digits), category
// (a Decision 148 code: a sub-group, or a group for all its sub-groups), page (1-based). INVALID_ARGUMENT naming the parameter and why; unknown parameters are ignored.
absl::StatusOr<CatalogueFilter> ParseCatalogueFilter(const std::map<std::string, std::string>& parameters);

// One page of the entries of `view` that match `filter`, with the total that match.
v1::Catalogue SelectFromCatalogue(const CatalogueView& view, const CatalogueFilter& filter);

}  // namespace ocop::lookup
