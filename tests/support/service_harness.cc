#include "tests/support/service_harness.h"

#include "services/registry/evaluation_convert.h"
#include "services/registry/proto_convert.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "common/store/database.h"
#include "common/auth/access_token.h"
#include "common/token/token.h"
#include "common/grpc/client.h"
#include "common/status/status_macros.h"

namespace ocop::testing {

std::string LoopbackAddress(int port) { return absl::StrCat("127.0.0.1:", port); }

absl::Time TestNow() {
  static const absl::Time real_start = absl::Now();
  static const absl::Time test_start = absl::FromCivil(kTestStart, absl::FixedTimeZone(7 * 3600));
  return test_start + (absl::Now() - real_start);
}


namespace {

constexpr uint32_t kTestIssuerKeyId = 0x7e570000;

const crypto::Ed25519PrivateKey& TestIssuerKey() {
  static const auto* key = new crypto::Ed25519PrivateKey(*crypto::Ed25519PrivateKey::Generate());
  return *key;
}

absl::StatusOr<std::unique_ptr<grpcutil::GrpcServer>> Serve(std::vector<grpc::Service*> services,
                                                            auth::ServiceAuth* service_auth) {
  grpcutil::ServerOptions options;
  options.shutdown_grace = absl::Milliseconds(200);
  options.interceptors = [service_auth] { return service_auth->Interceptors(); };
  return grpcutil::GrpcServer::Start(options, services);
}

}  // namespace

std::map<std::string, std::string> TestIssuerKeys() {
  return {{token::KeyIdToHex(kTestIssuerKeyId), TestIssuerKey().PublicKey()}};
}

std::string TestToken(const Actor& caller, absl::Duration lifetime) {
  auth::AccessClaims claims;
  claims.issuer = "ocop-trace/registry";
  claims.audience = "ocop-trace";
  claims.subject = caller.subject;
  claims.role = caller.role;
  claims.producer = caller.producer;
  claims.province = caller.province;
  claims.printer = caller.printer;
  claims.credential = caller.credential;
  static std::atomic<int64_t> next_id{0};
  claims.token_id = absl::StrCat("test-", ++next_id);
  claims.issued_at = claims.not_before = absl::Now();
  claims.expires_at = claims.issued_at + lifetime;
  return *auth::SignAccessToken(claims, kTestIssuerKeyId, TestIssuerKey());
}

std::unique_ptr<grpc::ClientContext> AnonymousContext() {
  auto context = std::make_unique<grpc::ClientContext>();
  grpcutil::PrepareContext(*context, absl::Seconds(10));
  return context;
}

std::unique_ptr<grpc::ClientContext> ContextAs(const Actor& caller) {
  auto context = AnonymousContext();
  context->AddMetadata("authorization", "Bearer " + TestToken(caller));
  return context;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& subject, const std::string& role,
                                             const std::string& producer) {
  return ContextAs(Actor(subject, role, producer));
}

std::unique_ptr<auth::ServiceAuth> HarnessAuth(const std::string& service, auth::KeySource registry_keys) {
  auth::VerifierOptions options;
  options.issuer = "ocop-trace/registry";
  options.audience = "ocop-trace";
  auto keys = [registry_keys = std::move(registry_keys)]() -> absl::StatusOr<std::map<std::string, std::string>> {
    std::map<std::string, std::string> keys = TestIssuerKeys();
    absl::StatusOr<std::map<std::string, std::string>> registry = registry_keys();
    if (registry.ok()) keys.insert(registry->begin(), registry->end());
    return keys;
  };
  return std::make_unique<auth::ServiceAuth>(options, std::move(keys), ServiceTokens(service),
                                             [] { return absl::Now(); });
}

std::shared_ptr<auth::TokenSource> ServiceTokens(const std::string& service) {
  const std::string subject = absl::StrCat("services/", service);
  return std::make_shared<auth::TokenSource>(
      [subject]() -> absl::StatusOr<auth::MintedToken> {
        return auth::MintedToken{TestToken(Actor(subject, "service")), absl::Now() + absl::Minutes(15)};
      },
      [] { return absl::Now(); });
}

absl::StatusOr<const registry::AdminUnitTables*> AdminUnits() {
  // Parsed once per test binary; each test's database loads them.
  static const auto* tables =
      new absl::StatusOr<registry::AdminUnitTables>(registry::ReadAdminUnitTables(OCOP_ADMIN_UNITS_DIR));
  if (!tables->ok()) return tables->status();
  return &**tables;
}

absl::StatusOr<std::unique_ptr<RegistryHarness>> RegistryHarness::Start(const std::string& db_path,
                                                                       const std::string& key_dir) {
  if (key_dir.empty() && store::IsPostgresLocation(db_path)) {
    return absl::InvalidArgumentError("RegistryHarness: a PostgreSQL store needs a key_dir");
  }
  auto harness = std::make_unique<RegistryHarness>();
  OCOP_ASSIGN_OR_RETURN(harness->store_, registry::SqlRegistryStore::Open(db_path));
  registry::SqlRegistryStore& store = *harness->store_;
  OCOP_ASSIGN_OR_RETURN(const registry::AdminUnitTables* units, AdminUnits());
  OCOP_RETURN_IF_ERROR(store.units()->LoadAdminUnits(*units));
  OCOP_ASSIGN_OR_RETURN(registry::CouncilRules rules, registry::LoadCouncilRules(OCOP_COUNCIL_RULES));
  harness->rules_ = std::make_unique<registry::CouncilRules>(std::move(rules));
  auto clock = [] { return TestNow(); };
  harness->producers_ = std::make_unique<registry::Producers>(store.producers(), store.units(), clock, "t");
  harness->products_ =
      std::make_unique<registry::Products>(store.products(), store.producers(), harness->rules_.get(), clock, "t");
  harness->reports_ = std::make_unique<registry::Reports>(store.reports(), store.units(), clock);
  harness->importer_ = std::make_unique<registry::Importer>(store.imports(), store.units(), harness->rules_.get(), clock, "t");
  harness->sales_points_ =
      std::make_unique<registry::SalesPoints>(store.sales_points(), store.units(), store.producers(), clock);
  harness->product_ideas_ =
      std::make_unique<registry::ProductIdeas>(store.product_ideas(), store.units(), store.producers(), clock);
  harness->feed_ = std::make_unique<feed::ChangeFeed>(store.database(), store.notifier());
  harness->service_ = std::make_unique<registry::RegistryServiceImpl>(registry::RegistryServiceImpl::Parts{
      harness->producers_.get(), harness->products_.get(), harness->reports_.get(), harness->importer_.get(),
      harness->sales_points_.get(), harness->product_ideas_.get(), harness->feed_.get()});
  OCOP_ASSIGN_OR_RETURN(std::vector<registry::CriteriaSet> criteria, registry::LoadCriteriaSets(OCOP_CRITERIA_DIR));
  harness->evaluation_repository_ = std::make_unique<registry::SqlEvaluationRepository>(
      store.database(), store.notifier());
  harness->evaluation_ = std::make_unique<registry::Evaluation>(
      harness->evaluation_repository_.get(), store.producers(), store.products(), store.product_ideas(),
      harness->rules_.get(), std::move(criteria),
      clock, "t");
  harness->evaluation_service_ = std::make_unique<registry::EvaluationServiceImpl>(harness->evaluation_.get());
  // The token keys live beside the database, so a reopened registry keeps them.
  OCOP_ASSIGN_OR_RETURN(harness->token_keys_, keys::KeyStore::Open(key_dir.empty() ? db_path + ".token-keys" : key_dir));
  harness->identity_repository_ = std::make_unique<registry::SqlIdentityRepository>(
      store.database(), store.notifier());
  harness->identity_ = std::make_unique<registry::Identity>(harness->identity_repository_.get(),
                                                            harness->token_keys_.get(), registry::IdentityConfig{},
                                                            [] { return absl::Now(); }, "t");
  harness->identity_service_ = std::make_unique<registry::IdentityServiceImpl>(harness->identity_.get());
  registry::Identity* identity = harness->identity_.get();
  harness->auth_ = HarnessAuth("registry", [identity]() -> absl::StatusOr<std::map<std::string, std::string>> {
    return identity->VerificationKeys();
  });
  harness->auth_->AuditDeniedTo(store.database());
  harness->audit_service_ = std::make_unique<audit::AuditServiceImpl>(store.database());
  OCOP_ASSIGN_OR_RETURN(harness->server_, Serve({harness->service_.get(), harness->evaluation_service_.get(),
                                                 harness->identity_service_.get(), harness->audit_service_.get()},
                                                harness->auth_.get()));
  harness->auth_->FollowRevocations(harness->address());
  return harness;
}

RegistryHarness::~RegistryHarness() {
  if (auth_) auth_->Stop();
  if (feed_) feed_->Stop();
  server_.reset();
}

std::unique_ptr<registry::v1::RegistryService::Stub> RegistryHarness::Stub() const {
  return registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(address()));
}

std::unique_ptr<registry::v1::IdentityService::Stub> RegistryHarness::IdentityStub() const {
  return registry::v1::IdentityService::NewStub(grpcutil::MakeChannel(address()));
}

std::unique_ptr<common::v1::AuditService::Stub> RegistryHarness::AuditStub() const {
  return common::v1::AuditService::NewStub(grpcutil::MakeChannel(address()));
}

std::unique_ptr<common::v1::AuditService::Stub> BatchHarness::AuditStub() const {
  return common::v1::AuditService::NewStub(grpcutil::MakeChannel(address()));
}

std::unique_ptr<registry::v1::EvaluationService::Stub> RegistryHarness::EvaluationStub() const {
  return registry::v1::EvaluationService::NewStub(grpcutil::MakeChannel(address()));
}

absl::StatusOr<std::unique_ptr<BatchHarness>> BatchHarness::Start(const std::string& db_path,
                                                                 const std::string& registry_address,
                                                                 const std::string& key_dir) {
  if (key_dir.empty() && store::IsPostgresLocation(db_path)) {
    return absl::InvalidArgumentError("BatchHarness: a PostgreSQL store needs a key_dir");
  }
  auto harness = std::make_unique<BatchHarness>();
  harness->db_path_ = db_path;
  harness->auth_ = HarnessAuth("batch", auth::RegistryKeys(grpcutil::MakeChannel(registry_address), absl::Seconds(2)));
  OCOP_ASSIGN_OR_RETURN(harness->keys_, keys::KeyStore::Open(key_dir.empty() ? db_path + ".keys" : key_dir));
  harness->signer_ = std::make_unique<batch::CheckpointSigner>(harness->keys_.get());
  OCOP_ASSIGN_OR_RETURN(harness->repository_, batch::SqlBatchRepository::Open(db_path, harness->signer_.get()));
  harness->products_ = std::make_unique<batch::RegistryProductDirectory>(
      registry::v1::RegistryService::NewStub(harness->auth_->Channel(registry_address)), absl::Seconds(2));
  harness->batches_ = std::make_unique<batch::Batches>(harness->repository_.get(), harness->products_.get(),
                                                       harness->signer_.get(), [] { return absl::Now(); }, "t");
  harness->feed_ = std::make_unique<feed::ChangeFeed>(harness->repository_->database(), harness->repository_->notifier());
  harness->service_ = std::make_unique<batch::BatchServiceImpl>(harness->batches_.get(), harness->feed_.get());
  harness->auth_->AuditDeniedTo(harness->repository_->database());
  harness->audit_service_ = std::make_unique<audit::AuditServiceImpl>(harness->repository_->database());
  OCOP_ASSIGN_OR_RETURN(harness->server_,
                        Serve({harness->service_.get(), harness->audit_service_.get()}, harness->auth_.get()));
  harness->auth_->FollowRevocations(registry_address);
  return harness;
}

BatchHarness::~BatchHarness() {
  if (auth_) auth_->Stop();
  if (feed_) feed_->Stop();
  server_.reset();
}

std::unique_ptr<batch::v1::BatchService::Stub> BatchHarness::Stub() const {
  return batch::v1::BatchService::NewStub(grpcutil::MakeChannel(address()));
}

absl::StatusOr<std::unique_ptr<StampHarness>> StampHarness::Start(const std::string& db_path,
                                                                 const std::string& key_dir,
                                                                 const std::string& batch_address,
                                                                 const std::string& registry_address,
                                                                 const stamp::StampsConfig& config) {
  OCOP_RETURN_IF_ERROR(stamp::ValidateConfig(config));
  auto harness = std::make_unique<StampHarness>();
  harness->auth_ = HarnessAuth("stamp", auth::RegistryKeys(grpcutil::MakeChannel(registry_address), absl::Seconds(2)));
  OCOP_ASSIGN_OR_RETURN(harness->keys_, keys::KeyStore::Open(key_dir));
  OCOP_ASSIGN_OR_RETURN(harness->pins_, stamp::PinSecrets::Open(key_dir + "-pins"));
  OCOP_ASSIGN_OR_RETURN(harness->repository_, stamp::SqlStampRepository::Open(db_path));
  harness->batches_ = std::make_unique<stamp::GrpcBatchDirectory>(
      batch::v1::BatchService::NewStub(harness->auth_->Channel(batch_address)), absl::Seconds(2));
  harness->products_ = std::make_unique<stamp::GrpcProductDirectory>(
      registry::v1::RegistryService::NewStub(harness->auth_->Channel(registry_address)), absl::Seconds(2));
  harness->scans_ = std::make_unique<stamp::ScanHistory>(harness->repository_.get(), absl::Hours(24 * 365),
                                                         [] { return absl::Now(); });
  harness->stamps_ = std::make_unique<stamp::Stamps>(harness->repository_.get(), harness->repository_.get(),
                                                     harness->batches_.get(), harness->products_.get(),
                                                     harness->keys_.get(),
                                                     harness->pins_.get(), config,
                                                     [] { return absl::Now(); }, "t");
  harness->feed_ = std::make_unique<feed::ChangeFeed>(harness->repository_->database(), harness->repository_->notifier());
  harness->service_ =
      std::make_unique<stamp::StampServiceImpl>(harness->stamps_.get(), harness->scans_.get(), harness->keys_.get(),
                                                harness->feed_.get());
  harness->auth_->AuditDeniedTo(harness->repository_->database());
  harness->audit_service_ = std::make_unique<audit::AuditServiceImpl>(harness->repository_->database());
  OCOP_ASSIGN_OR_RETURN(harness->server_,
                        Serve({harness->service_.get(), harness->audit_service_.get()}, harness->auth_.get()));
  harness->auth_->FollowRevocations(registry_address);
  return harness;
}

StampHarness::~StampHarness() {
  if (auth_) auth_->Stop();
  if (feed_) feed_->Stop();
  server_.reset();
}

std::unique_ptr<stamp::v1::StampService::Stub> StampHarness::Stub() const {
  return stamp::v1::StampService::NewStub(grpcutil::MakeChannel(address()));
}

registry::v1::Producer TeaCooperative() {
  registry::v1::Producer producer;
  producer.set_display_name("HTX Chè Tân Cương");
  producer.set_kind(registry::v1::PRODUCER_KIND_COOPERATIVE);
  producer.mutable_address()->set_province_code("19");
  producer.mutable_address()->set_province_name("Tỉnh Thái Nguyên");
  producer.mutable_address()->set_commune_code("05503");
  producer.mutable_address()->set_commune_name("Xã Tân Cương");
  return producer;
}

}  // namespace ocop::testing
