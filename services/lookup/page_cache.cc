#include "services/lookup/page_cache.h"

#include "absl/strings/str_cat.h"

namespace ocop::lookup {

PageCache::PageCache(size_t max_bytes)
    : details_(cache::ShardedLru<Entry>::Bounds::Bytes(max_bytes), [](const Entry& entry) {
        return entry.details == nullptr ? 0
                                        : sizeof(PageDetails) + entry.details->sections.capacity() +
                                              entry.details->checkpoints.capacity();
      }) {}

std::shared_ptr<const PageDetails> PageCache::DetailsOf(const Resolution& resolution, PageLanguage language) {
  const std::string key =
      absl::StrCat(resolution.lot->lot().name(), language == PageLanguage::kEnglish ? "|en" : "|vi");
  if (std::optional<Entry> entry = details_.Get(key);
      entry.has_value() && entry->lot.lock() == resolution.lot && entry->product.lock() == resolution.product &&
      entry->producer.lock() == resolution.producer) {
    return entry->details;
  }
  auto details = std::make_shared<const PageDetails>(RenderPageDetails(resolution.ToProto(), language));
  details_.Put(key, Entry{resolution.lot, resolution.product, resolution.producer, details});
  return details;
}

}  // namespace ocop::lookup
