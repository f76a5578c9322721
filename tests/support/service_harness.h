// In-process services for tests: each is the real service (SQLite file, domain, gRPC handlers)
// served by a real gRPC server on a loopback port chosen at run time.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <grpcpp/client_context.h>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "common/audit/audit_service.h"
#include "common/auth/service_auth.h"
#include "common/feed/change_feed.h"
#include "common/grpc/server.h"
#include "services/batch/batch_service.h"
#include "services/batch/batches.h"
#include "services/batch/sql_batch_repository.h"
#include "services/registry/evaluation.h"
#include "services/registry/evaluation_service.h"
#include "services/registry/identity.h"
#include "services/registry/identity_service.h"
#include "services/registry/sql_identity_repository.h"
#include "services/registry/sql_evaluation_repository.h"
#include "services/registry/registry_service.h"
#include "services/registry/sql_registry_store.h"
#include "common/keys/key_store.h"
#include "services/stamp/pin_secrets.h"
#include "services/stamp/sql_stamp_repository.h"
#include "services/stamp/stamp_service.h"
#include "services/stamp/stamps.h"

namespace ocop::testing {

// "127.0.0.1:{port}".
std::string LoopbackAddress(int port);

// The registry's clock in tests: 1 December 2026, 10:00 in Vietnam when the test process started,
// running on from there. Ratings, certificates and reports are judged on this day whatever the
// real date, so a test that expects a certificate decided in 2025 to be valid "today" still
// passes in 2029. (Access tokens and sessions keep the real clock: the verifiers use it.)
absl::Time TestNow();
inline constexpr absl::CivilSecond kTestStart{2026, 12, 1, 10, 0, 0};

// Tests call the services with access tokens signed by a test issuer: a key made once per test
// process that every harness service trusts beside the registry's own keys (the "kid" 7e570000).
// Tokens carry iss "ocop-trace/registry", aud "ocop-trace" and live 15 minutes unless a
// lifetime is given.
std::string TestToken(const Actor& caller, absl::Duration lifetime = absl::Minutes(15));
// The test issuer's keys, for a verifier's KeySource.
std::map<std::string, std::string> TestIssuerKeys();

// A client context with a 10 s deadline and a test token for `caller`.
std::unique_ptr<grpc::ClientContext> ContextAs(const Actor& caller);
// The same for the common case: `subject` with `role`, acting for `producer` when given.
std::unique_ptr<grpc::ClientContext> Context(const std::string& subject = "tester", const std::string& role = "admin",
                                             const std::string& producer = "");
// A client context with a 10 s deadline and no credential at all.
std::unique_ptr<grpc::ClientContext> AnonymousContext();

// How harness services authenticate: test tokens and the registry's tokens are believed (the
// registry's keys come from `registry_keys`), revocations are followed on the registry's feed, and
// calls out carry a test token for "services/{service}".
std::unique_ptr<auth::ServiceAuth> HarnessAuth(const std::string& service, auth::KeySource registry_keys);
// Test tokens for "services/{service}" (role service), e.g. for lookup's backends.
std::shared_ptr<auth::TokenSource> ServiceTokens(const std::string& service);

// The official unit tables from the source tree, read once.
absl::StatusOr<const registry::AdminUnitTables*> AdminUnits();

class RegistryHarness {
 public:
  // Opens (or reopens) the database at `db_path` (a SQLite file or a postgresql:// URL) and serves
  // it. The token-signing keys live in `key_dir`, by default the file's name + ".token-keys" (a URL
  // needs one named).
  static absl::StatusOr<std::unique_ptr<RegistryHarness>> Start(const std::string& db_path,
                                                               const std::string& key_dir = "");
  ~RegistryHarness();
  std::string address() const { return LoopbackAddress(server_->port()); }
  std::unique_ptr<registry::v1::RegistryService::Stub> Stub() const;
  std::unique_ptr<registry::v1::EvaluationService::Stub> EvaluationStub() const;
  std::unique_ptr<registry::v1::IdentityService::Stub> IdentityStub() const;
  std::unique_ptr<common::v1::AuditService::Stub> AuditStub() const;

 private:
  std::unique_ptr<registry::SqlRegistryStore> store_;
  std::unique_ptr<registry::CouncilRules> rules_;
  std::unique_ptr<registry::Producers> producers_;
  std::unique_ptr<registry::Products> products_;
  std::unique_ptr<registry::Reports> reports_;
  std::unique_ptr<registry::SalesPoints> sales_points_;
  std::unique_ptr<registry::ProductIdeas> product_ideas_;
  std::unique_ptr<registry::Importer> importer_;
  std::unique_ptr<feed::ChangeFeed> feed_;
  std::unique_ptr<registry::RegistryServiceImpl> service_;
  std::unique_ptr<registry::SqlEvaluationRepository> evaluation_repository_;
  std::unique_ptr<registry::Evaluation> evaluation_;
  std::unique_ptr<registry::EvaluationServiceImpl> evaluation_service_;
  std::unique_ptr<keys::KeyStore> token_keys_;
  std::unique_ptr<registry::SqlIdentityRepository> identity_repository_;
  std::unique_ptr<registry::Identity> identity_;
  std::unique_ptr<registry::IdentityServiceImpl> identity_service_;
  std::unique_ptr<audit::AuditServiceImpl> audit_service_;
  std::unique_ptr<auth::ServiceAuth> auth_;
  std::unique_ptr<grpcutil::GrpcServer> server_;
};

class BatchHarness {
 public:
  // `db_path`: a SQLite file or a postgresql:// URL. The checkpoint keys live in `key_dir`, by
  // default the file's name + ".keys" (a URL needs one named).
  static absl::StatusOr<std::unique_ptr<BatchHarness>> Start(const std::string& db_path,
                                                            const std::string& registry_address,
                                                            const std::string& key_dir = "");
  ~BatchHarness();
  std::string address() const { return LoopbackAddress(server_->port()); }
  std::unique_ptr<batch::v1::BatchService::Stub> Stub() const;
  std::unique_ptr<common::v1::AuditService::Stub> AuditStub() const;
  // The database (file or URL), for tests that play an insider rewriting rows.
  const std::string& db_path() const { return db_path_; }

 private:
  std::string db_path_;
  std::unique_ptr<keys::KeyStore> keys_;
  std::unique_ptr<batch::CheckpointSigner> signer_;
  std::unique_ptr<batch::SqlBatchRepository> repository_;
  std::unique_ptr<batch::RegistryProductDirectory> products_;
  std::unique_ptr<batch::Batches> batches_;
  std::unique_ptr<feed::ChangeFeed> feed_;
  std::unique_ptr<batch::BatchServiceImpl> service_;
  std::unique_ptr<audit::AuditServiceImpl> audit_service_;
  std::unique_ptr<auth::ServiceAuth> auth_;
  std::unique_ptr<grpcutil::GrpcServer> server_;
};

class StampHarness {
 public:
  static absl::StatusOr<std::unique_ptr<StampHarness>> Start(const std::string& db_path, const std::string& key_dir,
                                                            const std::string& batch_address,
                                                            const std::string& registry_address,
                                                            const stamp::StampsConfig& config);
  ~StampHarness();
  std::string address() const { return LoopbackAddress(server_->port()); }
  std::unique_ptr<stamp::v1::StampService::Stub> Stub() const;
  keys::KeyStore& keys() { return *keys_; }

 private:
  std::unique_ptr<keys::KeyStore> keys_;
  std::unique_ptr<stamp::PinSecrets> pins_;
  std::unique_ptr<stamp::SqlStampRepository> repository_;
  std::unique_ptr<stamp::GrpcBatchDirectory> batches_;
  std::unique_ptr<stamp::GrpcProductDirectory> products_;
  std::unique_ptr<stamp::Stamps> stamps_;
  std::unique_ptr<stamp::ScanHistory> scans_;
  std::unique_ptr<feed::ChangeFeed> feed_;
  std::unique_ptr<stamp::StampServiceImpl> service_;
  std::unique_ptr<audit::AuditServiceImpl> audit_service_;
  std::unique_ptr<auth::ServiceAuth> auth_;
  std::unique_ptr<grpcutil::GrpcServer> server_;
};

// A valid producer for requests: a Thái Nguyên tea cooperative.
registry::v1::Producer TeaCooperative();

}  // namespace ocop::testing
