#include "services/lookup/catalogue.h"

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/ocop_category/ocop_category.h"
#include "common/ocop_mark/ocop_mark.h"
#include "common/text/vietnamese.h"
#include "services/lookup/public_view.h"

namespace ocop::lookup {
namespace {

// Where a producer is today: the commune after the July 2025 merger when the address has one.
const std::string& CommuneCodeToday(const v1::PublicAddress& address) {
  return address.current_commune_code().empty() ? address.commune_code() : address.current_commune_code();
}
const std::string& CommuneNameToday(const v1::PublicAddress& address) {
  return address.current_commune_name().empty() ? address.commune_name() : address.current_commune_name();
}

std::string SearchTextOf(const v1::CatalogueEntry& entry) {
  return text::FoldForSearch(absl::StrCat(entry.product().display_name(), " ", entry.product().sub_group(), " ",
                                          entry.product().category_name(), " ",
                                          entry.producer().display_name(), " ",
                                          CommuneNameToday(entry.producer().address())));
}

// Whether every word of `words` begins a word of `text` (both folded: words split by one space).
bool MatchesWords(const std::string& text, const std::vector<std::string>& words) {
  for (const std::string& word : words) {
    bool found = false;
    for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
      if (at == 0 || text[at - 1] == ' ') {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

absl::StatusOr<int> IntParameter(const std::map<std::string, std::string>& parameters, const std::string& name,
                                 int low, int high, absl::string_view what) {
  auto found = parameters.find(name);
  if (found == parameters.end() || found->second.empty()) return 0;
  int value = 0;
  if (!absl::SimpleAtoi(found->second, &value) || value < low || value > high) {
    return absl::InvalidArgumentError(absl::StrCat(name, ": ", what, ", got \"", found->second.substr(0, 20), "\""));
  }
  return value;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const CatalogueView>> CatalogueView::Decode(const std::string& bytes, absl::CivilDay) {
  v1::Catalogue catalogue;
  absl::CivilDay day;
  if (!catalogue.ParseFromString(bytes) || catalogue.province_code().empty() ||
      !absl::ParseCivilTime(catalogue.as_of(), &day)) {
    return absl::InvalidArgumentError("catalogue: not a province's catalogue");
  }
  return std::make_shared<const CatalogueView>(std::move(catalogue), day);
}

CatalogueView::CatalogueView(v1::Catalogue catalogue, absl::CivilDay day)
    : catalogue_(std::move(catalogue)), day_(day) {
  search_text_.reserve(catalogue_.entries_size());
  for (const v1::CatalogueEntry& entry : catalogue_.entries()) search_text_.push_back(SearchTextOf(entry));
}

size_t CatalogueView::MemoryBytes() const {
  size_t bytes = sizeof(*this) + catalogue_.SpaceUsedLong();
  for (const std::string& text : search_text_) bytes += sizeof(text) + text.capacity();
  return bytes;
}

v1::Catalogue MakeCatalogue(const std::string& province_code, absl::CivilDay day,
                            const std::vector<registry::v1::Product>& products,
                            const std::vector<registry::v1::Producer>& producers) {
  absl::flat_hash_map<std::string, const registry::v1::Producer*> producer_by_name;
  for (const registry::v1::Producer& producer : producers) producer_by_name[producer.name()] = &producer;
  v1::Catalogue catalogue;
  catalogue.set_province_code(province_code);
  catalogue.set_as_of(absl::FormatCivilTime(day));
  std::vector<std::pair<std::string, v1::CatalogueEntry>> certified;  // sort key, entry
  for (const registry::v1::Product& product : products) {
    const ocop_mark::Mark mark = ocop_mark::MarkOn(product, day);
    if (mark.state != ocop_mark::MarkState::kCertified) continue;
    auto producer = producer_by_name.find(product.producer());
    if (producer == producer_by_name.end()) continue;
    v1::CatalogueEntry entry;
    *entry.mutable_product() = PublicProductOf(product, day);
    *entry.mutable_producer() = PublicProducerOf(*producer->second);
    // Most stars first, then alphabetical as a reader expects ("Chè" with the other "Che").
    std::string key = absl::StrCat(9 - mark.stars, " ", text::FoldForSearch(product.display_name()), " ",
                                   product.name());
    certified.emplace_back(std::move(key), std::move(entry));
  }
  std::sort(certified.begin(), certified.end(),
            [](const auto& left, const auto& right) { return left.first < right.first; });
  for (auto& [key, entry] : certified) {
    const v1::PublicAddress& address = entry.producer().address();
    if (catalogue.province_name().empty()) {
      catalogue.set_province_name(address.current_province_code() == province_code ? address.current_province_name()
                                                                                   : address.province_name());
    }
    *catalogue.add_entries() = std::move(entry);
  }
  catalogue.set_total(catalogue.entries_size());
  return catalogue;
}

absl::StatusOr<CatalogueFilter> ParseCatalogueFilter(const std::map<std::string, std::string>& parameters) {
  CatalogueFilter filter;
  if (auto query = parameters.find("q"); query != parameters.end()) {
    if (query->second.size() > 200) return absl::InvalidArgumentError("q: at most 200 characters");
    filter.query = query->second;
    for (absl::string_view word : absl::StrSplit(text::FoldForSearch(query->second), ' ', absl::SkipEmpty())) {
      filter.words.emplace_back(word);
    }
  }
  absl::StatusOr<int> stars = IntParameter(parameters, "stars", 3, 5, "OCOP stars are 3, 4 or 5");
  if (!stars.ok()) return stars.status();
  filter.stars = *stars;
  absl::StatusOr<int> group =
      IntParameter(parameters, "group", 1, registry::v1::ProductGroup_MAX, "a product group is a number from 1 to 9");
  if (!group.ok()) return group.status();
  filter.group = static_cast<registry::v1::ProductGroup>(*group);
  if (auto commune = parameters.find("commune"); commune != parameters.end() && !commune->second.empty()) {
    const std::string& code = commune->second;
    if (code.size() > 5 || !std::all_of(code.begin(), code.end(), absl::ascii_isdigit)) {
      return absl::InvalidArgumentError(absl::StrCat("commune: a commune code is up to 5 digits, got \"",
                                                     code.substr(0, 20), "\""));
    }
    filter.commune_code = code;
  }
  if (auto category = parameters.find("category"); category != parameters.end() && !category->second.empty()) {
    const std::vector<const ocop_category::Category*> covered = ocop_category::CategoriesUnder(category->second);
    if (covered.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("category: \"", category->second.substr(0, 20),
                                                     "\" is not a code of Decision 148's classification (e.g. I.5.a)"));
    }
    for (const ocop_category::Category* line : covered) filter.categories.emplace_back(line->code);
    filter.category = ocop_category::CanonicalCode(category->second);
  }
  absl::StatusOr<int> page = IntParameter(parameters, "page", 1, 10000, "pages are numbered from 1");
  if (!page.ok()) return page.status();
  filter.page = std::max(1, *page);
  return filter;
}

v1::Catalogue SelectFromCatalogue(const CatalogueView& view, const CatalogueFilter& filter) {
  const v1::Catalogue& whole = view.catalogue();
  v1::Catalogue selected;
  selected.set_province_code(whole.province_code());
  selected.set_province_name(whole.province_name());
  selected.set_as_of(whole.as_of());
  selected.set_page(filter.page);
  const int first = (filter.page - 1) * kCataloguePageSize;
  int matching = 0;
  for (int i = 0; i < whole.entries_size(); ++i) {
    const v1::CatalogueEntry& entry = whole.entries(i);
    if (filter.stars != 0 && entry.product().ocop().stars() != filter.stars) continue;
    if (filter.group != registry::v1::PRODUCT_GROUP_UNSPECIFIED && entry.product().group() != filter.group) continue;
    if (!filter.commune_code.empty() && CommuneCodeToday(entry.producer().address()) != filter.commune_code) continue;
    if (!filter.categories.empty() && std::find(filter.categories.begin(), filter.categories.end(),
                                                entry.product().category()) == filter.categories.end()) {
      continue;
    }
    if (!MatchesWords(view.search_text(i), filter.words)) continue;
    if (matching >= first && matching < first + kCataloguePageSize) *selected.add_entries() = entry;
    ++matching;
  }
  selected.set_total(matching);
  selected.set_next_page(first + kCataloguePageSize < matching ? filter.page + 1 : 0);
  return selected;
}

}  // namespace ocop::lookup
