// Authentication on every gRPC call of a server: an interceptor runs the Authenticator on the
// call's "authorization" metadata and the method's rule before the handler runs, and hands the
// handler its verdict through the call's metadata, which it first clears of anything the client
// sent under our internal keys (so a client cannot claim a verdict). A handler asks CallerOf().
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <grpcpp/server_context.h>
#include <grpcpp/support/server_interceptor.h>

#include "absl/status/statusor.h"
#include "common/actor/actor.h"
#include "common/auth/authenticator.h"
#include "common/store/audit.h"

namespace ocop::auth {

// Where denied attempts (UNAUTHENTICATED or PERMISSION_DENIED, from the gate or the domain) are
// recorded, e.g. store::Database::AppendAudit.
using DeniedSink = std::function<void(const store::AuditRecord&)>;

// For grpc::ServerBuilder::experimental().SetInterceptorCreators. `authenticator` is not owned.
class AuthInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(Authenticator* authenticator, DeniedSink denied = {})
      : authenticator_(authenticator), denied_(std::move(denied)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  Authenticator* authenticator_;
  DeniedSink denied_;
};

// The caller of the call as the interceptor found it: its Actor, or UNAUTHENTICATED /
// PERMISSION_DENIED with the reason. INTERNAL when no interceptor saw the call (a server built
// without it must not fall back to trusting anything).
absl::StatusOr<Actor> CallerOf(const grpc::ServerContext& context);

// CallerOf() for a handler that may write: while it lives, the handler's thread is marked with the
// caller (store::ScopedAuditContext), so each write transaction it commits carries its audit row.
class Caller {
 public:
  explicit Caller(const grpc::ServerContext& context);
  bool ok() const { return actor_.ok(); }
  absl::Status status() const { return actor_.status(); }
  const Actor& operator*() const { return *actor_; }
  const Actor* operator->() const { return &*actor_; }

 private:
  absl::StatusOr<Actor> actor_;
  std::optional<store::ScopedAuditContext> audit_;
};

}  // namespace ocop::auth
