// Rendered page details (page.h, PageDetails) per lot and language: every stamp of a lot shows
// the same product, producer and timeline, so a scan renders only its verdict box and footer line
// and splices the rest in. An entry is used only while the views it was rendered from are the
// ones in the cache (a change of the lot, product or producer makes new views, and a new render).
// Sharded and bounded in bytes (cache::ShardedLru).
#pragma once

#include <memory>
#include <string>

#include "common/cache/sharded_lru.h"
#include "services/lookup/page.h"
#include "services/lookup/resolver.h"

namespace ocop::lookup {

class PageCache {
 public:
  explicit PageCache(size_t max_bytes);

  // The details of `resolution`'s lot, product and producer in `language` (which it must hold).
  std::shared_ptr<const PageDetails> DetailsOf(const Resolution& resolution, PageLanguage language);
  size_t max_bytes() const { return details_.max_bytes(); }

 private:
  struct Entry {
    std::weak_ptr<const LotView> lot;
    std::weak_ptr<const PublicProductOnDay> product;
    std::weak_ptr<const ProducerView> producer;
    std::shared_ptr<const PageDetails> details;
  };
  cache::ShardedLru<Entry> details_;
};

}  // namespace ocop::lookup
