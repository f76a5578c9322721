// IdentityService over gRPC: maps requests to the Identity domain and statuses to gRPC codes.
#pragma once

#include "ocop/registry/v1/identity.grpc.pb.h"
#include "services/registry/identity.h"

namespace ocop::registry {

class IdentityServiceImpl final : public v1::IdentityService::Service {
 public:
  explicit IdentityServiceImpl(Identity* identity) : identity_(identity) {}

  grpc::Status CreateUser(grpc::ServerContext* context, const v1::CreateUserRequest* request,
                          v1::User* response) override;
  grpc::Status Login(grpc::ServerContext* context, const v1::LoginRequest* request,
                     v1::LoginResponse* response) override;
  grpc::Status MintAccessToken(grpc::ServerContext* context, const v1::MintAccessTokenRequest* request,
                               v1::AccessToken* response) override;
  grpc::Status CreateApiKey(grpc::ServerContext* context, const v1::CreateApiKeyRequest* request,
                            v1::CreateApiKeyResponse* response) override;
  grpc::Status RevokeCredential(grpc::ServerContext* context, const v1::RevokeCredentialRequest* request,
                                v1::RevokeCredentialResponse* response) override;
  grpc::Status GetJwks(grpc::ServerContext* context, const v1::GetJwksRequest* request,
                       common::v1::Jwks* response) override;

 private:
  Identity* identity_;
};

}  // namespace ocop::registry
