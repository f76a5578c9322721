#include "common/auth/access_token.h"
#include "common/auth/authenticator.h"
#include "common/auth/grpc_auth.h"
#include "common/grpc/client.h"
#include "common/grpc/server.h"
#include "ocop/registry/v1/identity.grpc.pb.h"
#include "common/auth/oidc.h"
#include "common/auth/password.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tests/support/status_matchers.h"

namespace ocop::auth {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

// RFC 8032's first Ed25519 test key (public knowledge, test vectors only).
constexpr char kRfc8032Key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
constexpr uint32_t kKeyId = 0x1a2b3c4d;
const absl::Time kNow = absl::FromUnixSeconds(1'780'000'000);  // 2026-05-28T20:26:40Z

AccessClaims ProducerClaims() {
  AccessClaims claims;
  claims.issuer = "https://registry.ocop.example";
  claims.audience = "ocop-trace";
  claims.subject = "users/hoa";
  claims.role = "producer";
  claims.producer = "producers/tancuong";
  claims.token_id = "t-1";
  claims.credential = "sessions/s-1";
  claims.issued_at = kNow;
  claims.not_before = kNow;
  claims.expires_at = kNow + absl::Minutes(15);
  return claims;
}

class AccessTokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto key = crypto::Ed25519PrivateKey::FromPem(kRfc8032Key);
    ASSERT_THAT(key, IsOk());
    key_ = std::make_unique<crypto::Ed25519PrivateKey>(std::move(*key));
    published_["1a2b3c4d"] = key_->PublicKey();
  }

  std::unique_ptr<TokenVerifier> Verifier() {
    VerifierOptions options;
    options.issuer = "https://registry.ocop.example";
    options.audience = "ocop-trace";
    return std::make_unique<TokenVerifier>(
        options,
        [this]() -> absl::StatusOr<std::map<std::string, std::string>> {
          ++fetches_;
          if (!reachable_) return absl::UnavailableError("registry: connection refused");
          return published_;
        },
        [this] { return now_; });
  }

  std::string Sign(const AccessClaims& claims) { return *SignAccessToken(claims, kKeyId, *key_); }

  std::unique_ptr<crypto::Ed25519PrivateKey> key_;
  std::map<std::string, std::string> published_;
  bool reachable_ = true;
  int fetches_ = 0;
  absl::Time now_ = kNow;
};

// The format is published (docs/identity.md): this exact token must keep verifying. The signature
// was checked independently (Python cryptography 48, Ed25519 over the same signing input).
TEST_F(AccessTokenTest, FixedTestVector) {
  const std::string token = Sign(ProducerClaims());
  EXPECT_EQ(token.substr(0, token.rfind('.')),
            absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"EdDSA","kid":"1a2b3c4d","typ":"JWT"})"), ".",
                         absl::WebSafeBase64Escape(
                             R"({"aud":"ocop-trace","cred":"sessions/s-1","exp":1780000900,"iat":1780000000,)"
                             R"("iss":"https://registry.ocop.example","jti":"t-1","nbf":1780000000,)"
                             R"("producer":"producers/tancuong","role":"producer","sub":"users/hoa"})")));
  EXPECT_EQ(token.substr(token.rfind('.') + 1),
            "bpzgp4AIXIWbUGjB8ZXMzbV7a9qhp0HesYdDSpqeKK-j-aa-HjkJ7IspfTi8o79JJAVKSsYAu0V9rhzjRbMlCA");
  auto claims = Verifier()->Verify(token);
  ASSERT_THAT(claims, IsOk());
  EXPECT_EQ(claims->subject, "users/hoa");
  EXPECT_EQ(claims->role, "producer");
  EXPECT_EQ(claims->producer, "producers/tancuong");
  EXPECT_EQ(claims->credential, "sessions/s-1");
  EXPECT_EQ(claims->expires_at, kNow + absl::Minutes(15));
}

TEST_F(AccessTokenTest, EveryBadTokenIsUnauthenticatedWithItsReason) {
  auto verifier = Verifier();
  AccessClaims claims = ProducerClaims();
  const std::string good = Sign(claims);

  now_ = kNow + absl::Minutes(16);
  EXPECT_THAT(verifier->Verify(good),
              StatusIs(absl::StatusCode::kUnauthenticated, "token expired at 2026-05-28T20:41:40Z"));
  now_ = kNow;
  claims.not_before = kNow + absl::Minutes(5);
  EXPECT_THAT(verifier->Verify(Sign(claims)),
              StatusIs(absl::StatusCode::kUnauthenticated, "token not valid before 2026-05-28T20:31:40Z"));
  claims = ProducerClaims();
  claims.audience = "another-system";
  EXPECT_THAT(verifier->Verify(Sign(claims)), StatusIs(absl::StatusCode::kUnauthenticated, "wrong audience"));
  claims = ProducerClaims();
  claims.issuer = "https://evil.example";
  EXPECT_THAT(verifier->Verify(Sign(claims)), StatusIs(absl::StatusCode::kUnauthenticated, "wrong issuer"));

  // alg none: an unsigned token that claims to be an admin.
  const std::string payload = good.substr(good.find('.') + 1, good.rfind('.') - good.find('.') - 1);
  EXPECT_THAT(verifier->Verify(absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})"), ".",
                                            payload, ".")),
              StatusIs(absl::StatusCode::kUnauthenticated, "alg none refused"));
  EXPECT_THAT(verifier->Verify(absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"HS256","kid":"1a2b3c4d"})"), ".",
                                            payload, ".", good.substr(good.rfind('.') + 1))),
              StatusIs(absl::StatusCode::kUnauthenticated, "alg HS256 refused"));
  // A payload edited after signing: another role.
  std::string decoded;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(payload, &decoded));
  decoded.replace(decoded.find("\"producer\",\"sub\""), 10, "\"admin\"");
  std::string tampered = absl::StrCat(good.substr(0, good.find('.') + 1), absl::WebSafeBase64Escape(decoded),
                                      good.substr(good.rfind('.')));
  EXPECT_THAT(verifier->Verify(tampered), StatusIs(absl::StatusCode::kUnauthenticated, "bad signature"));
  EXPECT_THAT(verifier->Verify("not.a-token"), StatusIs(absl::StatusCode::kUnauthenticated, "malformed token"));
  EXPECT_THAT(verifier->Verify(""), StatusIs(absl::StatusCode::kUnauthenticated, "malformed token"));

  // A key the issuer never published, and a key it withdrew.
  auto other = crypto::Ed25519PrivateKey::Generate();
  ASSERT_THAT(other, IsOk());
  EXPECT_THAT(verifier->Verify(*SignAccessToken(ProducerClaims(), 0x99999999, *other)),
              StatusIs(absl::StatusCode::kUnauthenticated, "unknown key id 99999999"));
  ASSERT_THAT(verifier->Verify(good), IsOk());
  published_.clear();  // revoked: the issuer no longer publishes it
  now_ += absl::Seconds(2);
  ASSERT_THAT(verifier->Refresh(), IsOk());
  EXPECT_THAT(verifier->Verify(good), StatusIs(absl::StatusCode::kUnauthenticated, "unknown key id 1a2b3c4d"));
}

TEST_F(AccessTokenTest, AVerifiedTokenIsCachedUntilItExpires) {
  auto verifier = Verifier();
  const std::string token = Sign(ProducerClaims());
  ASSERT_THAT(verifier->Verify(token), IsOk());
  const int fetches = fetches_;
  for (int i = 0; i < 100; ++i) ASSERT_THAT(verifier->Verify(token), IsOk());
  EXPECT_EQ(verifier->cache_hits(), 100);
  EXPECT_EQ(fetches_, fetches);
  now_ = kNow + absl::Minutes(16);
  EXPECT_THAT(verifier->Verify(token), StatusIs(absl::StatusCode::kUnauthenticated, "token expired"));
}

TEST_F(AccessTokenTest, KeysThatCannotBeFetchedAreUnavailableNotForged) {
  reachable_ = false;
  auto verifier = Verifier();
  EXPECT_THAT(verifier->Verify(Sign(ProducerClaims())), StatusIs(absl::StatusCode::kUnavailable, "unknown key id"));
  reachable_ = true;
  now_ += absl::Seconds(2);
  EXPECT_THAT(verifier->Verify(Sign(ProducerClaims())), IsOk());
}

// The first calls after a start arrive together: each waits for the one key fetch in flight,
// none answers "keys not fetched yet" while it runs.
TEST_F(AccessTokenTest, CallsArrivingTogetherShareOneKeyFetch) {
  VerifierOptions options;
  options.issuer = "https://registry.ocop.example";
  options.audience = "ocop-trace";
  std::atomic<int> fetches{0};
  TokenVerifier verifier(
      options,
      [this, &fetches]() -> absl::StatusOr<std::map<std::string, std::string>> {
        ++fetches;
        absl::SleepFor(absl::Milliseconds(50));  // a registry across the network
        return published_;
      },
      [this] { return now_; });
  const std::string token = Sign(ProducerClaims());
  std::vector<std::thread> callers;
  std::atomic<int> verified{0};
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      if (verifier.Verify(token).ok()) ++verified;
    });
  }
  for (std::thread& caller : callers) caller.join();
  EXPECT_EQ(verified.load(), 8);
  EXPECT_EQ(fetches.load(), 1);
}

TEST_F(AccessTokenTest, TheAuthenticatorTurnsATokenIntoAnActorAndAppliesTheRoleTable) {
  Authenticator authenticator(Verifier(), [this] { return now_; }, absl::Hours(1));
  const std::string add_rating = "ocop.registry.v1.RegistryService/AddRating";
  AccessClaims office = ProducerClaims();
  office.role = "office";
  office.producer.clear();
  office.province = "19";
  office.subject = "users/lan";
  office.credential = "sessions/s-2";
  auto actor = authenticator.Authenticate(add_rating, "Bearer " + Sign(office));
  ASSERT_THAT(actor, IsOk());
  EXPECT_EQ(actor->subject, "users/lan");
  EXPECT_EQ(actor->role, "office");
  EXPECT_EQ(actor->province, "19");
  EXPECT_EQ(actor->credential, "sessions/s-2");
  // A producer may not rate itself; no credential at all is not a role.
  EXPECT_THAT(authenticator.Authenticate(add_rating, "Bearer " + Sign(ProducerClaims())),
              StatusIs(absl::StatusCode::kPermissionDenied, "only admin, office may call it, not producer"));
  EXPECT_THAT(authenticator.Authenticate(add_rating, ""),
              StatusIs(absl::StatusCode::kUnauthenticated, "no credential"));
  EXPECT_THAT(authenticator.Authenticate(add_rating, "Basic YWRtaW46YWRtaW4="),
              StatusIs(absl::StatusCode::kUnauthenticated, "authorization: must be \"Bearer"));
  // The public side needs nothing.
  auto anonymous = authenticator.Authenticate("ocop.lookup.v1.LookupService/Resolve", "");
  ASSERT_THAT(anonymous, IsOk());
  EXPECT_EQ(anonymous->subject, "anonymous");
  // A revocation on the feed stops a token already verified and cached.
  authenticator.OnChange("user", "sessions/s-2");  // not a revocation
  EXPECT_THAT(authenticator.Authenticate(add_rating, "Bearer " + Sign(office)), IsOk());
  authenticator.OnChange("revocation", "sessions/s-2");
  EXPECT_THAT(authenticator.Authenticate(add_rating, "Bearer " + Sign(office)),
              StatusIs(absl::StatusCode::kUnauthenticated, "credential sessions/s-2 was revoked"));
  authenticator.OnChange("revocation", "users/hoa");
  EXPECT_THAT(authenticator.Authenticate("ocop.batch.v1.BatchService/AppendEvent", "Bearer " + Sign(ProducerClaims())),
              StatusIs(absl::StatusCode::kUnauthenticated, "users/hoa is disabled"));
  // Revocations are kept as long as a token can live, then forgotten (memory stays bounded): by
  // then every token minted before them has expired, and no new one is minted.
  now_ += absl::Hours(2);
  authenticator.OnChange("revocation", "sessions/other");
  AccessClaims later = office;
  later.issued_at = later.not_before = now_;
  later.expires_at = now_ + absl::Minutes(15);
  EXPECT_THAT(authenticator.Authenticate(add_rating, "Bearer " + Sign(later)), IsOk());
}

// Echoes who the interceptor says the caller is (CreateUser: admin only; GetJwks: anyone).
class WhoAmI final : public registry::v1::IdentityService::Service {
 public:
  grpc::Status CreateUser(grpc::ServerContext* context, const registry::v1::CreateUserRequest*,
                          registry::v1::User* response) override {
    absl::StatusOr<Actor> caller = CallerOf(*context);
    if (!caller.ok()) {
      return grpc::Status(static_cast<grpc::StatusCode>(caller.status().code()), std::string(caller.status().message()));
    }
    response->set_name(caller->subject);
    response->set_role(caller->role);
    response->set_province_code(caller->province);
    return grpc::Status::OK;
  }
  grpc::Status GetJwks(grpc::ServerContext* context, const registry::v1::GetJwksRequest*,
                       common::v1::Jwks*) override {
    absl::StatusOr<Actor> caller = CallerOf(*context);
    return caller.ok() && caller->subject == "anonymous" ? grpc::Status::OK
                                                          : grpc::Status(grpc::StatusCode::INTERNAL, "not anonymous");
  }
};

// Over a real gRPC server on loopback: the interceptor decides before the handler runs, and what
// a client sends under the verdict's own keys is thrown away.
TEST_F(AccessTokenTest, EveryCallIsAuthenticatedBeforeItsHandlerRuns) {
  now_ = absl::Now();  // the token travels through a real server: real time
  Authenticator authenticator(Verifier(), [] { return absl::Now(); });
  WhoAmI service;
  grpcutil::ServerOptions options;
  options.interceptors = [&authenticator] {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(std::make_unique<AuthInterceptorFactory>(&authenticator));
    return factories;
  };
  auto server = grpcutil::GrpcServer::Start(options, {&service});
  ASSERT_THAT(server, IsOk());
  auto stub = registry::v1::IdentityService::NewStub(
      grpcutil::MakeChannel(absl::StrCat("127.0.0.1:", (*server)->port())));
  AccessClaims office = ProducerClaims();
  office.role = "office";
  office.producer.clear();
  office.province = "19";
  office.issued_at = office.not_before = now_;
  office.expires_at = now_ + absl::Minutes(15);
  auto call = [&](const std::string& authorization, const std::string& spoofed_role, registry::v1::User* user) {
    grpc::ClientContext context;
    if (!authorization.empty()) context.AddMetadata("authorization", authorization);
    if (!spoofed_role.empty()) {
      context.AddMetadata("x-ocop-auth-verdict", "ok");
      context.AddMetadata("x-ocop-auth-role", spoofed_role);
      context.AddMetadata("x-ocop-role", spoofed_role);
    }
    return stub->CreateUser(&context, registry::v1::CreateUserRequest(), user);
  };
  registry::v1::User user;
  grpc::Status status = call("", "admin", &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
  EXPECT_NE(status.error_message().find("no credential"), std::string::npos);
  status = call("Bearer " + Sign(office), "admin", &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_NE(status.error_message().find("only admin may call it, not office"), std::string::npos);
  AccessClaims admin = office;
  admin.role = "admin";
  admin.province.clear();
  admin.subject = "users/root";
  status = call("Bearer " + Sign(admin), "", &user);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(user.name(), "users/root");
  EXPECT_EQ(user.role(), "admin");
  status = call("Bearer " + Sign(admin).substr(0, 20), "", &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // A public method needs nothing.
  grpc::ClientContext context;
  common::v1::Jwks jwks;
  EXPECT_TRUE(stub->GetJwks(&context, registry::v1::GetJwksRequest(), &jwks).ok());
}

TEST(Jwks, ParsesEd25519KeysAndSkipsOthers) {
  auto keys = ParseJwks(R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1",)"
                        R"("x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},)"
                        R"({"kty":"RSA","kid":"r1","n":"AQAB","e":"AQAB"}]})");
  ASSERT_THAT(keys, IsOk());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->at("k1").size(), 32u);
  EXPECT_THAT(ParseJwks("[]"), StatusIs(absl::StatusCode::kInvalidArgument, "not a JWK Set"));
  EXPECT_THAT(ParseJwks(R"({"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k","x":"AAAA"}]})"),
              StatusIs(absl::StatusCode::kInvalidArgument, "not a usable Ed25519 key"));
}

TEST(Password, Argon2idHashesVerifyOnlyTheirPasswordAndAreSalted) {
  auto hash = HashPassword("chè tân cương 2026");
  ASSERT_THAT(hash, IsOk());
  EXPECT_EQ(hash->rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << *hash;
  EXPECT_EQ(hash->find("chè"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*hash, "chè tân cương 2026"));
  EXPECT_FALSE(VerifyPassword(*hash, "chè tân cương 2027"));
  EXPECT_FALSE(VerifyPassword("not a hash", "chè tân cương 2026"));
  EXPECT_NE(*HashPassword("chè tân cương 2026"), *hash);  // a fresh salt each time
  EXPECT_THAT(HashPassword("short"), StatusIs(absl::StatusCode::kInvalidArgument, "password: must be at least 10"));
  // A hash made with other parameters (as stored before a raise) still verifies.
  auto light = HashPassword("another password", PasswordParams{1024, 1, 1});
  ASSERT_THAT(light, IsOk());
  EXPECT_TRUE(VerifyPassword(*light, "another password"));
}

}  // namespace
}  // namespace ocop::auth

namespace ocop::auth {
namespace {

// A provider made in the test: an RSA key (RS256) and an EC P-256 key (ES256), its JWK Set, and
// tokens it signs, as a province's Keycloak would.
class OidcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rsa_ = EVP_RSA_gen(2048);
    ec_ = EVP_EC_gen("P-256");
    ASSERT_NE(rsa_, nullptr);
    ASSERT_NE(ec_, nullptr);
  }
  void TearDown() override {
    EVP_PKEY_free(rsa_);
    EVP_PKEY_free(ec_);
  }

  static std::string B64(const std::string& bytes) {
    std::string out;
    absl::WebSafeBase64Escape(bytes, &out);
    return out;
  }
  static std::string Bignum(EVP_PKEY* key, const char* name) {
    BIGNUM* value = nullptr;
    EVP_PKEY_get_bn_param(key, name, &value);
    std::string bytes(static_cast<size_t>(BN_num_bytes(value)), '\0');
    BN_bn2bin(value, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(value);
    return bytes;
  }

  std::string Jwks() {
    unsigned char point[65];
    size_t length = 0;
    EVP_PKEY_get_octet_string_param(ec_, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point), &length);
    const std::string uncompressed(reinterpret_cast<char*>(point), length);
    return absl::StrCat(R"({"keys":[{"kty":"RSA","kid":"kc-rsa","use":"sig","alg":"RS256","n":")",
                        B64(Bignum(rsa_, OSSL_PKEY_PARAM_RSA_N)), R"(","e":")", B64(Bignum(rsa_, OSSL_PKEY_PARAM_RSA_E)),
                        R"("},{"kty":"EC","kid":"kc-ec","crv":"P-256","x":")", B64(uncompressed.substr(1, 32)),
                        R"(","y":")", B64(uncompressed.substr(33, 32)), R"("}]})");
  }

  // A token the provider signs with `kid` ("kc-rsa" RS256, "kc-ec" ES256) over `payload`.
  std::string Sign(const std::string& kid, const std::string& payload, std::string alg = "") {
    const bool ec = kid == "kc-ec";
    if (alg.empty()) alg = ec ? "ES256" : "RS256";
    const std::string input =
        absl::StrCat(B64(absl::StrCat(R"({"alg":")", alg, R"(","kid":")", kid, R"(","typ":"JWT"})")), ".", B64(payload));
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    size_t size = 0;
    EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, ec ? ec_ : rsa_);
    EVP_DigestSign(context, nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()), input.size());
    std::string signature(size, '\0');
    EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &size,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    signature.resize(size);
    EVP_MD_CTX_free(context);
    if (ec) {  // DER -> r || s
      const unsigned char* der = reinterpret_cast<const unsigned char*>(signature.data());
      ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
      std::string raw(64, '\0');
      BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
      BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data()) + 32, 32);
      ECDSA_SIG_free(sig);
      signature = raw;
    }
    return absl::StrCat(input, ".", B64(signature));
  }

  std::string Payload(const std::string& roles, absl::Time expires, const std::string& audience = "ocop-trace") {
    return absl::StrCat(R"({"iss":"https://sso.thainguyen.gov.vn/realms/ocop","aud":[")", audience,
                        R"(","account"],"sub":"4f1c-hoa","exp":)", absl::ToUnixSeconds(expires),
                        R"(,"ocop_role":)", roles, R"(,"ocop_province":"19"})");
  }

  std::unique_ptr<Authenticator> MakeAuthenticator() {
    OidcProvider provider;
    provider.issuer = "https://sso.thainguyen.gov.vn/realms/ocop";
    provider.audience = "ocop-trace";
    provider.jwks_json = Jwks();
    provider.role_map = *ParseRoleMap("--oidc_role_map", "ocop-office=office, ocop-admin=admin");
    auto verifier = OidcVerifier::Create(provider, [this] { return now_; });
    EXPECT_THAT(verifier, IsOk());
    auto authenticator = std::make_unique<Authenticator>(
        std::make_unique<TokenVerifier>(VerifierOptions{"ocop-trace/registry", "ocop-trace"},
                                        []() -> absl::StatusOr<std::map<std::string, std::string>> {
                                          return std::map<std::string, std::string>{};
                                        },
                                        [this] { return now_; }),
        [this] { return now_; });
    authenticator->AddProvider(std::move(*verifier));
    return authenticator;
  }

  EVP_PKEY* rsa_ = nullptr;
  EVP_PKEY* ec_ = nullptr;
  absl::Time now_ = absl::FromUnixSeconds(1'780'000'000);
};

TEST_F(OidcTest, AProvidersTokensMapToOurRolesAndScope) {
  auto authenticator = MakeAuthenticator();
  const std::string add_rating = "ocop.registry.v1.RegistryService/AddRating";
  for (const char* kid : {"kc-rsa", "kc-ec"}) {
    const std::string token = Sign(kid, Payload(R"(["offline_access","ocop-office"])", now_ + absl::Minutes(5)));
    auto actor = authenticator->Authenticate(add_rating, "Bearer " + token);
    ASSERT_THAT(actor, IsOk()) << kid;
    EXPECT_EQ(actor->subject, "oidc:4f1c-hoa");
    EXPECT_EQ(actor->role, "office");
    EXPECT_EQ(actor->province, "19");
  }
  // A role the map does not know gets nothing; a known role still meets the role table.
  EXPECT_THAT(authenticator->Authenticate(add_rating, "Bearer " + Sign("kc-rsa", Payload(R"("uma_authorization")",
                                                                                        now_ + absl::Minutes(5)))),
              StatusIs(absl::StatusCode::kUnauthenticated, "no role in \"ocop_role\" is mapped"));
}

TEST_F(OidcTest, EveryBadProviderTokenIsRefusedWithItsReason) {
  auto authenticator = MakeAuthenticator();
  const std::string method = "ocop.registry.v1.RegistryService/ListProducers";
  auto refused = [&](const std::string& token) { return authenticator->Authenticate(method, "Bearer " + token); };
  const std::string good_payload = Payload(R"("ocop-office")", now_ + absl::Minutes(5));
  EXPECT_THAT(refused(Sign("kc-rsa", Payload(R"("ocop-office")", now_ - absl::Minutes(5)))),
              StatusIs(absl::StatusCode::kUnauthenticated, "token expired at"));
  EXPECT_THAT(refused(Sign("kc-rsa", Payload(R"("ocop-office")", now_ + absl::Minutes(5), "someone-else"))),
              StatusIs(absl::StatusCode::kUnauthenticated, "wrong audience"));
  EXPECT_THAT(refused(Sign("kc-other", good_payload, "RS256")),
              StatusIs(absl::StatusCode::kUnauthenticated, "unknown key id kc-other"));
  EXPECT_THAT(refused(Sign("kc-rsa", good_payload, "HS256")), StatusIs(absl::StatusCode::kUnauthenticated, "alg HS256 refused"));
  // alg none, with no signature at all.
  const std::string none = absl::StrCat(B64(R"({"alg":"none","kid":"kc-rsa"})"), ".", B64(good_payload), ".");
  EXPECT_THAT(refused(none), StatusIs(absl::StatusCode::kUnauthenticated, "alg none refused"));
  // A payload changed after signing.
  std::string token = Sign("kc-ec", good_payload);
  const std::vector<std::string> parts = absl::StrSplit(token, '.');
  const std::string forged = absl::StrCat(parts[0], ".", B64(Payload(R"("ocop-admin")", now_ + absl::Minutes(5))), ".",
                                          parts[2]);
  EXPECT_THAT(refused(forged), StatusIs(absl::StatusCode::kUnauthenticated, "bad signature"));
  // A revoked (disabled) provider user is refused like ours.
  authenticator->OnChange("revocation", "oidc:4f1c-hoa");
  EXPECT_THAT(refused(Sign("kc-rsa", good_payload)), StatusIs(absl::StatusCode::kUnauthenticated, "is disabled"));
  // ... for good: the provider keeps minting tokens for them, so their revocation never lapses.
  now_ += absl::Hours(48);
  authenticator->OnChange("revocation", "sessions/another");  // prunes what has lapsed
  EXPECT_THAT(refused(Sign("kc-rsa", Payload(R"("ocop-office")", now_ + absl::Minutes(5)))),
              StatusIs(absl::StatusCode::kUnauthenticated, "oidc:4f1c-hoa is disabled"));
}

TEST(Oidc, AProviderConfigurationIsCheckedAtStart) {
  OidcProvider provider;
  provider.issuer = "https://sso.example";
  provider.audience = "ocop-trace";
  provider.jwks_json = R"({"keys":[]})";
  provider.role_map = {{"x", "office"}};
  EXPECT_THAT(OidcVerifier::Create(provider, [] { return absl::Now(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, "no usable signing key"));
  provider.role_map = {{"x", "service"}};
  EXPECT_THAT(OidcVerifier::Create(provider, [] { return absl::Now(); }),
              StatusIs(absl::StatusCode::kInvalidArgument, "maps to 'service'"));
  EXPECT_THAT(ParseRoleMap("--oidc_role_map", "a=office,broken"),
              StatusIs(absl::StatusCode::kInvalidArgument, "--oidc_role_map: 'broken'"));
}

}  // namespace
}  // namespace ocop::auth
