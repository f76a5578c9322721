// Identity over gRPC against a real registry on a loopback port: users, password sign-in with its
// limits, sessions and API keys minting access tokens that verify offline against GetJwks.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/auth/access_token.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/jwks/jwks.h"
#include "common/keys/secret_files.h"
#include "services/registry/registry_schema.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"
#include "tests/support/store_engines.h"

namespace ocop::registry {
namespace {

using ::ocop::testing::Context;
using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

// Runs on both store engines.
class IdentityTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "registry.db");
    ASSERT_THAT(location, IsOk());
    registry_location_ = *location;
    auto harness = ocop::testing::RegistryHarness::Start(registry_location_, dir_.File("registry-keys"));
    ASSERT_THAT(harness, IsOk());
    harness_ = std::move(*harness);
    stub_ = harness_->IdentityStub();
  }

  grpc::Status CreateUser(const std::string& username, const std::string& role, const std::string& password,
                          v1::User* user, const std::string& caller_role = "admin") {
    v1::CreateUserRequest request;
    request.mutable_user()->set_username(username);
    request.mutable_user()->set_role(role);
    if (role == "producer") request.mutable_user()->set_producer("producers/tancuong");
    if (role == "office") request.mutable_user()->set_province_code("19");
    request.set_password(password);
    return stub_->CreateUser(Context("admin-1", caller_role).get(), request, user);
  }

  grpc::Status Login(const std::string& username, const std::string& password, v1::LoginResponse* response) {
    v1::LoginRequest request;
    request.set_username(username);
    request.set_password(password);
    return stub_->Login(Context().get(), request, response);
  }

  // Verifies `token` the way every service will: offline, against the registry's JWK Set.
  absl::StatusOr<auth::AccessClaims> Verify(const std::string& token) {
    auth::VerifierOptions options;
    options.issuer = "ocop-trace/registry";
    options.audience = "ocop-trace";
    auth::TokenVerifier verifier(
        options,
        [this]() -> absl::StatusOr<std::map<std::string, std::string>> {
          common::v1::Jwks jwks;
          grpc::Status status = stub_->GetJwks(Context().get(), v1::GetJwksRequest(), &jwks);
          if (!status.ok()) return absl::UnavailableError(status.error_message());
          return auth::ParseJwks(jwks::ToJson(jwks));
        },
        [] { return absl::Now(); });
    return verifier.Verify(token);
  }

  ocop::testing::TempDir dir_;
  std::string registry_location_;
  std::unique_ptr<ocop::testing::RegistryHarness> harness_;
  std::unique_ptr<v1::IdentityService::Stub> stub_;
};

INSTANTIATE_TEST_SUITE_P(Engines, IdentityTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(IdentityTest, APersonSignsInAndTheTokenCarriesTheirRoleAndScope) {
  v1::User hoa;
  ASSERT_TRUE(CreateUser("hoa.tancuong", "producer", "chè tân cương 2026", &hoa).ok());
  EXPECT_EQ(hoa.role(), "producer");
  v1::LoginResponse login;
  grpc::Status status = Login("Hoa.TanCuong", "chè tân cương 2026", &login);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(login.session().rfind("sessions/", 0), 0u);
  EXPECT_EQ(login.session_secret().rfind("ocs_", 0), 0u);
  auto claims = Verify(login.access_token().token());
  ASSERT_THAT(claims, IsOk());
  EXPECT_EQ(claims->subject, hoa.name());
  EXPECT_EQ(claims->role, "producer");
  EXPECT_EQ(claims->producer, "producers/tancuong");
  EXPECT_EQ(claims->credential, login.session());
  EXPECT_EQ(claims->expires_at - claims->issued_at, absl::Minutes(15));

  // The session mints fresh tokens until it is revoked.
  v1::MintAccessTokenRequest mint;
  mint.set_session_secret(login.session_secret());
  v1::AccessToken fresh;
  ASSERT_TRUE(stub_->MintAccessToken(Context().get(), mint, &fresh).ok());
  EXPECT_THAT(Verify(fresh.token()), IsOk());
  v1::RevokeCredentialRequest revoke;
  revoke.set_name(login.session());
  revoke.set_reason("lost phone");
  v1::RevokeCredentialResponse revoked;
  // Someone else cannot end the session (nor learn whether it exists); its owner can (signing out).
  EXPECT_EQ(stub_->RevokeCredential(Context("users/someone-else", "producer").get(), revoke, &revoked).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::RevokeCredentialRequest unknown = revoke;
  unknown.set_name("sessions/no-such-session");
  EXPECT_EQ(stub_->RevokeCredential(Context(hoa.name(), "producer").get(), unknown, &revoked).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::RevokeCredentialRequest whole_user = revoke;
  whole_user.set_name(hoa.name());
  EXPECT_EQ(stub_->RevokeCredential(Context(hoa.name(), "producer").get(), whole_user, &revoked).error_code(),
            grpc::StatusCode::PERMISSION_DENIED)
      << "only an admin disables a user";
  ASSERT_TRUE(stub_->RevokeCredential(Context(hoa.name(), "producer").get(), revoke, &revoked).ok());
  status = stub_->MintAccessToken(Context().get(), mint, &fresh);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), login.session() + " was revoked");
  // A guessed secret for the same session is unknown, not revoked: nothing is learnt from it.
  mint.set_session_secret(login.session_secret().substr(0, login.session_secret().size() - 2) + "aa");
  EXPECT_EQ(stub_->MintAccessToken(Context().get(), mint, &fresh).error_message(), "credential: unknown");
}

TEST_P(IdentityTest, OnlyAnAdminCreatesUsersAndBadUsersAreRefusedByField) {
  v1::User user;
  EXPECT_EQ(CreateUser("mai", "producer", "mật ong định hoá", &user, "producer").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status status = CreateUser("Mai Anh", "producer", "mật ong định hoá", &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("user.username"), std::string::npos);
  EXPECT_NE(CreateUser("mai", "superuser", "mật ong định hoá", &user).error_message().find("user.role"),
            std::string::npos);
  EXPECT_EQ(CreateUser("mai", "producer", "short", &user).error_message(), "password: must be at least 10 characters");
  ASSERT_TRUE(CreateUser("mai", "producer", "mật ong định hoá", &user).ok());
  EXPECT_EQ(CreateUser("mai", "office", "another password", &user).error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

// Guessing is slow and bounded: 5 wrong passwords lock a user for 15 minutes; 10 failed logins
// lock the client out for a while, whichever users it tries. Unknown users and wrong passwords get
// the same words.
TEST_P(IdentityTest, WrongPasswordsLockTheUserAndThenTheClient) {
  v1::User user;
  ASSERT_TRUE(CreateUser("office.tn", "office", "văn phòng OCOP 19", &user).ok());
  ASSERT_TRUE(CreateUser("council.tn", "council", "hội đồng tỉnh 19", &user).ok());
  v1::LoginResponse login;
  EXPECT_EQ(Login("nobody", "whatever password", &login).error_message(), "wrong username or password");
  for (int i = 0; i < 5; ++i) {
    grpc::Status status = Login("office.tn", "guess number " + std::to_string(i), &login);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_EQ(status.error_message(), "wrong username or password");
  }
  grpc::Status status = Login("office.tn", "văn phòng OCOP 19", &login);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_NE(status.error_message().find("too many wrong passwords for this user; retry in 15 min"),
            std::string::npos) << status.error_message();
  // The other user still signs in.
  ASSERT_TRUE(Login("council.tn", "hội đồng tỉnh 19", &login).ok());
  // This client has failed 6 times; 4 more and it is refused whoever it tries.
  for (int i = 0; i < 4; ++i) Login("council.tn", "guess " + std::to_string(i), &login);
  status = Login("council.tn", "hội đồng tỉnh 19", &login);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("too many failed logins from this client"), std::string::npos);
}

TEST_P(IdentityTest, AnApiKeyIsShownOnceStoredHashedAndRevocable) {
  v1::User integrator;
  v1::CreateUserRequest request;
  request.mutable_user()->set_username("sieuthi-bigc");
  request.mutable_user()->set_role("integrator");
  request.mutable_user()->set_province_code("19");
  ASSERT_TRUE(stub_->CreateUser(Context("admin-1", "admin").get(), request, &integrator).ok());
  v1::CreateApiKeyRequest create;
  create.set_user(integrator.name());
  create.set_display_name("kho hàng Thái Nguyên");
  v1::CreateApiKeyResponse key;
  ASSERT_TRUE(stub_->CreateApiKey(Context("admin-1", "admin").get(), create, &key).ok());
  EXPECT_EQ(key.key().rfind("ock_", 0), 0u);
  EXPECT_GT(key.expire_time().seconds(), absl::ToUnixSeconds(absl::Now() + absl::Hours(24 * 89)));
  // An integrator has no password: it cannot sign in, only exchange its key.
  v1::LoginResponse login;
  EXPECT_EQ(Login("sieuthi-bigc", "", &login).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  v1::MintAccessTokenRequest mint;
  mint.set_api_key(key.key());
  v1::AccessToken token;
  ASSERT_TRUE(stub_->MintAccessToken(Context().get(), mint, &token).ok());
  auto claims = Verify(token.token());
  ASSERT_THAT(claims, IsOk());
  EXPECT_EQ(claims->role, "integrator");
  EXPECT_EQ(claims->province, "19");
  EXPECT_EQ(claims->credential, key.name());

  // Only the key's hash is in the database.
  harness_.reset();
  std::stringstream bytes;
  if (GetParam() == store::Dialect::kSqlite) {
    std::ifstream file(registry_location_, std::ios::binary);
    bytes << file.rdbuf();
    std::ifstream wal(registry_location_ + "-wal", std::ios::binary);
    bytes << wal.rdbuf();
  } else {  // every credential row, as text
    auto database = store::Database::Open(registry_location_, RegistrySchema());
    ASSERT_THAT(database, IsOk());
    ASSERT_THAT((*database)->Read([&](store::Connection& connection) -> absl::Status {
      auto rows = connection.Prepare("SELECT CAST(c AS TEXT) FROM credentials c");
      if (!rows.ok()) return rows.status();
      while (true) {
        auto row = rows->Step();
        if (!row.ok()) return row.status();
        if (!*row) return absl::OkStatus();
        bytes << rows->ColumnText(0) << "\n";
      }
    }), IsOk());
  }
  EXPECT_EQ(bytes.str().find(key.key().substr(key.key().find('.') + 1)), std::string::npos);
  EXPECT_NE(bytes.str().find(key.name().substr(std::string("apiKeys/").size())), std::string::npos);

  auto reopened = ocop::testing::RegistryHarness::Start(registry_location_, dir_.File("registry-keys"));
  ASSERT_THAT(reopened, IsOk());
  harness_ = std::move(*reopened);
  stub_ = harness_->IdentityStub();
  ASSERT_TRUE(stub_->MintAccessToken(Context().get(), mint, &token).ok());  // keys and keys' keys survive
  EXPECT_THAT(Verify(token.token()), IsOk());
  v1::RevokeCredentialRequest revoke;
  revoke.set_name(integrator.name());
  revoke.set_reason("contract ended");
  v1::RevokeCredentialResponse revoked;
  ASSERT_TRUE(stub_->RevokeCredential(Context("admin-1", "admin").get(), revoke, &revoked).ok());
  grpc::Status status = stub_->MintAccessToken(Context().get(), mint, &token);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), key.name() + " was revoked");
}

// What a person does from a shell: an admin creates them, they log in with ocopctl (the session
// kept in a 0600 file, the password never on the command line) and get tokens for other tools.
TEST_P(IdentityTest, OcopctlLogsInKeepsTheSessionPrivateAndPrintsTokens) {
  const std::string ocopctl = absl::StrCat(OCOP_OCOPCTL, " --registry=", harness_->address(), " ");
  const std::string password_file = dir_.File("password");
  ASSERT_THAT(keys::WriteSecretFile(password_file, "mật khẩu của Hoa 2026\n"), IsOk());
  std::string created = ocop::testing::RunCommand(
      "OCOP_ACCESS_TOKEN=" + ocop::testing::TestToken(Actor("users/admin-1", "admin")) + " " + ocopctl +
      "create-user --username=hoa --user_role=producer --producer=producers/tancuong "
                "--password_file=" + password_file + " 2>&1");
  ASSERT_EQ(created.rfind("users/", 0), 0u) << created;
  const std::string credentials = dir_.File("home/credentials");
  std::string login = ocop::testing::RunCommand(ocopctl + "login --username=hoa --password_file=" + password_file +
                                                " --credentials_file=" + credentials + " 2>&1; echo exit=$?");
  ASSERT_NE(login.find("exit=0"), std::string::npos) << login;
  struct stat mode;
  ASSERT_EQ(stat(credentials.c_str(), &mode), 0);
  EXPECT_EQ(mode.st_mode & 0777, 0600);
  std::ifstream file(credentials);
  std::stringstream kept;
  kept << file.rdbuf();
  EXPECT_NE(kept.str().find("session_secret=ocs_"), std::string::npos);
  EXPECT_EQ(kept.str().find("mật khẩu"), std::string::npos);
  std::string token = ocop::testing::RunCommand(ocopctl + "token --credentials_file=" + credentials + " 2>&1");
  auto claims = Verify(std::string(absl::StripAsciiWhitespace(token)));
  ASSERT_THAT(claims, IsOk()) << token;
  EXPECT_EQ(claims->subject, std::string(absl::StripAsciiWhitespace(created)));
  EXPECT_EQ(claims->role, "producer");
  // A password file others can read is refused, not used.
  const std::string open_file = dir_.File("open-password");
  std::ofstream(open_file) << "mật khẩu của Hoa 2026";
  chmod(open_file.c_str(), 0644);
  std::string refused = ocop::testing::RunCommand(ocopctl + "login --username=hoa --password_file=" + open_file +
                                                  " --credentials_file=" + credentials + " 2>&1; echo exit=$?");
  EXPECT_NE(refused.find("exit=2"), std::string::npos) << refused;

  // The admin reads the registry's audit trail: the user's creation, by whom, from where.
  std::string audit = ocop::testing::RunCommand(
      "OCOP_ACCESS_TOKEN=" + ocop::testing::TestToken(Actor("users/admin-1", "admin")) + " " + ocopctl +
      "audit --audit_service=registry --audit_method=CreateUser 2>&1; echo exit=$?");
  EXPECT_NE(audit.find("position,time,subject,role,credential,method,resources,peer,request_id,outcome\r\n"),
            std::string::npos)
      << audit;
  EXPECT_NE(audit.find(",users/admin-1,admin,,ocop.registry.v1.IdentityService/CreateUser," +
                       std::string(absl::StripAsciiWhitespace(created)) + ",ipv4:127.0.0.1:"),
            std::string::npos)
      << audit;
  EXPECT_NE(audit.find("exit=0"), std::string::npos) << audit;
  // Anyone else is refused, and the refusal is on the trail too.
  audit = ocop::testing::RunCommand("OCOP_ACCESS_TOKEN=" + ocop::testing::TestToken(Actor("users/hoa", "producer",
                                                                                           "producers/tancuong")) +
                                    " " + ocopctl + "audit 2>&1; echo exit=$?");
  EXPECT_NE(audit.find("PERMISSION_DENIED"), std::string::npos) << audit;
  audit = ocop::testing::RunCommand("OCOP_ACCESS_TOKEN=" + ocop::testing::TestToken(Actor("users/admin-1", "admin")) +
                                    " " + ocopctl + "audit --denied_only --audit_subject=users/hoa 2>&1");
  EXPECT_NE(audit.find("ocop.common.v1.AuditService/ListAuditRecords,,ipv4:127.0.0.1:"), std::string::npos)
      << audit;
  EXPECT_NE(audit.find("PERMISSION_DENIED: ocop.common.v1.AuditService/ListAuditRecords: only admin may call it"),
            std::string::npos)
      << audit;
}

// Sessions pile up with every login: those that ended a month ago are deleted; API keys stay.
TEST(SqlIdentityRepository, SessionsThatEndedLongAgoArePrunedApiKeysAreKept) {
  ocop::testing::TempDir dir;
  auto registry = SqlRegistryStore::Open(dir.File("registry.db"));
  ASSERT_THAT(registry, IsOk());
  SqlIdentityRepository repository((*registry)->database(), (*registry)->notifier());
  const absl::Time now = absl::FromUnixSeconds(1'780'000'000);
  User user;
  user.name = "users/u1";
  user.username = "hoa";
  user.role = "producer";
  user.producer = "producers/p1";
  user.create_time = now - absl::Hours(24 * 90);
  ASSERT_THAT(repository.CreateUser(user, store::IdempotencyKey{}), IsOk());
  auto credential = [&](const std::string& name, absl::Time created, absl::Duration life) {
    return Credential{name, "users/u1", std::string(64, 'a'), "", created + life, "", "", created};
  };
  ASSERT_THAT(repository.CreateCredential(credential("sessions/old", now - absl::Hours(24 * 60), absl::Hours(12))),
              IsOk());
  ASSERT_THAT(repository.CreateCredential(credential("sessions/recent", now - absl::Hours(24 * 10), absl::Hours(12))),
              IsOk());
  ASSERT_THAT(repository.CreateCredential(credential("apiKeys/old", now - absl::Hours(24 * 60), absl::Hours(24))),
              IsOk());
  ASSERT_THAT(repository.CreateCredential(credential("sessions/new", now, absl::Hours(12))), IsOk());
  EXPECT_THAT(repository.GetCredential("sessions/old"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(repository.GetCredential("sessions/recent"), IsOk());
  EXPECT_THAT(repository.GetCredential("apiKeys/old"), IsOk());
  EXPECT_THAT(repository.GetCredential("sessions/new"), IsOk());
}

// Another service believes the registry's tokens, not headers, and stops believing a token within
// seconds of its API key being revoked (the revocation travels on the registry's change feed).
TEST_P(IdentityTest, AnotherServiceVerifiesRegistryTokensAndHearsOfRevocationsWithinSeconds) {
  auto batch = ocop::testing::BatchHarness::Start(dir_.File("batch.db"), harness_->address());
  ASSERT_THAT(batch, IsOk());
  auto batches = (*batch)->Stub();
  batch::v1::ListBatchesRequest list;
  batch::v1::ListBatchesResponse listed;

  // Headers that once named the caller are ignored: without a token nothing but the public side answers.
  grpc::ClientContext spoofed;
  spoofed.AddMetadata("x-ocop-actor", "admin-1");
  spoofed.AddMetadata("x-ocop-role", "admin");
  grpc::Status status = batches->ListBatches(&spoofed, list, &listed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_NE(status.error_message().find("no credential"), std::string::npos) << status.error_message();

  v1::User integrator;
  ASSERT_TRUE(CreateUser("tich-hop", "integrator", "", &integrator).ok());
  v1::CreateApiKeyRequest key_request;
  key_request.set_user(integrator.name());
  key_request.set_display_name("province dashboard");
  v1::CreateApiKeyResponse key;
  ASSERT_TRUE(stub_->CreateApiKey(Context("admin-1", "admin").get(), key_request, &key).ok());
  v1::MintAccessTokenRequest mint;
  mint.set_api_key(key.key());
  v1::AccessToken token;
  ASSERT_TRUE(stub_->MintAccessToken(ocop::testing::AnonymousContext().get(), mint, &token).ok());
  auto as_integrator = [&] {
    auto context = ocop::testing::AnonymousContext();
    context->AddMetadata("authorization", "Bearer " + token.token());
    return context;
  };
  status = batches->ListBatches(as_integrator().get(), list, &listed);
  ASSERT_TRUE(status.ok()) << status.error_message();
  // A role the method does not allow is refused by name.
  batch::v1::RecallBatchRequest recall;
  recall.set_name("batches/x");
  batch::v1::RecallBatchResponse recalled;
  status = batches->RecallBatch(as_integrator().get(), recall, &recalled);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("RecallBatch: only admin, office, producer may call it, not integrator"),
            std::string::npos)
      << status.error_message();

  v1::RevokeCredentialRequest revoke;
  revoke.set_name(key.name());
  revoke.set_reason("dashboard retired");
  v1::RevokeCredentialResponse revoked;
  ASSERT_TRUE(stub_->RevokeCredential(Context("admin-1", "admin").get(), revoke, &revoked).ok());
  // A provider's user (OpenID Connect) is revoked by its subject; a made-up name is refused.
  v1::RevokeCredentialRequest provider_user;
  provider_user.set_name("oidc:4f1c-hoa");
  provider_user.set_reason("left the office");
  EXPECT_TRUE(stub_->RevokeCredential(Context("admin-1", "admin").get(), provider_user, &revoked).ok());
  provider_user.set_name("people/hoa");
  EXPECT_EQ(stub_->RevokeCredential(Context("admin-1", "admin").get(), provider_user, &revoked).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  do {
    status = batches->ListBatches(as_integrator().get(), list, &listed);
    if (!status.ok()) break;
    absl::SleepFor(absl::Milliseconds(20));
  } while (absl::Now() < deadline);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(status.error_message(), "credential " + key.name() + " was revoked");
}

}  // namespace
}  // namespace ocop::registry
