// Storage interface of the stamp service.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/store/idempotency.h"
#include "services/stamp/stamp_types.h"

namespace ocop::stamp {

class StampRepository {
 public:
  virtual ~StampRepository() = default;
  // Allocates the next `roll.count` serials and stores the roll (one row, whatever the count) with
  // its change-feed entry, in one transaction, once per idempotency key. Sets first_serial.
  virtual absl::StatusOr<Roll> IssueRoll(const Roll& roll, const store::IdempotencyKey& key) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<Roll> GetRoll(const std::string& name) = 0;
  // The roll whose range holds `serial`; NOT_FOUND when none does.
  virtual absl::StatusOr<Roll> FindRollBySerial(uint64_t serial) = 0;
};

}  // namespace ocop::stamp
