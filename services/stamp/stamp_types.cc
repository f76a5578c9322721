#include "services/stamp/stamp_types.h"

#include <algorithm>

namespace ocop::stamp {

StampState StateOf(const Roll& roll, uint64_t serial) {
  const StampState* state = roll.states.Find(serial);
  return state == nullptr ? StampState::kIssued : *state;
}

void Paint(StampStates& states, const RangeOperation& operation) {
  if (operation.state == StampState::kIssued) {
    states.Erase(operation.first_serial, operation.last_serial);
  } else {
    states.Assign(operation.first_serial, operation.last_serial, operation.state);
  }
}

RangeChange ChangeOf(const StampStates& states, const RangeOperation& operation) {
  RangeChange change;
  change.before = states.Overlapping(operation.first_serial, operation.last_serial);
  int64_t active_before = 0;
  for (const StampStates::Range& range : change.before) {
    if (range.value == StampState::kActive) active_before += static_cast<int64_t>(range.last - range.first + 1);
  }
  const int64_t active_after = operation.state == StampState::kActive
                                   ? static_cast<int64_t>(operation.last_serial - operation.first_serial + 1)
                                   : 0;
  change.active_delta = active_after - active_before;
  return change;
}

PinOutcome ApplyPinTry(PinRecord& record, bool correct, absl::Time now, const PinPolicy& policy) {
  PinOutcome outcome;
  if (now < record.locked_until) {
    outcome.result = PinResult::kLocked;
    outcome.locked_until = record.locked_until;
    return outcome;
  }
  // Left alone for `forget_after` since its last try and its last lock: starts afresh.
  const absl::Time quiet_since = std::max(record.last_try, record.locked_until);
  if (quiet_since != absl::InfinitePast() && now - quiet_since >= policy.forget_after) {
    record.wrong_tries = 0;
    record.lockouts = 0;
  } else if (record.wrong_tries >= policy.max_wrong_tries) {
    record.wrong_tries = 0;  // the lock was served: a new round of tries
  }
  record.last_try = now;
  if (correct) {
    record.wrong_tries = 0;
    record.lockouts = 0;
    if (record.first_verified == absl::InfinitePast()) {
      record.first_verified = now;
      outcome.result = PinResult::kVerified;
    } else {
      outcome.result = PinResult::kAlreadyVerified;
    }
    outcome.first_verified_time = record.first_verified;
    return outcome;
  }
  ++record.wrong_tries;
  if (record.wrong_tries < policy.max_wrong_tries) {
    outcome.result = PinResult::kWrong;
    outcome.tries_left = policy.max_wrong_tries - record.wrong_tries;
    return outcome;
  }
  ++record.lockouts;
  absl::Duration lock = policy.first_lock;
  for (int i = 1; i < record.lockouts && lock < policy.longest_lock; ++i) lock *= 2;
  record.locked_until = now + std::min(lock, policy.longest_lock);
  outcome.result = PinResult::kLocked;
  outcome.locked_until = record.locked_until;
  return outcome;
}

}  // namespace ocop::stamp
