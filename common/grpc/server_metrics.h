// Per-RPC Prometheus metrics of a gRPC server, named as go-grpc-prometheus names them so existing
// dashboards and alerts apply: grpc_server_started_total, grpc_server_handled_total (by status
// code) and grpc_server_handling_seconds, each labelled grpc_service, grpc_method and grpc_type.
// GrpcServer installs it in front of every other interceptor, so calls refused by authentication
// are counted too.
#pragma once

#include <grpcpp/support/server_interceptor.h>

namespace ocop::grpcutil {

class MetricsInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace ocop::grpcutil
