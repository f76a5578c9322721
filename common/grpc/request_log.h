// Request ids and access lines for gRPC servers (common/log):
//  - every call gets an id: the caller's `x-request-id` metadata when well-formed, a new one
//    otherwise (written back into the call's metadata, so handlers, the audit trail and every
//    backend call see the same id);
//  - synchronous handlers run with it as their thread's logs::CurrentRequestId (gRPC's global
//    server callbacks), so channels from MakeChannel forward it; callback handlers (lookup's
//    Resolve) set a logs::RequestScope from RequestIdOf(context) themselves;
//  - one access line per call, sampled by id, always for server-side failures and slow calls.
// GrpcServer::Start installs all of it.
#pragma once

#include <string>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>

namespace ocop::grpcutil {

class RequestLogInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;
};

// Sets the global server callbacks that scope each synchronous handler to its request id; once per
// process, before the first server is built (GrpcServer::Start calls it).
void InstallRequestScopes();

// The call's request id as RequestLogInterceptorFactory left it ("" when not installed).
std::string RequestIdOf(const grpc::ServerContextBase& context);

// Whether a call that ended with `code` failed on the server's side (and is always logged):
// UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. The caller's own
// mistakes (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, ...) are sampled like successes.
bool IsServerFailure(grpc::StatusCode code);

}  // namespace ocop::grpcutil
