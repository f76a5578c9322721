#include "common/grpc/server_main.h"

#include <atomic>
#include <cstdlib>
#include <thread>

#include <fstream>
#include <iterator>

#include "absl/flags/flag.h"
#include "common/grpc/client.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"
#include "absl/time/clock.h"

ABSL_FLAG(std::string, listen, "", "gRPC host:port to listen on (port 0: any free port); "
                                   "default 127.0.0.1 and the service's port");
ABSL_FLAG(std::string, port_file, "", "Write the bound gRPC port to this file once listening");
ABSL_FLAG(int, max_threads, 64, "Upper bound on gRPC server threads (each open call holds one)");
ABSL_FLAG(int, shutdown_grace_ms, 3000, "On SIGTERM, how long open calls may finish before they are cancelled");
ABSL_FLAG(bool, grpc_reflection, false,
          "Serve gRPC server reflection (for grpcurl); off by default, as it lists every method to anyone");
ABSL_FLAG(int, max_message_mb, 4, "Largest gRPC request accepted, in MiB");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain: the gRPC port speaks TLS only, and calls to our other services present it");
ABSL_FLAG(std::string, tls_key_file, "", "PEM private key of --tls_cert_file (a 0600 file)");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA: clients must present a certificate it signed (mutual TLS between our services)");
ABSL_FLAG(std::string, metrics_listen, "",
          "Serve Prometheus /metrics on this host:port (port 0: any free port); off when empty. Keep it off the "
          "public network: it is not authenticated");
ABSL_FLAG(std::string, metrics_port_file, "", "Write the bound /metrics port to this file once listening");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA that signed our other services' certificates: calls to them use TLS and check it");

namespace ocop::grpcutil {

namespace {

std::string ReadFileOrDie(const std::string& flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) text.clear();
  if (text.empty()) {
    logs::Error("cannot read a flag's file", {{"flag", flag}, {"path", path}});
    std::exit(1);
  }
  return text;
}

}  // namespace

ServerOptions ServerOptionsFromFlags(const std::string& name, const std::string& default_listen) {
  if (absl::Status configured = logs::ConfigureFromFlags(name); !configured.ok()) {
    logs::Options fallback;
    fallback.service = name;
    logs::Configure(std::move(fallback));
    logs::Error("bad logging flags", {{"error", configured}});
    std::exit(1);
  }
  ServerOptions options;
  const std::string cert = absl::GetFlag(FLAGS_tls_cert_file);
  const std::string key = absl::GetFlag(FLAGS_tls_key_file);
  if (cert.empty() != key.empty()) {
    logs::Error("--tls_cert_file and --tls_key_file go together");
    std::exit(1);
  }
  if (!cert.empty()) {
    options.tls.certificate_chain = ReadFileOrDie("tls_cert_file", cert);
    options.tls.private_key = ReadFileOrDie("tls_key_file", key);
  }
  if (!absl::GetFlag(FLAGS_tls_client_ca_file).empty()) {
    if (cert.empty()) {
      logs::Error("--tls_client_ca_file needs --tls_cert_file and --tls_key_file");
      std::exit(1);
    }
    options.tls.client_ca = ReadFileOrDie("tls_client_ca_file", absl::GetFlag(FLAGS_tls_client_ca_file));
  }
  if (!absl::GetFlag(FLAGS_tls_ca_file).empty()) {
    ClientTls client;
    client.root_ca = ReadFileOrDie("tls_ca_file", absl::GetFlag(FLAGS_tls_ca_file));
    client.certificate_chain = options.tls.certificate_chain;
    client.private_key = options.tls.private_key;
    SetClientTls(std::move(client));
  }
  std::string listen = absl::GetFlag(FLAGS_listen);
  options.listen_address = listen.empty() ? default_listen : listen;
  options.port_file = absl::GetFlag(FLAGS_port_file);
  options.max_threads = absl::GetFlag(FLAGS_max_threads);
  options.shutdown_grace = absl::Milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms));
  options.reflection = absl::GetFlag(FLAGS_grpc_reflection);
  options.max_receive_message_bytes = absl::GetFlag(FLAGS_max_message_mb) << 20;
  options.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  options.metrics_port_file = absl::GetFlag(FLAGS_metrics_port_file);
  return options;
}

std::string SelfAddress(const std::string& listen_address, int port) {
  std::string host = listen_address.substr(0, listen_address.rfind(':'));
  if (host.empty() || host == "0.0.0.0" || host == "[::]") host = "127.0.0.1";
  return host + ":" + std::to_string(port);
}

int ServeUntilSignal(const ServerOptions& options,
                     const std::vector<grpc::Service*>& services, const std::string& details,
                     const std::function<void()>& before_shutdown, const std::function<void(int)>& on_serving) {
  std::unique_ptr<metrics::MetricsEndpoint> metrics_endpoint;
  if (!options.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<metrics::MetricsEndpoint>> started =
        metrics::MetricsEndpoint::Start(options.metrics_listen);
    absl::Status status = started.status();
    if (status.ok() && !options.metrics_port_file.empty()) {
      status = WritePortFile(options.metrics_port_file, (*started)->port());
    }
    if (!status.ok()) {
      logs::Error("cannot serve metrics", {{"error", status}});
      return 1;
    }
    metrics_endpoint = std::move(*started);
    logs::Info("serving Prometheus metrics", {{"port", metrics_endpoint->port()}});
  }
  // A process with no gRPC services (the console: HTTP only) serves no gRPC port at all.
  absl::StatusOr<std::unique_ptr<GrpcServer>> server;
  if (!services.empty()) {
    server = GrpcServer::Start(options, services);
    if (!server.ok()) {
      logs::Error("cannot serve gRPC", {{"error", server.status()}});
      return 1;
    }
    logs::Info("serving gRPC", {{"port", (*server)->port()}, {"tls", options.tls.enabled()}, {"details", details}});
    if (on_serving) on_serving((*server)->port());
  } else {
    logs::Info("serving", {{"details", details}});
  }
  int signal = WaitForShutdownSignal();
  logs::Info("shutting down", {{"signal", signal}});
  // A stop is bounded, as an orchestrator's kill after its grace period would bound it: if the
  // orderly shutdown is still running a second after the grace period, say where and exit.
  static std::atomic<const char*> phase{"stopping feeds and listeners"};
  std::thread([limit = options.shutdown_grace + absl::Seconds(1)] {
    absl::SleepFor(limit);
    logs::Warning("shutdown took too long; exiting now", {{"phase", phase.load()}, {"after_ms", limit}});
    std::_Exit(0);
  }).detach();
  before_shutdown();
  phase = "waiting for open calls";
  if (!services.empty()) (*server)->Shutdown();
  return 0;
}

}  // namespace ocop::grpcutil
