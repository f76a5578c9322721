#include "services/lookup/lookup_service.h"

#include <cstdio>

#include "common/status/grpc_status.h"

namespace ocop::lookup {

grpc::Status LookupServiceImpl::Resolve(grpc::ServerContext*, const v1::ResolveRequest* request,
                                        v1::ResolveResponse* response) {
  absl::StatusOr<v1::ResolveResponse> result = resolver_->Resolve(request->code());
  if (result.ok()) {
    *response = std::move(*result);
    return grpc::Status::OK;
  }
  const absl::Status& status = result.status();
  // A public endpoint: input errors are explained, internals are only logged.
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return ToGrpcStatus(status);
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "a backend is temporarily unavailable; retry shortly");
    default:
      std::fprintf(stderr, "lookup: Resolve: %s\n", status.ToString().c_str());
      return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
}

}  // namespace ocop::lookup
