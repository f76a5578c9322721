// gRPC server bootstrap shared by the services: listening address and port file, the standard
// health service, server reflection (by option), a bounded synchronous thread pool, message size
// limits, keepalive, graceful shutdown.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/server.h>
#include <grpcpp/support/server_interceptor.h>
#include <grpcpp/impl/codegen/service_type.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ocop::grpcutil {

// TLS for a server's port (PEM text). With a certificate and key the port speaks only TLS; with a
// client CA too, every client must present a certificate that CA signed (mutual TLS, for our
// services calling each other).
struct ServerTls {
  std::string certificate_chain;
  std::string private_key;
  std::string client_ca;
  bool enabled() const { return !certificate_chain.empty(); }
};

struct ServerOptions {
  // host:port; port 0 picks a free port (read it back with port()).
  std::string listen_address = "127.0.0.1:0";
  // When set, the bound port is written here (atomically) once the server listens, so tests and
  // scripts can start services on port 0 and find them.
  std::string port_file;
  // Upper bound on the synchronous server's threads: each in-flight call (and each open
  // WatchChanges stream) holds one. Calls beyond it wait for a thread.
  int max_threads = 64;
  // Open calls get this long to finish on shutdown before they are cancelled.
  absl::Duration shutdown_grace = absl::Seconds(3);
  // Plaintext when not enabled.
  ServerTls tls;
  // Serve gRPC server reflection (grpcurl without .proto files). Off unless asked for: it lists
  // every method to anyone who can connect.
  bool reflection = false;
  // The largest request message accepted, and the largest answer sent; larger ones fail with
  // RESOURCE_EXHAUSTED instead of growing memory.
  int max_receive_message_bytes = 4 << 20;
  int max_send_message_bytes = 16 << 20;
  // Connections are pinged after this long without traffic and closed when a ping goes
  // unanswered for keepalive_timeout: a peer that vanished (power cut, NAT dropped) releases the
  // streams and threads it held.
  absl::Duration keepalive_time = absl::Seconds(60);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  // Interceptors every call passes (e.g. auth::AuthInterceptorFactory), after the per-RPC metrics
  // (server_metrics.h), which every server has; none when unset.
  std::function<std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>()> interceptors;
  // Prometheus /metrics (common/metrics) on this host:port, apart from the gRPC port; off when
  // empty. Started by ServeUntilSignal; its bound port is written to metrics_port_file when set.
  std::string metrics_listen;
  std::string metrics_port_file;
};

class GrpcServer {
 public:
  // Starts serving `services` (not owned; they must outlive the server) with health checking
  // (all services SERVING) and, when asked for, reflection. INTERNAL if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Start(const ServerOptions& options,
                                                           const std::vector<grpc::Service*>& services);
  ~GrpcServer();

  int port() const { return port_; }
  // Marks the server NOT_SERVING, lets open calls finish within the grace period, then stops.
  void Shutdown();

 private:
  GrpcServer(std::unique_ptr<grpc::Server> server, int port, absl::Duration grace)
      : server_(std::move(server)), port_(port), grace_(grace) {}
  std::unique_ptr<grpc::Server> server_;
  int port_;
  absl::Duration grace_;
  bool stopped_ = false;
};

// Blocks SIGINT and SIGTERM in the calling thread and in every thread it starts afterwards, and
// ignores SIGXFSZ (a write past the file-size limit then fails instead of killing the process).
// Call first thing in main(), then WaitForShutdownSignal() once everything runs.
void BlockShutdownSignals();
// Waits for SIGINT or SIGTERM and returns its number.
int WaitForShutdownSignal();

// Writes `port` to `path` via a temporary file and rename, so a reader never sees half a number.
absl::Status WritePortFile(const std::string& path, int port);

}  // namespace ocop::grpcutil
