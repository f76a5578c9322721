// Storage interface of the stamp service.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/idempotency.h"
#include "common/store/page.h"
#include "services/stamp/stamp_types.h"

namespace ocop::stamp {

class StampRepository {
 public:
  virtual ~StampRepository() = default;
  // Allocates the next `roll.count` serials and stores the roll (one row, whatever the count) with
  // its change-feed entry, in one transaction, once per idempotency key. Sets first_serial.
  virtual absl::StatusOr<Roll> IssueRoll(const Roll& roll, const store::IdempotencyKey& key) = 0;
  // The roll with its states, clearances and latest operations; NOT_FOUND when absent.
  virtual absl::StatusOr<Roll> GetRoll(const std::string& name) = 0;
  // Rolls matching `filter` after `after_position`, oldest first, at most `limit`.
  // Only rolls of `producer` and assigned to `printer`, each when not empty.
  struct RollFilter {
    std::string batch;
    std::string producer;
    std::string printer;
  };
  virtual absl::StatusOr<store::Page<Roll>> ListRolls(const RollFilter& filter, int64_t after_position,
                                                      int limit) = 0;
  // The roll whose range holds `serial`, without its states, clearances or operations; NOT_FOUND
  // when none does.
  virtual absl::StatusOr<Roll> FindRollBySerial(uint64_t serial) = 0;

  // Records one PIN try for `serial` in a transaction: reads its record (a fresh one for a serial
  // never tried), lets `apply` decide and update it (ApplyPinTry), and stores it.
  using PinTry = std::function<PinOutcome(PinRecord& record)>;
  virtual absl::StatusOr<PinOutcome> RecordPinTry(uint64_t serial, const PinTry& apply) = 0;

  // Records `clearance` and announces it on the change feed (entity "stamp"), once per
  // idempotency key.
  virtual absl::Status AddCopyFlagClearance(const CopyFlagClearance& clearance, const store::IdempotencyKey& key) = 0;
  // The latest clearance day of `serial`, empty when none.
  virtual absl::StatusOr<std::string> CopyFlagClearedThrough(uint64_t serial) = 0;

  // Checks and records a life-cycle operation on a range of roll `roll_name`: paints it over the
  // roll's stored states, bumps the roll's generation and writes its change-feed entry, in one
  // transaction, once per idempotency key. Costs O(log ranges) plus the ranges it touches, never
  // a replay of the roll's history. `check` sees the roll (without its states) and what the
  // operation would change, inside the transaction, and may refuse it with its status.
  using OperationCheck = std::function<absl::Status(const Roll& roll, const RangeChange& change)>;
  virtual absl::StatusOr<Roll> AddOperation(const std::string& roll_name, const RangeOperation& operation,
                                            const store::IdempotencyKey& key, const OperationCheck& check) = 0;
  // The operations of roll `roll_name` after position `after_position`, oldest first, at most
  // `limit` (the whole history, which GetRoll no longer carries).
  virtual absl::StatusOr<store::Page<RangeOperation>> ListOperations(const std::string& roll_name,
                                                                     int64_t after_position, int limit) = 0;
  // The state of `serial` (which must be issued): one indexed read, whatever the roll's history.
  virtual absl::StatusOr<StampState> StateOfSerial(uint64_t serial) = 0;
};

// Storage of the render record and reprint orders.
class RenderRepository {
 public:
  virtual ~RenderRepository() = default;

  // Records the start of `render`. Unless `render.reprint_order` names an unused order of the same
  // roll covering the whole range (which it then marks used), FAILED_PRECONDITION when any serial
  // of the range was sent by an earlier render; NOT_FOUND for an unknown order.
  virtual absl::StatusOr<Render> StartRender(const Render& render) = 0;
  // Records that serials up to `last_sent_serial` may now be sent.
  virtual absl::Status AdvanceRender(const std::string& render, uint64_t last_sent_serial, absl::Time now) = 0;
  // Records a resume of `render` by `printer` after the client received `last_received_serial`:
  // (last_received_serial, last_sent_serial] is recorded as re-sent. INVALID_ARGUMENT when
  // last_received_serial is outside [first_serial - 1, last_sent_serial], or the printer differs,
  // or more than `max_resend` stamps would be sent again.
  virtual absl::StatusOr<Render> ResumeRender(const std::string& render, const std::string& printer,
                                              uint64_t last_received_serial, uint64_t max_resend,
                                              absl::Time now) = 0;
  virtual absl::StatusOr<std::vector<Render>> ListRenders(const std::string& roll) = 0;

  // Stores `order` once per idempotency key.
  virtual absl::StatusOr<ReprintOrder> CreateReprintOrder(const ReprintOrder& order,
                                                          const store::IdempotencyKey& key) = 0;
};

}  // namespace ocop::stamp
