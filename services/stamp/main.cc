// stamp: rolls of signed QR stamps over gRPC. Flags -> wiring -> run until SIGINT/SIGTERM.

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
#include "common/token/token.h"
#include "services/stamp/batch_directory.h"
#include "common/keys/key_store.h"
#include "common/store/store_flags.h"
#include "services/stamp/pin_secrets.h"
#include "services/stamp/sql_stamp_repository.h"
#include "services/stamp/stamp_service.h"
#include "services/stamp/stamps.h"

ABSL_FLAG(std::string, db, "data/stamp.db", "SQLite database file, or a postgresql:// URL (docs/running.md)");
ABSL_FLAG(std::string, key_dir, "data/keys", "Folder of Ed25519 signing keys (0700; files 0600)");
ABSL_FLAG(std::string, pin_secret_dir, "data/pin-secrets", "Folder of scratch-PIN secrets (0700; files 0600)");
ABSL_FLAG(std::string, batch, "127.0.0.1:50052", "Batch service address");
ABSL_FLAG(std::string, registry, "127.0.0.1:50051", "Registry service address (product text on labels)");
ABSL_FLAG(int, batch_deadline_ms, 2000, "Deadline of calls to the batch service");
ABSL_FLAG(std::string, public_base_url, "http://127.0.0.1:8080",
          "Scheme and host printed in stamp QR codes (about 27 characters at most for version 6)");
ABSL_FLAG(int, max_qr_version, 6, "Largest QR version a stamp may need; a longer base URL is refused");
ABSL_FLAG(int, max_digital_link_qr_version, 10, "Largest QR version a GS1 Digital Link stamp may need");
ABSL_FLAG(int64_t, max_roll_count, 10'000'000, "Largest roll that may be issued");
ABSL_FLAG(int64_t, max_ranges_per_roll, 100'000,
          "Most separate ranges of stamp states one roll may have (keeps a roll a few MB at most)");
ABSL_FLAG(std::string, issuer, "", "Prefix of new resource ids, e.g. a province code 'tn'");
ABSL_FLAG(bool, rotate_signing_key, false,
          "At start, generate a new signing key for new rolls; old keys stay for verification");
ABSL_FLAG(int, background_nice, 10,
          "Roll renders and scan history run this much nicer than the calls scans wait for (0-19; 0: same)");
ABSL_FLAG(int, scan_retention_days, 365,
          "Scan history older than this many days is deleted (docs/privacy.md)");

int main(int argc, char** argv) {
  ocop::grpcutil::BlockShutdownSignals();
  absl::SetProgramUsageMessage("OCOP stamp service: rolls of signed QR stamps");
  absl::ParseCommandLine(argc, argv);
  // First: it also sets up the logs and TLS for every channel this process opens (--tls_ca_file).
  ocop::grpcutil::ServerOptions options = ocop::grpcutil::ServerOptionsFromFlags("stamp", "127.0.0.1:50053");

  ocop::stamp::StampsConfig config;
  config.public_base_url = absl::GetFlag(FLAGS_public_base_url);
  config.max_qr_version = absl::GetFlag(FLAGS_max_qr_version);
  config.max_digital_link_qr_version = absl::GetFlag(FLAGS_max_digital_link_qr_version);
  config.max_roll_count = absl::GetFlag(FLAGS_max_roll_count);
  config.max_ranges_per_roll = absl::GetFlag(FLAGS_max_ranges_per_roll);
  if (absl::Status valid = ocop::stamp::ValidateConfig(config); !valid.ok()) {
    ocop::logs::Error("cannot start", {{"error", valid}});
    return 1;
  }
  if (const int nice = absl::GetFlag(FLAGS_background_nice); nice < 0 || nice > 19) {
    ocop::logs::Error("--background_nice must be 0-19", {{"got", nice}});
    return 1;
  }
  auto auth = ocop::auth::ServiceAuthFromFlags("stamp", absl::GetFlag(FLAGS_registry));
  if (!auth.ok()) {
    ocop::logs::Error("cannot start", {{"error", auth.status()}});
    return 1;
  }
  auto keys = ocop::keys::KeyStore::Open(absl::GetFlag(FLAGS_key_dir));
  if (!keys.ok()) {
    ocop::logs::Error("cannot load keys", {{"error", keys.status()}});
    return 1;
  }
  if (absl::GetFlag(FLAGS_rotate_signing_key)) {
    auto rotated = (*keys)->Rotate();
    if (!rotated.ok()) {
      ocop::logs::Error("key rotation failed", {{"error", rotated.status()}});
      return 1;
    }
    ocop::logs::Info("rotated the signing key; new rolls are signed with it",
                     {{"key_id", ocop::token::KeyIdToHex(*rotated)}});
  }
  auto pins = ocop::stamp::PinSecrets::Open(absl::GetFlag(FLAGS_pin_secret_dir));
  if (!pins.ok()) {
    ocop::logs::Error("cannot load PIN secrets", {{"error", pins.status()}});
    return 1;
  }
  auto store_options = ocop::store::StoreOptionsFromFlags();
  if (!store_options.ok()) {
    ocop::logs::Error("cannot start", {{"error", store_options.status()}});
    return 1;
  }
  auto repository = ocop::stamp::SqlStampRepository::Open(absl::GetFlag(FLAGS_db), *store_options);
  if (!repository.ok()) {
    ocop::logs::Error("cannot open database", {{"error", repository.status()}});
    return 1;
  }
  ocop::stamp::GrpcBatchDirectory batches(
      ocop::batch::v1::BatchService::NewStub((*auth)->Channel(absl::GetFlag(FLAGS_batch))),
      absl::Milliseconds(absl::GetFlag(FLAGS_batch_deadline_ms)));
  ocop::stamp::GrpcProductDirectory products(
      ocop::registry::v1::RegistryService::NewStub((*auth)->Channel(absl::GetFlag(FLAGS_registry))),
      absl::Milliseconds(absl::GetFlag(FLAGS_batch_deadline_ms)));
  ocop::stamp::Stamps stamps(repository->get(), repository->get(), &batches, &products, keys->get(), pins->get(),
                             config,
                             [] { return absl::Now(); }, absl::GetFlag(FLAGS_issuer));
  ocop::feed::ChangeFeed feed((*repository)->database(), (*repository)->notifier());
  feed.StartPruning();
  ocop::stamp::ScanHistory scans(repository->get(), absl::Hours(24) * absl::GetFlag(FLAGS_scan_retention_days),
                                 [] { return absl::Now(); });
  ocop::stamp::StampServiceImpl service(&stamps, &scans, keys->get(), &feed, absl::GetFlag(FLAGS_background_nice));

  (*auth)->FollowRevocations(absl::GetFlag(FLAGS_registry));
  (*auth)->AuditDeniedTo((*repository)->database());
  ocop::audit::AuditServiceImpl audit_service((*repository)->database());
  options.interceptors = [&] { return (*auth)->Interceptors(); };
  // Only the key id is printed; the key itself never leaves the key folder and this process.
  return ocop::grpcutil::ServeUntilSignal(
      options, {&service, &audit_service},
      "database " + ocop::store::RedactedLocation(absl::GetFlag(FLAGS_db)) + ", signing key " + ocop::token::KeyIdToHex((*keys)->signing_key_id()),
      [&] {
        (*auth)->Stop();
        feed.Stop();
      });
}
