#include "common/ratelimit/token_bucket.h"

#include <gtest/gtest.h>

#include <string>

namespace ocop::ratelimit {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

TEST(TokenBucketTest, AllowsABurstThenTheRateAndSaysWhenToRetry) {
  TokenBucketLimiter limiter(/*rate=*/2, /*burst=*/3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("1.2.3.4", kStart).allowed) << i;
  Decision refused = limiter.Allow("1.2.3.4", kStart);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, absl::Milliseconds(500));
  EXPECT_FALSE(limiter.Allow("1.2.3.4", kStart + absl::Milliseconds(400)).allowed);
  EXPECT_TRUE(limiter.Allow("1.2.3.4", kStart + absl::Milliseconds(600)).allowed);
  // Another client has its own bucket.
  EXPECT_TRUE(limiter.Allow("5.6.7.8", kStart).allowed);
  // After a long pause the bucket is full again, never fuller than the burst.
  const absl::Time later = kStart + absl::Hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("1.2.3.4", later).allowed) << i;
  EXPECT_FALSE(limiter.Allow("1.2.3.4", later).allowed);
}

TEST(TokenBucketTest, KeepsAtMostMaxClientsDroppingTheLeastRecentlyUsed) {
  TokenBucketLimiter limiter(/*rate=*/1, /*burst=*/2, /*max_clients=*/2);
  EXPECT_TRUE(limiter.Allow("idle", kStart - absl::Minutes(5)).allowed);
  EXPECT_TRUE(limiter.Allow("busy", kStart).allowed);
  EXPECT_TRUE(limiter.Allow("busy", kStart).allowed);
  EXPECT_TRUE(limiter.Allow("new", kStart).allowed);  // drops "idle", the least recently used
  EXPECT_EQ(limiter.clients(), 2u);
  EXPECT_FALSE(limiter.Allow("busy", kStart).allowed);  // its empty bucket was not forgotten
  // A flood of distinct clients keeps the table at its bound, one drop per newcomer.
  for (int i = 0; i < 1000; ++i) limiter.Allow("flood-" + std::to_string(i), kStart);
  EXPECT_EQ(limiter.clients(), 2u);
}

TEST(TokenBucketTest, PeekSaysWithoutTaking) {
  TokenBucketLimiter limiter(/*rate=*/1, /*burst=*/1);
  EXPECT_TRUE(limiter.Peek("a", kStart).allowed);
  EXPECT_TRUE(limiter.Peek("a", kStart).allowed);  // nothing was taken
  EXPECT_TRUE(limiter.Allow("a", kStart).allowed);
  Decision empty = limiter.Peek("a", kStart);
  EXPECT_FALSE(empty.allowed);
  EXPECT_EQ(empty.retry_after, absl::Seconds(1));
  EXPECT_TRUE(limiter.Peek("a", kStart + absl::Seconds(1)).allowed);
}

}  // namespace
}  // namespace ocop::ratelimit
