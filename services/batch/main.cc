// batch: lots and their value-chain events over gRPC. Flags -> wiring -> run until SIGINT/SIGTERM.
#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/feed/change_feed.h"
#include "common/grpc/client.h"
#include "common/grpc/server.h"
#include "services/batch/batch_service.h"
#include "services/batch/batches.h"
#include "services/batch/product_directory.h"
#include "services/batch/sqlite_batch_repository.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:50052", "gRPC address to listen on (port 0: any free port)");
ABSL_FLAG(std::string, port_file, "", "Write the bound gRPC port to this file");
ABSL_FLAG(std::string, db, "data/batch.db", "SQLite database file");
ABSL_FLAG(std::string, registry, "127.0.0.1:50051", "Registry service address");
ABSL_FLAG(int, registry_deadline_ms, 2000, "Deadline of calls to the registry");
ABSL_FLAG(std::string, issuer, "", "Prefix of new resource ids, e.g. a province code 'tn'");
ABSL_FLAG(int, max_threads, 64, "Upper bound on gRPC server threads");
ABSL_FLAG(int, shutdown_grace_ms, 3000, "On SIGTERM, how long open calls may finish before they are cancelled");

int main(int argc, char** argv) {
  ocop::grpcutil::BlockShutdownSignals();
  absl::SetProgramUsageMessage("OCOP batch service: lots and value-chain events");
  absl::ParseCommandLine(argc, argv);

  auto repository = ocop::batch::SqliteBatchRepository::Open(absl::GetFlag(FLAGS_db));
  if (!repository.ok()) {
    std::fprintf(stderr, "batch: cannot open database: %s\n", repository.status().ToString().c_str());
    return 1;
  }
  ocop::batch::RegistryProductDirectory products(
      ocop::registry::v1::RegistryService::NewStub(ocop::grpcutil::MakeChannel(absl::GetFlag(FLAGS_registry))),
      absl::Milliseconds(absl::GetFlag(FLAGS_registry_deadline_ms)));
  ocop::batch::Batches batches(repository->get(), &products, [] { return absl::Now(); },
                               absl::GetFlag(FLAGS_issuer));
  ocop::feed::ChangeFeed feed((*repository)->database(), (*repository)->notifier());
  ocop::batch::BatchServiceImpl service(&batches, &feed);

  ocop::grpcutil::ServerOptions options;
  options.listen_address = absl::GetFlag(FLAGS_listen);
  options.port_file = absl::GetFlag(FLAGS_port_file);
  options.max_threads = absl::GetFlag(FLAGS_max_threads);
  options.shutdown_grace = absl::Milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms));
  auto server = ocop::grpcutil::GrpcServer::Start(options, {&service});
  if (!server.ok()) {
    std::fprintf(stderr, "batch: %s\n", server.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "batch: serving gRPC on port %d (database %s, registry %s)\n", (*server)->port(),
               absl::GetFlag(FLAGS_db).c_str(), absl::GetFlag(FLAGS_registry).c_str());
  int signal = ocop::grpcutil::WaitForShutdownSignal();
  std::fprintf(stderr, "batch: signal %d, shutting down\n", signal);
  feed.Stop();
  (*server)->Shutdown();
  return 0;
}
