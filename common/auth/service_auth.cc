#include "common/auth/service_auth.h"

#include <prometheus/counter.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/log/log.h"
#include "common/auth/grpc_auth.h"
#include "common/grpc/client.h"
#include "common/grpc/proto_time.h"
#include "common/jwks/jwks.h"
#include "common/keys/secret_files.h"
#include "common/ratelimit/token_bucket.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "ocop/registry/v1/identity.grpc.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"

ABSL_FLAG(std::string, token_issuer, "ocop-trace/registry", "The \"iss\" of access tokens (the registry's)");
ABSL_FLAG(std::string, token_audience, "ocop-trace", "The \"aud\" of access tokens");
ABSL_FLAG(std::string, api_key_file, "",
          "A 0600 file holding this service's API key (role service), exchanged at the registry for the "
          "token it calls other services with");
ABSL_FLAG(int, identity_deadline_ms, 2000, "Deadline of calls to the registry's IdentityService");
ABSL_FLAG(std::string, oidc_issuer, "",
          "Also accept access tokens of this OpenID Connect provider (its \"iss\"); see docs/identity.md");
ABSL_FLAG(std::string, oidc_audience, "ocop-trace", "The \"aud\" the provider's tokens must carry");
ABSL_FLAG(std::string, oidc_jwks_file, "", "The provider's JWK Set (JSON, as published at its jwks_uri)");
ABSL_FLAG(std::string, oidc_role_claim, "ocop_role", "The claim holding the provider's role name(s)");
ABSL_FLAG(std::string, oidc_role_map, "",
          "The provider's role names -> ours, e.g. ocop-office=office,ocop-admin=admin");

namespace ocop::auth {

KeySource RegistryKeys(std::shared_ptr<grpc::Channel> registry, absl::Duration deadline) {
  std::shared_ptr<registry::v1::IdentityService::Stub> stub = registry::v1::IdentityService::NewStub(registry);
  return [stub, deadline]() -> absl::StatusOr<std::map<std::string, std::string>> {
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline);
    common::v1::Jwks jwks;
    absl::Status status = FromGrpcStatus(stub->GetJwks(&context, {}, &jwks));
    if (!status.ok()) return absl::UnavailableError(absl::StrCat("registry keys: ", status.message()));
    absl::StatusOr<std::map<std::string, std::string>> keys = ParseJwks(jwks::ToJson(jwks));
    if (!keys.ok()) return absl::UnavailableError(absl::StrCat("registry keys: ", keys.status().message()));
    return keys;
  };
}

Minter MintFromRegistry(std::shared_ptr<grpc::Channel> registry, std::string secret, absl::Duration deadline) {
  std::shared_ptr<registry::v1::IdentityService::Stub> stub = registry::v1::IdentityService::NewStub(registry);
  const bool session = absl::StartsWith(secret, "ocs_");  // see Identity::NewCredential
  return [stub, secret = std::move(secret), session, deadline]() -> absl::StatusOr<MintedToken> {
    registry::v1::MintAccessTokenRequest request;
    if (session) {
      request.set_session_secret(secret);
    } else {
      request.set_api_key(secret);
    }
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline);
    registry::v1::AccessToken token;
    OCOP_RETURN_IF_ERROR(FromGrpcStatus(stub->MintAccessToken(&context, request, &token)));
    return MintedToken{token.token(), grpcutil::FromProtoTime(token.expire_time())};
  };
}

ServiceAuth::ServiceAuth(VerifierOptions verifier, KeySource keys, std::shared_ptr<TokenSource> outbound,
                         std::function<absl::Time()> clock)
    : outbound_(std::move(outbound)),
      authenticator_(std::make_unique<TokenVerifier>(std::move(verifier), std::move(keys), clock), clock) {}

ServiceAuth::~ServiceAuth() { Stop(); }

std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> ServiceAuth::Interceptors() {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<AuthInterceptorFactory>(&authenticator_, denied_));
  return interceptors;
}

void ServiceAuth::AuditDeniedTo(store::Database* database) {
  // Anyone who reaches the port can be refused, so refusals are recorded within bounds: a burst of
  // 60 and one a second per client address, and 50 a second in all. A flood cannot fill the disk;
  // the first refusals of every client are always on the trail.
  auto per_client = std::make_shared<ratelimit::TokenBucketLimiter>(1.0, 60.0, 10000);
  auto overall = std::make_shared<ratelimit::TokenBucketLimiter>(50.0, 500.0, 1);
  denied_ = [database, per_client, overall](const store::AuditRecord& record) {
    const absl::Time now = absl::Now();
    const std::string client = record.who.peer.substr(0, record.who.peer.rfind(':'));  // without the port
    if (!per_client->Allow(client, now).allowed || !overall->Allow("all", now).allowed) {
      static prometheus::Counter& shed = ratelimit::RejectionsOf("audit_denied_calls");
      shed.Increment();
      return;
    }
    if (absl::Status stored = database->AppendAudit(record); !stored.ok()) {
      logs::Error("cannot record a denied attempt in the audit trail", {{"error", stored}});
    }
  };
}

std::shared_ptr<grpc::Channel> ServiceAuth::Channel(const std::string& target) const {
  return AuthenticatedChannel(target, outbound_);
}

void ServiceAuth::FollowRevocations(const std::string& registry) {
  std::shared_ptr<registry::v1::RegistryService::Stub> stub = registry::v1::RegistryService::NewStub(Channel(registry));
  revocations_ = std::make_unique<feed::FeedFollower>(
      "registry revocations",
      [stub](grpc::ClientContext* context, const common::v1::WatchChangesRequest& request) {
        return stub->WatchChanges(context, request);
      },
      [this](const common::v1::Change& change) { authenticator_.OnChange(change.entity(), change.name()); },
      [] {});
  revocations_->Start();
}

void ServiceAuth::Stop() {
  if (revocations_) revocations_->Stop();
}

absl::Status AddOidcProviderFromFlags(ServiceAuth& auth) {
  if (absl::GetFlag(FLAGS_oidc_issuer).empty()) return absl::OkStatus();
  OidcProvider provider;
  provider.issuer = absl::GetFlag(FLAGS_oidc_issuer);
  provider.audience = absl::GetFlag(FLAGS_oidc_audience);
  provider.role_claim = absl::GetFlag(FLAGS_oidc_role_claim);
  std::ifstream in(absl::GetFlag(FLAGS_oidc_jwks_file));
  provider.jwks_json.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (provider.jwks_json.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--oidc_jwks_file: cannot read '", absl::GetFlag(FLAGS_oidc_jwks_file), "'"));
  }
  OCOP_ASSIGN_OR_RETURN(provider.role_map, ParseRoleMap("--oidc_role_map", absl::GetFlag(FLAGS_oidc_role_map)));
  OCOP_ASSIGN_OR_RETURN(std::unique_ptr<OidcVerifier> verifier,
                        OidcVerifier::Create(std::move(provider), [] { return absl::Now(); }));
  auth.authenticator().AddProvider(std::move(verifier));
  return absl::OkStatus();
}

VerifierOptions VerifierOptionsFromFlags() {
  VerifierOptions options;
  options.issuer = absl::GetFlag(FLAGS_token_issuer);
  options.audience = absl::GetFlag(FLAGS_token_audience);
  return options;
}

absl::StatusOr<std::unique_ptr<ServiceAuth>> ServiceAuthFromFlags(const std::string& service,
                                                                 const std::string& registry) {
  const std::string key_file = absl::GetFlag(FLAGS_api_key_file);
  if (key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        service, ": --api_key_file is required (an API key of a user with role service; see docs/identity.md)"));
  }
  OCOP_ASSIGN_OR_RETURN(std::string key, keys::ReadSecretFile(key_file));
  const absl::Duration deadline = absl::Milliseconds(absl::GetFlag(FLAGS_identity_deadline_ms));
  // Keys and tokens come over a plain channel: GetJwks and MintAccessToken need no token.
  std::shared_ptr<grpc::Channel> channel = grpcutil::MakeChannel(registry);
  auto tokens = std::make_shared<TokenSource>(
      MintFromRegistry(channel, std::string(absl::StripAsciiWhitespace(key)), deadline), [] { return absl::Now(); });
  auto auth = std::make_unique<ServiceAuth>(VerifierOptionsFromFlags(), RegistryKeys(channel, deadline),
                                            std::move(tokens), [] { return absl::Now(); });
  OCOP_RETURN_IF_ERROR(AddOidcProviderFromFlags(*auth));
  return auth;
}

}  // namespace ocop::auth
