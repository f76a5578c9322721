#include "common/grpc/server.h"

#include <signal.h>

#include <cstdio>
#include <fstream>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/resource_quota.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/impl/server_builder_option.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/request_log.h"
#include "common/grpc/server_metrics.h"

namespace ocop::grpcutil {
namespace {

// Serves reflection on one server or not. Linking gRPC's reflection library registers its plugin
// for every server at static initialisation, so the choice is made per builder here.
class ReflectionOption final : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool enabled) : enabled_(enabled) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    auto reflection = grpc::reflection::ProtoServerReflectionPlugin().name();
    std::erase_if(*plugins, [&](const auto& plugin) { return plugin->name() == reflection; });
    if (enabled_) plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
  }

 private:
  bool enabled_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerOptions& options, const std::vector<grpc::Service*>& services) {
  grpc::EnableDefaultHealthCheckService(true);
  InstallRequestScopes();  // before the first grpc::Server exists
  grpc::ServerBuilder builder;
  builder.SetOption(std::make_unique<ReflectionOption>(options.reflection));
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(options.max_send_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_time)));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options.keepalive_timeout)));
  // Followers may ping an idle connection (their own keepalive) every 10 s without being cut off
  // for "too many pings".
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10'000);
  // A second instance on the same port must fail loudly, not share the port (gRPC's default
  // SO_REUSEPORT would let two services split the traffic).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int port = 0;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (options.tls.enabled()) {
    grpc::SslServerCredentialsOptions ssl(options.tls.client_ca.empty()
                                              ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                              : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = options.tls.client_ca;
    ssl.pem_key_cert_pairs.push_back({options.tls.private_key, options.tls.certificate_chain});
    credentials = grpc::SslServerCredentials(ssl);
  }
  builder.AddListeningPort(options.listen_address, credentials, &port);
  grpc::ResourceQuota quota("ocop-server");
  quota.SetMaxThreads(options.max_threads);
  builder.SetResourceQuota(quota);
  // Sync server threads wake this often to notice shutdown (the default, 1 s, delays every stop).
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::CQ_TIMEOUT_MSEC, 100);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<MetricsInterceptorFactory>());
  // Before authentication, so the audit trail records the id this interceptor settles.
  interceptors.push_back(std::make_unique<RequestLogInterceptorFactory>());
  if (options.interceptors) {
    for (auto& interceptor : options.interceptors()) interceptors.push_back(std::move(interceptor));
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    return absl::InternalError(absl::StrCat("grpc: cannot listen on ", options.listen_address));
  }
  server->GetHealthCheckService()->SetServingStatus(true);
  if (!options.port_file.empty()) {
    absl::Status written = WritePortFile(options.port_file, port);
    if (!written.ok()) return written;
  }
  return std::unique_ptr<GrpcServer>(new GrpcServer(std::move(server), port, options.shutdown_grace));
}

GrpcServer::~GrpcServer() { Shutdown(); }

void GrpcServer::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(grace_));
  server_->Wait();
}

void BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A file that reaches the size limit (RLIMIT_FSIZE, a full quota) makes the write fail with
  // EFBIG, which SQLite reports and the call refuses cleanly, instead of the default SIGXFSZ
  // killing the whole service mid-transaction.
  signal(SIGXFSZ, SIG_IGN);
}

int WaitForShutdownSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

absl::Status WritePortFile(const std::string& path, int port) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << "\n";
    if (!out) return absl::InternalError(absl::StrCat("cannot write port file ", temporary));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot rename port file to ", path));
  }
  return absl::OkStatus();
}

}  // namespace ocop::grpcutil
