// Storage of the sales point register (centres, showrooms and counters selling OCOP products).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

class SalesPointRepository {
 public:
  virtual ~SalesPointRepository() = default;

  // Creates or replaces `point` (with its upgrade days) and works out the former units of its
  // address, in one transaction.
  virtual absl::StatusOr<SalesPoint> SaveSalesPoint(const SalesPoint& point) = 0;
  // NOT_FOUND naming the sales point when absent.
  virtual absl::StatusOr<SalesPoint> GetSalesPoint(const std::string& name) = 0;
  // Those matching `filter` by name, skipping `offset`, at most `limit`; next_position is the
  // offset of the next page (0 on the last).
  virtual absl::StatusOr<Page<SalesPoint>> ListSalesPoints(const SalesPointFilter& filter, int64_t offset,
                                                           int limit) = 0;
};

}  // namespace ocop::registry
