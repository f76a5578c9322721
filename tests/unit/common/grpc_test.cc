#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <grpcpp/server_context.h>

#include "common/grpc/fingerprint.h"
#include "common/grpc/held_calls.h"
#include "common/grpc/paging.h"
#include "ocop/registry/v1/registry.pb.h"
#include "tests/support/status_matchers.h"

namespace ocop::grpcutil {
namespace {

using ::ocop::testing::StatusIs;

TEST(Paging, PageSizeDefaultsClampsAndRejectsNegative) {
  EXPECT_EQ(*PageSize(0, 50, 1000), 50);
  EXPECT_EQ(*PageSize(20, 50, 1000), 20);
  EXPECT_EQ(*PageSize(5000, 50, 1000), 1000);
  EXPECT_THAT(PageSize(-1, 50, 1000), StatusIs(absl::StatusCode::kInvalidArgument, "page_size"));
}

TEST(Paging, TokenRoundTripAndMalformedTokens) {
  EXPECT_EQ(*DecodePageToken(EncodePageToken(1234)), 1234);
  EXPECT_EQ(*DecodePageToken(""), 0);
  EXPECT_THAT(DecodePageToken("garbage!"), StatusIs(absl::StatusCode::kInvalidArgument, "page_token"));
  EXPECT_THAT(DecodePageToken("YWZ0ZXI6LTU"), StatusIs(absl::StatusCode::kInvalidArgument));  // after:-5
}

TEST(Fingerprint, IgnoresRequestIdAndSeesEveryOtherField) {
  registry::v1::CreateProducerRequest a;
  a.set_request_id("r1");
  a.mutable_producer()->set_display_name("HTX Chè Tân Cương");
  registry::v1::CreateProducerRequest b = a;
  b.set_request_id("r2");
  EXPECT_EQ(RequestFingerprint(a), RequestFingerprint(b));
  b.mutable_producer()->set_phone("0912");
  EXPECT_NE(RequestFingerprint(a), RequestFingerprint(b));
  EXPECT_EQ(RequestFingerprint(a).size(), 64u);
}

// An import being applied waits on the server, not on its client: the stall watchdog, which cuts
// a call after its limit without progress, leaves a call marked Working alone however long it
// runs (it once cancelled a 60,000-row PostgreSQL import that then committed). The context is not
// attached to a call, so a cancellation by the watchdog would crash this test.
TEST(HeldCalls, AWorkingCallIsNeverCutForStalling) {
  HeldCalls calls("imports", 2, absl::Milliseconds(20));
  grpc::ServerContext context;
  absl::StatusOr<HeldCalls::Hold> hold = calls.Enter(&context);
  ASSERT_TRUE(hold.ok());
  hold->Working();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ten stall limits
  EXPECT_FALSE(hold->stalled());
  EXPECT_EQ(calls.stalled_calls(), 0);
  // Its place is still taken: two at once, then refused.
  grpc::ServerContext second_context;
  absl::StatusOr<HeldCalls::Hold> second = calls.Enter(&second_context);
  ASSERT_TRUE(second.ok());
  second->Working();
  grpc::ServerContext third_context;
  EXPECT_EQ(calls.Enter(&third_context).status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace ocop::grpcutil
