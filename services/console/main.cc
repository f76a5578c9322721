// console: the web console for producers and provincial OCOP offices (HTTP), over the registry's
// gRPC API with each person's own token. Flags -> wiring -> run until SIGINT/SIGTERM. It serves no
// gRPC itself: probes use GET /healthz.
#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "common/auth/service_auth.h"
#include "common/grpc/client.h"
#include "common/grpc/server_main.h"
#include "common/log/log.h"
#include "services/console/console.h"

ABSL_FLAG(std::string, registry, "127.0.0.1:50051", "Registry service address");
ABSL_FLAG(std::string, batch, "127.0.0.1:50052", "Batch service address");
ABSL_FLAG(std::string, stamp, "127.0.0.1:50053", "Stamp service address");
ABSL_FLAG(int, backend_deadline_ms, 5000, "Deadline of each call to a backend");
ABSL_FLAG(std::string, http_address, "127.0.0.1", "Address the console's HTTP server listens on");
ABSL_FLAG(int, http_port, 8081, "The console's HTTP port (0: any free port)");
ABSL_FLAG(std::string, http_port_file, "", "Write the bound HTTP port to this file once listening");
ABSL_FLAG(int, http_workers, 8, "Threads that run page handlers (they wait on backends)");
ABSL_FLAG(int, session_idle_minutes, 30, "A session ends after this long without a request");
ABSL_FLAG(int, expiring_within_days, 90, "Certificates ending within this many days are highlighted");
ABSL_FLAG(std::string, public_base_url, "http://127.0.0.1:8080",
          "Lookup's public site, http(s)://host[:port]: printed certificates link to {url}/p/{product id}");

int main(int argc, char** argv) {
  ocop::grpcutil::BlockShutdownSignals();
  absl::SetProgramUsageMessage("OCOP web console for producers and provincial offices");
  absl::ParseCommandLine(argc, argv);
  // First: it also sets up the logs and TLS for every channel this process opens (--tls_ca_file).
  ocop::grpcutil::ServerOptions options = ocop::grpcutil::ServerOptionsFromFlags("console", "127.0.0.1:0");

  ocop::console::ConsoleConfig config;
  config.registry = absl::GetFlag(FLAGS_registry);
  config.batch = absl::GetFlag(FLAGS_batch);
  config.stamp = absl::GetFlag(FLAGS_stamp);
  config.backend_deadline = absl::Milliseconds(absl::GetFlag(FLAGS_backend_deadline_ms));
  config.idle_timeout = absl::Minutes(absl::GetFlag(FLAGS_session_idle_minutes));
  config.expiring_within_days = absl::GetFlag(FLAGS_expiring_within_days);
  config.public_base_url = absl::GetFlag(FLAGS_public_base_url);
  while (!config.public_base_url.empty() && config.public_base_url.back() == '/') config.public_base_url.pop_back();
  if (!absl::StartsWith(config.public_base_url, "https://") && !absl::StartsWith(config.public_base_url, "http://")) {
    ocop::logs::Error("cannot start", {{"error", "--public_base_url must start with http:// or https://"}});
    return 2;
  }
  config.verifier = ocop::auth::VerifierOptionsFromFlags();
  config.http.listen_address = absl::GetFlag(FLAGS_http_address);
  config.http.port = absl::GetFlag(FLAGS_http_port);
  config.http.port_file = absl::GetFlag(FLAGS_http_port_file);
  config.http.worker_threads = absl::GetFlag(FLAGS_http_workers);
  auto console = ocop::console::Console::Start(
      config, ocop::auth::RegistryKeys(ocop::grpcutil::MakeChannel(config.registry), config.backend_deadline),
      [] { return absl::Now(); });
  if (!console.ok()) {
    ocop::logs::Error("cannot start", {{"error", console.status()}});
    return 1;
  }
  return ocop::grpcutil::ServeUntilSignal(options, {},
                                          absl::StrCat("HTTP on port ", (*console)->http_port(), ", registry ",
                                                       config.registry, ", batch ", config.batch, ", stamp ",
                                                       config.stamp),
                                          [&] { (*console)->Stop(); });
}
