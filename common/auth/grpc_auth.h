// Authentication on every gRPC call of a server: an interceptor runs the Authenticator on the
// call's "authorization" metadata and the method's rule before the handler runs, and hands the
// handler its verdict through the call's metadata, which it first clears of anything the client
// sent under our internal keys (so a client cannot claim a verdict). A handler asks CallerOf().
#pragma once

#include <memory>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/status/statusor.h"
#include "common/actor/actor.h"
#include "common/auth/authenticator.h"

namespace ocop::auth {

// For grpc::ServerBuilder::experimental().SetInterceptorCreators. `authenticator` is not owned.
class AuthInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(Authenticator* authenticator) : authenticator_(authenticator) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  Authenticator* authenticator_;
};

// The caller of the call as the interceptor found it: its Actor, or UNAUTHENTICATED /
// PERMISSION_DENIED with the reason. INTERNAL when no interceptor saw the call (a server built
// without it must not fall back to trusting anything).
absl::StatusOr<Actor> CallerOf(const grpc::ServerContext& context);

}  // namespace ocop::auth
