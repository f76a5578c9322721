// Storage of the product ideas and candidates communes register before evaluation rounds.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

class ProductIdeaRepository {
 public:
  virtual ~ProductIdeaRepository() = default;

  // Creates or replaces `idea` and works out the former units of its address, in one transaction.
  virtual absl::StatusOr<ProductIdea> SaveProductIdea(const ProductIdea& idea) = 0;
  // NOT_FOUND naming the idea when absent. Its address carries today's unit names.
  virtual absl::StatusOr<ProductIdea> GetProductIdea(const std::string& name) = 0;
  // Those matching `filter` by name, skipping `offset`, at most `limit`; next_position is the
  // offset of the next page (0 on the last).
  virtual absl::StatusOr<Page<ProductIdea>> ListProductIdeas(const ProductIdeaFilter& filter, int64_t offset,
                                                             int limit) = 0;
};

}  // namespace ocop::registry
