#include "common/status/grpc_status.h"

#include <gtest/gtest.h>

#include "common/status/status_macros.h"
#include "tests/support/status_matchers.h"

namespace ocop {
namespace {

using ::ocop::testing::StatusIs;

TEST(GrpcStatus, MapsCodeAndMessageBothWays) {
  grpc::Status mapped = ToGrpcStatus(absl::NotFoundError("product: products/x not found"));
  EXPECT_EQ(mapped.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(mapped.error_message(), "product: products/x not found");
  EXPECT_THAT(FromGrpcStatus(mapped), StatusIs(absl::StatusCode::kNotFound, "products/x"));
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
}

absl::StatusOr<int> Half(int value) {
  if (value % 2 != 0) return absl::InvalidArgumentError("value: must be even");
  return value / 2;
}

absl::StatusOr<int> Quarter(int value) {
  OCOP_ASSIGN_OR_RETURN(int half, Half(value));
  OCOP_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(StatusMacros, AssignOrReturnPropagatesTheFirstError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(absl::StatusCode::kInvalidArgument, "must be even"));
}

}  // namespace
}  // namespace ocop
