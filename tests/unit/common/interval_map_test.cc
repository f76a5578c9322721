#include "common/ranges/interval_map.h"

#include <random>

#include "gtest/gtest.h"

namespace ocop::ranges {
namespace {

using Map = IntervalMap<int>;

TEST(IntervalMapTest, AdjacentEqualRangesMerge) {
  Map map;
  for (uint64_t key = 100; key < 200; ++key) map.Assign(key, key, 2);
  ASSERT_EQ(map.size(), 1u);
  EXPECT_EQ(map.ranges()[0], (Map::Range{100, 199, 2}));
  EXPECT_EQ(map.Count(2), 100u);
}

TEST(IntervalMapTest, PaintingInsideARangeSplitsIt) {
  Map map;
  map.Assign(1, 10, 2);
  map.Assign(4, 5, 3);
  EXPECT_EQ(map.ranges(), (std::vector<Map::Range>{{1, 3, 2}, {4, 5, 3}, {6, 10, 2}}));
  EXPECT_EQ(*map.Find(5), 3);
  EXPECT_EQ(*map.Find(6), 2);
  EXPECT_EQ(map.Find(11), nullptr);
  EXPECT_EQ(map.Find(0), nullptr);
  EXPECT_EQ(map.Overlapping(5, 7), (std::vector<Map::Range>{{5, 5, 3}, {6, 7, 2}}));
  map.Erase(2, 9);
  EXPECT_EQ(map.ranges(), (std::vector<Map::Range>{{1, 1, 2}, {10, 10, 2}}));
}

TEST(IntervalMapTest, HandlesTheEndsOfTheKeySpace) {
  Map map;
  map.Assign(UINT64_MAX - 1, UINT64_MAX, 1);
  map.Assign(0, 0, 1);
  map.Assign(UINT64_MAX, UINT64_MAX, 2);
  EXPECT_EQ(map.ranges(), (std::vector<Map::Range>{{0, 0, 1}, {UINT64_MAX - 1, UINT64_MAX - 1, 1},
                                                   {UINT64_MAX, UINT64_MAX, 2}}));
  map.Assign(5, 4, 3);  // empty: nothing happens
  EXPECT_EQ(map.size(), 3u);
}

// Whatever the operations, the map says what replaying them one key at a time says: the latest
// covering a key wins, and no two neighbours are equal.
TEST(IntervalMapTest, AgreesWithReplayingEveryOperation) {
  std::mt19937_64 random(20261202);
  for (int round = 0; round < 200; ++round) {
    constexpr uint64_t kKeys = 64;
    std::vector<int> expected(kKeys, 0);  // 0: no value
    Map map;
    for (int step = 0; step < 40; ++step) {
      uint64_t first = random() % kKeys;
      uint64_t last = first + random() % 8;
      if (last >= kKeys) last = kKeys - 1;
      int value = static_cast<int>(random() % 4);
      if (value == 0) {
        map.Erase(first, last);
      } else {
        map.Assign(first, last, value);
      }
      for (uint64_t key = first; key <= last; ++key) expected[key] = value;
    }
    for (uint64_t key = 0; key < kKeys; ++key) {
      const int* found = map.Find(key);
      ASSERT_EQ(found == nullptr ? 0 : *found, expected[key]) << "round " << round << " key " << key;
    }
    std::vector<Map::Range> ranges = map.ranges();
    for (size_t i = 1; i < ranges.size(); ++i) {
      ASSERT_LT(ranges[i - 1].last, ranges[i].first);
      ASSERT_FALSE(ranges[i - 1].last + 1 == ranges[i].first && ranges[i - 1].value == ranges[i].value);
    }
  }
}

}  // namespace
}  // namespace ocop::ranges
