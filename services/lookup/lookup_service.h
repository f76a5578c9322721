// gRPC handler of ocop.lookup.v1.LookupService.
//
// Resolve runs on gRPC's callback API: a scan whose views are all in memory (the common case, a
// first scan of a stamp of a lot in memory included) is answered inline on the thread that read
// the call, with no hand-off to a thread pool and back; anything that must wait for Redis or a
// backend goes to a small pool of workers. This is what the HTTP side does with its I/O threads.
// VerifyPin (rare, always forwarded to the stamp service) stays on the synchronous API.
#pragma once

#include <memory>

#include "ocop/lookup/v1/lookup.grpc.pb.h"
#include "services/lookup/public_limits.h"
#include "services/lookup/resolver.h"

namespace ocop::lookup {

class LookupServiceImpl final : public v1::LookupService::WithCallbackMethod_Resolve<v1::LookupService::Service> {
 public:
  // Neither is owned; `limits` may be null (no per-client limits). `workers` threads resolve what
  // is not in memory; at most `max_waiting` calls wait for one (beyond: UNAVAILABLE, retry).
  LookupServiceImpl(Resolver* resolver, PublicLimits* limits = nullptr, int workers = 8, size_t max_waiting = 4096);
  ~LookupServiceImpl() override;

  grpc::ServerUnaryReactor* Resolve(grpc::CallbackServerContext* context, const v1::ResolveRequest* request,
                                    v1::ResolveResponse* response) override;
  grpc::Status VerifyPin(grpc::ServerContext* context, const v1::VerifyPinRequest* request,
                         stamp::v1::VerifyPinResponse* response) override;

 private:
  class Workers;
  Resolver* resolver_;
  PublicLimits* limits_;
  std::unique_ptr<Workers> workers_;
};

}  // namespace ocop::lookup
