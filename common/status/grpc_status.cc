#include "common/status/grpc_status.h"

namespace ocop {
namespace {

// absl::StatusCode and grpc::StatusCode both follow google.rpc.Code; the checks keep it so.
#define OCOP_CHECK_SAME_CODE(name)                                               \
  static_assert(static_cast<int>(absl::StatusCode::k##name) ==                   \
                    static_cast<int>(grpc::StatusCode::OCOP_GRPC_NAME_##name),   \
                "absl and grpc disagree on " #name)
#define OCOP_GRPC_NAME_Ok OK
#define OCOP_GRPC_NAME_Cancelled CANCELLED
#define OCOP_GRPC_NAME_Unknown UNKNOWN
#define OCOP_GRPC_NAME_InvalidArgument INVALID_ARGUMENT
#define OCOP_GRPC_NAME_DeadlineExceeded DEADLINE_EXCEEDED
#define OCOP_GRPC_NAME_NotFound NOT_FOUND
#define OCOP_GRPC_NAME_AlreadyExists ALREADY_EXISTS
#define OCOP_GRPC_NAME_PermissionDenied PERMISSION_DENIED
#define OCOP_GRPC_NAME_ResourceExhausted RESOURCE_EXHAUSTED
#define OCOP_GRPC_NAME_FailedPrecondition FAILED_PRECONDITION
#define OCOP_GRPC_NAME_Aborted ABORTED
#define OCOP_GRPC_NAME_OutOfRange OUT_OF_RANGE
#define OCOP_GRPC_NAME_Unimplemented UNIMPLEMENTED
#define OCOP_GRPC_NAME_Internal INTERNAL
#define OCOP_GRPC_NAME_Unavailable UNAVAILABLE
#define OCOP_GRPC_NAME_DataLoss DATA_LOSS
#define OCOP_GRPC_NAME_Unauthenticated UNAUTHENTICATED
OCOP_CHECK_SAME_CODE(Ok);
OCOP_CHECK_SAME_CODE(Cancelled);
OCOP_CHECK_SAME_CODE(Unknown);
OCOP_CHECK_SAME_CODE(InvalidArgument);
OCOP_CHECK_SAME_CODE(DeadlineExceeded);
OCOP_CHECK_SAME_CODE(NotFound);
OCOP_CHECK_SAME_CODE(AlreadyExists);
OCOP_CHECK_SAME_CODE(PermissionDenied);
OCOP_CHECK_SAME_CODE(ResourceExhausted);
OCOP_CHECK_SAME_CODE(FailedPrecondition);
OCOP_CHECK_SAME_CODE(Aborted);
OCOP_CHECK_SAME_CODE(OutOfRange);
OCOP_CHECK_SAME_CODE(Unimplemented);
OCOP_CHECK_SAME_CODE(Internal);
OCOP_CHECK_SAME_CODE(Unavailable);
OCOP_CHECK_SAME_CODE(DataLoss);
OCOP_CHECK_SAME_CODE(Unauthenticated);

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

absl::Status FromGrpcStatus(const std::string& what, const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), what + ": " + status.error_message());
}

}  // namespace ocop
