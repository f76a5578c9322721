// Storage interface of the stamp service.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

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

  // Checks and records a life-cycle operation on a range of roll `roll_name`, bumping the roll's
  // generation and writing its change-feed entry, in one transaction, once per idempotency key.
  // `check` sees the roll and every roll of the same batch as they are inside the transaction
  // (operations included) and may refuse the operation with its status.
  using OperationCheck = std::function<absl::Status(const Roll& roll, const std::vector<Roll>& batch_rolls)>;
  virtual absl::StatusOr<Roll> AddOperation(const std::string& roll_name, const RangeOperation& operation,
                                            const store::IdempotencyKey& key, const OperationCheck& check) = 0;
};

}  // namespace ocop::stamp
