#include "services/registry/identity_service.h"

#include "absl/strings/str_cat.h"
#include "common/actor/actor.h"
#include "common/auth/grpc_auth.h"
#include "common/grpc/fingerprint.h"
#include "common/grpc/proto_time.h"
#include "common/http/client_address.h"
#include "common/jwks/jwks.h"
#include "common/status/grpc_status.h"
#include "common/store/audit.h"

namespace ocop::registry {
namespace {

void ToProto(const User& user, v1::User* proto) {
  proto->set_name(user.name);
  proto->set_username(user.username);
  proto->set_display_name(user.display_name);
  proto->set_role(user.role);
  proto->set_producer(user.producer);
  proto->set_province_code(user.province_code);
  proto->set_printer(user.printer);
  proto->set_disabled(user.disabled);
  grpcutil::ToProtoTime(user.create_time, proto->mutable_create_time());
}

void ToProto(const IssuedToken& token, v1::AccessToken* proto) {
  proto->set_token(token.token);
  grpcutil::ToProtoTime(token.expire_time, proto->mutable_expire_time());
}

}  // namespace

grpc::Status IdentityServiceImpl::CreateUser(grpc::ServerContext* context, const v1::CreateUserRequest* request,
                                             v1::User* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  User user;
  user.username = request->user().username();
  user.display_name = request->user().display_name();
  user.role = request->user().role();
  user.producer = request->user().producer();
  user.province_code = request->user().province_code();
  user.printer = request->user().printer();
  // The fingerprint covers the request without the password (never kept, even hashed, there).
  v1::CreateUserRequest fingerprinted = *request;
  fingerprinted.clear_password();
  absl::StatusOr<User> created = identity_->CreateUser(*caller, user, request->password(),
                                                       request->request_id(), grpcutil::RequestFingerprint(fingerprinted));
  if (!created.ok()) return ToGrpcStatus(created.status());
  ToProto(*created, response);
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                                        v1::LoginResponse* response) {
  const std::string client = http::ClientNetwork(http::AddressOfGrpcPeer(context->peer()));
  // A sign-in needs no token, so its writes (the session, the failed-password count) are put on
  // the audit trail under the username it claimed.
  store::ScopedAuditContext audit(store::AuditContext{absl::StrCat("username:", request->username().substr(0, 64)),
                                                      "", "", "ocop.registry.v1.IdentityService/Login",
                                                      context->peer(), ""});
  absl::StatusOr<LoginResult> result = identity_->Login(request->username(), request->password(), client);
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_session(result->session);
  response->set_session_secret(result->session_secret);
  grpcutil::ToProtoTime(result->session_expire_time, response->mutable_session_expire_time());
  ToProto(result->access_token, response->mutable_access_token());
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::MintAccessToken(grpc::ServerContext*, const v1::MintAccessTokenRequest* request,
                                                  v1::AccessToken* response) {
  absl::StatusOr<IssuedToken> token = identity_->MintAccessToken(request->session_secret(), request->api_key());
  if (!token.ok()) return ToGrpcStatus(token.status());
  ToProto(*token, response);
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::CreateApiKey(grpc::ServerContext* context, const v1::CreateApiKeyRequest* request,
                                               v1::CreateApiKeyResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<NewApiKey> key = identity_->CreateApiKey(
      *caller, request->user(), request->display_name(),
      request->has_expire_time() ? grpcutil::FromProtoTime(request->expire_time()) : absl::InfinitePast());
  if (!key.ok()) return ToGrpcStatus(key.status());
  response->set_name(key->name);
  response->set_key(key->key);
  grpcutil::ToProtoTime(key->expire_time, response->mutable_expire_time());
  return grpc::Status::OK;
}

grpc::Status IdentityServiceImpl::RevokeCredential(grpc::ServerContext* context,
                                                   const v1::RevokeCredentialRequest* request,
                                                   v1::RevokeCredentialResponse*) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ToGrpcStatus(identity_->Revoke(*caller, request->name(), request->reason()));
}

grpc::Status IdentityServiceImpl::GetJwks(grpc::ServerContext*, const v1::GetJwksRequest*, common::v1::Jwks* response) {
  *response = jwks::MakeJwks(identity_->PublicKeys());
  return grpc::Status::OK;
}

}  // namespace ocop::registry
