// gRPC handler of ocop.lookup.v1.LookupService.
#pragma once

#include "ocop/lookup/v1/lookup.grpc.pb.h"
#include "services/lookup/public_limits.h"
#include "services/lookup/resolver.h"

namespace ocop::lookup {

class LookupServiceImpl final : public v1::LookupService::Service {
 public:
  // Neither is owned; `limits` may be null (no per-client limits).
  explicit LookupServiceImpl(Resolver* resolver, PublicLimits* limits = nullptr)
      : resolver_(resolver), limits_(limits) {}
  grpc::Status Resolve(grpc::ServerContext* context, const v1::ResolveRequest* request,
                       v1::ResolveResponse* response) override;
  grpc::Status VerifyPin(grpc::ServerContext* context, const v1::VerifyPinRequest* request,
                         stamp::v1::VerifyPinResponse* response) override;

 private:
  Resolver* resolver_;
  PublicLimits* limits_;
};

}  // namespace ocop::lookup
