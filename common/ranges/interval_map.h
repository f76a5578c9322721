// A coalesced interval map over uint64 keys: disjoint, sorted ranges [first, last], each with a
// value; keys no range covers have no value. Painting a range over others overwrites them there,
// and neighbours with equal values merge, so a roll activated stamp by stamp stays one range.
//
// Used for stamp states: the stamp service stores a roll's states this way (one row per range,
// never one per stamp or per operation), and lookup answers a serial's state in O(log ranges).
#pragma once

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <map>
#include <utility>
#include <vector>

namespace ocop::ranges {

template <typename Value>
class IntervalMap {
 public:
  struct Range {
    uint64_t first = 0;
    uint64_t last = 0;
    Value value{};
    bool operator==(const Range&) const = default;
  };

  // `ranges` must be disjoint; they are merged where adjacent and equal.
  static IntervalMap FromRanges(const std::vector<Range>& ranges) {
    IntervalMap map;
    for (const Range& range : ranges) map.Assign(range.first, range.last, range.value);
    return map;
  }

  // Gives every key of [first, last] `value`. Does nothing when last < first.
  void Assign(uint64_t first, uint64_t last, const Value& value) {
    if (last < first) return;
    Erase(first, last);
    auto painted = ranges_.emplace(first, Piece{last, value}).first;
    if (auto next = std::next(painted);
        next != ranges_.end() && last != UINT64_MAX && next->first == last + 1 && next->second.value == value) {
      painted->second.last = next->second.last;
      ranges_.erase(next);
    }
    if (painted != ranges_.begin()) {
      auto previous = std::prev(painted);
      if (previous->second.last + 1 == first && previous->second.value == value) {
        previous->second.last = painted->second.last;
        ranges_.erase(painted);
      }
    }
  }

  // Removes every value in [first, last], cutting ranges that stick out.
  void Erase(uint64_t first, uint64_t last) {
    if (last < first) return;
    // A range that starts before `first` and reaches into it keeps its head (and its tail past
    // `last`, when it spans the whole hole).
    if (auto before = ranges_.lower_bound(first); before != ranges_.begin()) {
      --before;
      if (before->second.last >= first) {
        Piece tail = before->second;
        before->second.last = first - 1;
        if (tail.last > last) ranges_.emplace(last + 1, tail);
      }
    }
    for (auto it = ranges_.lower_bound(first); it != ranges_.end() && it->first <= last;) {
      if (it->second.last > last) {
        Piece rest = it->second;
        ranges_.erase(it);
        ranges_.emplace(last + 1, rest);
        break;
      }
      it = ranges_.erase(it);
    }
  }

  // The value at `key`, or null when no range covers it.
  const Value* Find(uint64_t key) const {
    auto it = ranges_.upper_bound(key);
    if (it == ranges_.begin()) return nullptr;
    --it;
    return key <= it->second.last ? &it->second.value : nullptr;
  }

  // The ranges meeting [first, last], clipped to it, in order.
  std::vector<Range> Overlapping(uint64_t first, uint64_t last) const {
    std::vector<Range> out;
    if (last < first) return out;
    auto it = ranges_.upper_bound(first);
    if (it != ranges_.begin() && std::prev(it)->second.last >= first) --it;
    for (; it != ranges_.end() && it->first <= last; ++it) {
      out.push_back(Range{std::max(first, it->first), std::min(last, it->second.last), it->second.value});
    }
    return out;
  }

  // How many keys hold `value`.
  uint64_t Count(const Value& value) const {
    uint64_t count = 0;
    for (const auto& [first, piece] : ranges_) {
      if (piece.value == value) count += piece.last - first + 1;
    }
    return count;
  }

  std::vector<Range> ranges() const {
    std::vector<Range> out;
    out.reserve(ranges_.size());
    for (const auto& [first, piece] : ranges_) out.push_back(Range{first, piece.last, piece.value});
    return out;
  }
  size_t size() const { return ranges_.size(); }
  bool empty() const { return ranges_.empty(); }

 private:
  struct Piece {
    uint64_t last;
    Value value;
  };
  std::map<uint64_t, Piece> ranges_;  // by first key
};

}  // namespace ocop::ranges
