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

}  // namespace ocop::stamp
