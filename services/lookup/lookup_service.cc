#include "services/lookup/lookup_service.h"

#include "absl/time/clock.h"

#include <cstdio>

#include "common/http/client_address.h"
#include "common/status/grpc_status.h"

namespace ocop::lookup {

namespace {

// A public endpoint: input errors are explained, internals are only logged.
grpc::Status PublicStatus(const absl::Status& status, const char* method) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kResourceExhausted:
      return ToGrpcStatus(status);
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "cannot check now: a backend is temporarily unavailable; retry shortly");
    default:
      std::fprintf(stderr, "lookup: %s: %s\n", method, status.ToString().c_str());
      return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
}

}  // namespace

grpc::Status LookupServiceImpl::Resolve(grpc::ServerContext* context, const v1::ResolveRequest* request,
                                        v1::ResolveResponse* response) {
  const std::string client =
      limits_ != nullptr ? limits_->ClientOf(*context) : http::ClientNetwork(http::AddressOfGrpcPeer(context->peer()));
  if (limits_ != nullptr) {
    if (grpc::Status limited = limits_->CheckGrpcClient(client, absl::Now()); !limited.ok()) return limited;
  }
  absl::StatusOr<Resolution> result = resolver_->ResolveViews(request->code(), client);
  if (!result.ok()) return PublicStatus(result.status(), "Resolve");
  // The views go out as the bytes they were cached as (views.h, WireFields).
  result->ToWire(*response);
  return grpc::Status::OK;
}

grpc::Status LookupServiceImpl::VerifyPin(grpc::ServerContext* context, const v1::VerifyPinRequest* request,
                                          stamp::v1::VerifyPinResponse* response) {
  const std::string client =
      limits_ != nullptr ? limits_->ClientOf(*context) : http::ClientNetwork(http::AddressOfGrpcPeer(context->peer()));
  if (limits_ != nullptr) {
    if (grpc::Status limited = limits_->CheckGrpcClient(client, absl::Now()); !limited.ok()) return limited;
  }
  absl::StatusOr<stamp::v1::VerifyPinResponse> result = resolver_->VerifyPin(request->code(), request->pin(), client);
  if (!result.ok()) return PublicStatus(result.status(), "VerifyPin");
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace ocop::lookup
