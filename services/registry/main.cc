// registry: OCOP producers and products over gRPC. Flags -> wiring -> run until SIGINT/SIGTERM.

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/strip.h"
#include "common/audit/audit_service.h"
#include "common/auth/service_auth.h"
#include "common/feed/change_feed.h"
#include "common/keys/key_store.h"
#include "common/keys/secret_files.h"
#include "common/grpc/server.h"
#include "common/grpc/server_main.h"
#include "common/log/log.h"
#include "common/store/store_flags.h"
#include "services/registry/admin_units.h"
#include "services/registry/evaluation.h"
#include "services/registry/evaluation_convert.h"
#include "services/registry/evaluation_service.h"
#include "services/registry/identity.h"
#include "services/registry/identity_service.h"
#include "services/registry/sql_identity_repository.h"
#include "services/registry/proto_convert.h"
#include "services/registry/sql_evaluation_repository.h"
#include "services/registry/registry_service.h"
#include "services/registry/sql_registry_store.h"

ABSL_FLAG(std::string, db, "data/registry.db", "SQLite database file, or a postgresql:// URL (docs/running.md)");
ABSL_FLAG(std::string, issuer, "", "Prefix of new resource ids, e.g. a province code 'tn'");
ABSL_FLAG(std::string, admin_units_dir, OCOP_DEFAULT_ADMIN_UNITS_DIR,
          "Folder with the official administrative unit tables (communes-before-2025-07.csv, "
          "conversion-2025-07.csv)");
ABSL_FLAG(std::string, criteria_dir, OCOP_DEFAULT_CRITERIA_DIR,
          "Folder of OCOP score sheets (CriteriaSet, protobuf text format, *.textproto)");
ABSL_FLAG(std::string, token_key_dir, "data/registry-keys",
          "Folder of the access-token signing keys (Ed25519 PEM files, 0600; created with a first key)");
ABSL_FLAG(std::string, bootstrap_admin, "",
          "At start, create this admin user unless it exists (with --bootstrap_admin_password_file)");
ABSL_FLAG(std::string, bootstrap_admin_password_file, "",
          "A 0600 file holding the bootstrap admin's password (never a flag value: flags show in ps)");
ABSL_FLAG(std::string, council_rules, OCOP_DEFAULT_COUNCIL_RULES,
          "Which council level may award which stars: a CouncilRuleSet in protobuf text format");

int main(int argc, char** argv) {
  ocop::grpcutil::BlockShutdownSignals();
  absl::SetProgramUsageMessage("OCOP registry service: producers, products, ratings, reports, evaluation");
  absl::ParseCommandLine(argc, argv);
  // First: it also sets up the logs and TLS for every channel this process opens (--tls_ca_file).
  ocop::grpcutil::ServerOptions options = ocop::grpcutil::ServerOptionsFromFlags("registry", "127.0.0.1:50051");

  auto store_options = ocop::store::StoreOptionsFromFlags();
  if (!store_options.ok()) {
    ocop::logs::Error("cannot start", {{"error", store_options.status()}});
    return 1;
  }
  auto opened = ocop::registry::SqlRegistryStore::Open(absl::GetFlag(FLAGS_db), *store_options);
  if (!opened.ok()) {
    ocop::logs::Error("cannot open database", {{"error", opened.status()}});
    return 1;
  }
  ocop::registry::SqlRegistryStore& store = **opened;
  auto units = ocop::registry::ReadAdminUnitTables(absl::GetFlag(FLAGS_admin_units_dir));
  absl::Status loaded = units.ok() ? store.units()->LoadAdminUnits(*units) : units.status();
  if (!loaded.ok()) {
    ocop::logs::Error("cannot load administrative units", {{"error", loaded}});
    return 1;
  }
  auto rules = ocop::registry::LoadCouncilRules(absl::GetFlag(FLAGS_council_rules));
  if (!rules.ok()) {
    ocop::logs::Error("cannot start", {{"error", rules.status()}});
    return 1;
  }
  auto criteria = ocop::registry::LoadCriteriaSets(absl::GetFlag(FLAGS_criteria_dir));
  if (!criteria.ok()) {
    ocop::logs::Error("cannot start", {{"error", criteria.status()}});
    return 1;
  }
  const std::string issuer = absl::GetFlag(FLAGS_issuer);
  auto clock = [] { return absl::Now(); };
  ocop::registry::Producers producers(store.producers(), store.units(), clock, issuer);
  ocop::registry::Products products(store.products(), store.producers(), &*rules, clock, issuer);
  ocop::registry::Reports reports(store.reports(), store.units(), clock);
  ocop::registry::Importer importer(store.imports(), store.units(), &*rules, clock, issuer);
  ocop::registry::SalesPoints sales_points(store.sales_points(), store.units(), store.producers(), clock);
  ocop::registry::ProductIdeas product_ideas(store.product_ideas(), store.units(), store.producers(), clock);
  // Revocations are kept in the outbox for good: every service replays them at start.
  ocop::feed::FeedLimits feed_limits;
  feed_limits.kept_entities = {"revocation"};
  ocop::feed::ChangeFeed feed(store.database(), store.notifier(), feed_limits);
  feed.StartPruning();
  ocop::registry::RegistryServiceImpl service({&producers, &products, &reports, &importer, &sales_points,
                                                 &product_ideas, &feed});
  ocop::registry::SqlEvaluationRepository evaluation_repository(store.database(), store.notifier());
  ocop::registry::Evaluation evaluation(&evaluation_repository, store.producers(), store.products(),
                                        store.product_ideas(), &*rules,
                                        std::move(*criteria), clock, issuer);
  ocop::registry::EvaluationServiceImpl evaluation_service(&evaluation);

  auto token_keys = ocop::keys::KeyStore::Open(absl::GetFlag(FLAGS_token_key_dir));
  if (!token_keys.ok()) {
    ocop::logs::Error("cannot load token signing keys", {{"error", token_keys.status()}});
    return 1;
  }
  ocop::registry::SqlIdentityRepository identity_repository(store.database(), store.notifier());
  ocop::registry::IdentityConfig identity_config;
  // The registry signs with the issuer and audience every service verifies (--token_issuer, --token_audience).
  const ocop::auth::VerifierOptions verifier = ocop::auth::VerifierOptionsFromFlags();
  identity_config.issuer = verifier.issuer;
  identity_config.audience = verifier.audience;
  ocop::registry::Identity identity(&identity_repository, token_keys->get(), identity_config,
                                    [] { return absl::Now(); }, issuer);
  if (const std::string admin = absl::GetFlag(FLAGS_bootstrap_admin); !admin.empty()) {
    absl::StatusOr<std::string> password = ocop::keys::ReadSecretFile(absl::GetFlag(FLAGS_bootstrap_admin_password_file));
    absl::Status created = password.ok() ? identity.EnsureAdmin(admin, std::string(absl::StripAsciiWhitespace(*password)))
                                          : password.status();
    if (!created.ok()) {
      ocop::logs::Error("cannot create the bootstrap admin", {{"error", created}});
      return 1;
    }
  }
  ocop::registry::IdentityServiceImpl identity_service(&identity);

  // The registry verifies its own tokens with its own keys, and follows its own feed for
  // revocations (so a second replica sharing the database hears of them too).
  ocop::auth::ServiceAuth auth(
      verifier, [&identity]() -> absl::StatusOr<std::map<std::string, std::string>> { return identity.VerificationKeys(); },
      std::make_shared<ocop::auth::TokenSource>(
          [&identity] { return identity.MintServiceToken("registry"); },
          [] { return absl::Now(); }),
      [] { return absl::Now(); });
  auth.AuditDeniedTo(store.database());
  if (absl::Status oidc = ocop::auth::AddOidcProviderFromFlags(auth); !oidc.ok()) {
    ocop::logs::Error("cannot start", {{"error", oidc}});
    return 1;
  }
  ocop::audit::AuditServiceImpl audit_service(store.database());
  options.interceptors = [&auth] { return auth.Interceptors(); };
  return ocop::grpcutil::ServeUntilSignal(
      options, {&service, &evaluation_service, &identity_service, &audit_service}, "database " + ocop::store::RedactedLocation(absl::GetFlag(FLAGS_db)),
      [&] {
        auth.Stop();
        feed.Stop();
      },
      [&](int port) { auth.FollowRevocations(ocop::grpcutil::SelfAddress(options.listen_address, port)); });
}
