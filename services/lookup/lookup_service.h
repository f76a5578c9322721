// gRPC handler of ocop.lookup.v1.LookupService.
#pragma once

#include "ocop/lookup/v1/lookup.grpc.pb.h"
#include "services/lookup/resolver.h"

namespace ocop::lookup {

class LookupServiceImpl final : public v1::LookupService::Service {
 public:
  explicit LookupServiceImpl(Resolver* resolver) : resolver_(resolver) {}
  grpc::Status Resolve(grpc::ServerContext* context, const v1::ResolveRequest* request,
                       v1::ResolveResponse* response) override;
  grpc::Status VerifyPin(grpc::ServerContext* context, const v1::VerifyPinRequest* request,
                         stamp::v1::VerifyPinResponse* response) override;

 private:
  Resolver* resolver_;
};

}  // namespace ocop::lookup
