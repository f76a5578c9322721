#include "services/stamp/stamp_types.h"

#include <algorithm>

namespace ocop::stamp {

StampState StateOf(const Roll& roll, uint64_t serial) {
  for (auto it = roll.operations.rbegin(); it != roll.operations.rend(); ++it) {
    if (it->first_serial <= serial && serial <= it->last_serial) return it->state;
  }
  return StampState::kIssued;
}

int64_t CountActive(const Roll& roll) {
  // Cut the roll at every operation boundary; inside each piece one operation decides the state.
  std::vector<uint64_t> cuts;
  for (const RangeOperation& operation : roll.operations) {
    cuts.push_back(operation.first_serial);
    cuts.push_back(operation.last_serial + 1);
  }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  int64_t active = 0;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    if (StateOf(roll, cuts[i]) == StampState::kActive) active += static_cast<int64_t>(cuts[i + 1] - cuts[i]);
  }
  return active;
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
