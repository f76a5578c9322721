#include <gtest/gtest.h>

#include "common/grpc/fingerprint.h"
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

}  // namespace
}  // namespace ocop::grpcutil
