// registry: OCOP producers and products over gRPC. Flags -> wiring -> run until SIGINT/SIGTERM.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/feed/change_feed.h"
#include "common/grpc/server.h"
#include "services/registry/registry.h"
#include "services/registry/registry_service.h"
#include "services/registry/sqlite_registry_repository.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051", "gRPC address to listen on (port 0: any free port)");
ABSL_FLAG(std::string, port_file, "", "Write the bound gRPC port to this file");
ABSL_FLAG(std::string, db, "data/registry.db", "SQLite database file");
ABSL_FLAG(std::string, issuer, "", "Prefix of new resource ids, e.g. a province code 'tn'");
ABSL_FLAG(int, max_threads, 64, "Upper bound on gRPC server threads");
ABSL_FLAG(int, shutdown_grace_ms, 3000, "On SIGTERM, how long open calls may finish before they are cancelled");

int main(int argc, char** argv) {
  ocop::grpcutil::BlockShutdownSignals();
  absl::SetProgramUsageMessage("OCOP registry service: producers and products");
  absl::ParseCommandLine(argc, argv);

  auto repository = ocop::registry::SqliteRegistryRepository::Open(absl::GetFlag(FLAGS_db));
  if (!repository.ok()) {
    std::fprintf(stderr, "registry: cannot open database: %s\n", repository.status().ToString().c_str());
    return 1;
  }
  ocop::registry::Registry registry(repository->get(), [] { return absl::Now(); }, absl::GetFlag(FLAGS_issuer));
  ocop::feed::ChangeFeed feed((*repository)->database(), (*repository)->notifier());
  ocop::registry::RegistryServiceImpl service(&registry, &feed);

  ocop::grpcutil::ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.port_file = absl::GetFlag(FLAGS_port_file);
  options.max_threads = absl::GetFlag(FLAGS_max_threads);
  options.shutdown_grace = absl::Milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms));
  auto server = ocop::grpcutil::GrpcServer::Start(options, {&service});
  if (!server.ok()) {
    std::fprintf(stderr, "registry: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "registry: serving gRPC on port %d (database %s)\n", (*server)->port(),
               absl::GetFlag(FLAGS_db).c_str());
  int signal = ocop::grpcutil::WaitForShutdownSignal();
  std::fprintf(stderr, "registry: signal %d, shutting down\n", signal);
  feed.Stop();
  (*server)->Shutdown();
  return 0;
}
