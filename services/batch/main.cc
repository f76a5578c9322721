// batch: lots and their value-chain events over gRPC. Flags -> wiring -> run until SIGINT/SIGTERM.

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/audit/audit_service.h"
#include "common/auth/service_auth.h"
#include "common/feed/change_feed.h"
#include "common/grpc/client.h"
#include "common/grpc/server.h"
#include "common/grpc/server_main.h"
#include "common/log/log.h"
#include "common/keys/key_store.h"
#include "common/store/store_flags.h"
#include "services/batch/batch_service.h"
#include "services/batch/batches.h"
#include "services/batch/checkpoint_signer.h"
#include "services/batch/product_directory.h"
#include "services/batch/sql_batch_repository.h"

ABSL_FLAG(std::string, db, "data/batch.db", "SQLite database file, or a postgresql:// URL (docs/running.md)");
ABSL_FLAG(std::string, registry, "127.0.0.1:50051", "Registry service address");
ABSL_FLAG(int, registry_deadline_ms, 2000, "Deadline of calls to the registry");
ABSL_FLAG(std::string, key_dir, "data/batch-keys",
          "Folder of the Ed25519 keys that sign chain checkpoints (created 0700 with a first key)");
ABSL_FLAG(std::string, issuer, "", "Prefix of new resource ids, e.g. a province code 'tn'");

int main(int argc, char** argv) {
  ocop::grpcutil::BlockShutdownSignals();
  absl::SetProgramUsageMessage("OCOP batch service: growing areas, seasons, lots and value-chain events");
  absl::ParseCommandLine(argc, argv);
  // First: it also sets up the logs and TLS for every channel this process opens (--tls_ca_file).
  ocop::grpcutil::ServerOptions options = ocop::grpcutil::ServerOptionsFromFlags("batch", "127.0.0.1:50052");

  auto auth = ocop::auth::ServiceAuthFromFlags("batch", absl::GetFlag(FLAGS_registry));
  if (!auth.ok()) {
    ocop::logs::Error("cannot start", {{"error", auth.status()}});
    return 1;
  }
  auto keys = ocop::keys::KeyStore::Open(absl::GetFlag(FLAGS_key_dir));
  if (!keys.ok()) {
    ocop::logs::Error("cannot open checkpoint keys", {{"error", keys.status()}});
    return 1;
  }
  ocop::batch::CheckpointSigner signer(keys->get());
  auto store_options = ocop::store::StoreOptionsFromFlags();
  if (!store_options.ok()) {
    ocop::logs::Error("cannot start", {{"error", store_options.status()}});
    return 1;
  }
  auto repository = ocop::batch::SqlBatchRepository::Open(absl::GetFlag(FLAGS_db), &signer, *store_options);
  if (!repository.ok()) {
    ocop::logs::Error("cannot open database", {{"error", repository.status()}});
    return 1;
  }
  ocop::batch::RegistryProductDirectory products(
      ocop::registry::v1::RegistryService::NewStub((*auth)->Channel(absl::GetFlag(FLAGS_registry))),
      absl::Milliseconds(absl::GetFlag(FLAGS_registry_deadline_ms)));
  ocop::batch::Batches batches(repository->get(), &products, &signer, [] { return absl::Now(); },
                               absl::GetFlag(FLAGS_issuer));
  ocop::feed::ChangeFeed feed((*repository)->database(), (*repository)->notifier());
  feed.StartPruning();
  ocop::batch::BatchServiceImpl service(&batches, &feed);

  (*auth)->FollowRevocations(absl::GetFlag(FLAGS_registry));
  (*auth)->AuditDeniedTo((*repository)->database());
  ocop::audit::AuditServiceImpl audit_service((*repository)->database());
  options.interceptors = [&] { return (*auth)->Interceptors(); };
  return ocop::grpcutil::ServeUntilSignal(
      options, {&service, &audit_service}, "database " + ocop::store::RedactedLocation(absl::GetFlag(FLAGS_db)) + ", registry " + absl::GetFlag(FLAGS_registry),
      [&] {
        (*auth)->Stop();
        feed.Stop();
      });
}
