// Storage of users and credentials (identity.h).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/idempotency.h"
#include "services/registry/identity_types.h"

namespace ocop::registry {

class IdentityRepository {
 public:
  virtual ~IdentityRepository() = default;
  // ALREADY_EXISTS naming username when it is taken; once per idempotency key.
  virtual absl::StatusOr<User> CreateUser(const User& user, const store::IdempotencyKey& key) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<User> GetUser(const std::string& name) = 0;
  virtual absl::StatusOr<User> FindUserByUsername(const std::string& username) = 0;
  // Stores a user's failed-login count and lock.
  virtual absl::Status SetLoginState(const std::string& user, int failed_logins, absl::Time locked_until) = 0;
  virtual absl::Status CreateCredential(const Credential& credential) = 0;
  // NOT_FOUND when absent.
  virtual absl::StatusOr<Credential> GetCredential(const std::string& name) = 0;
  // Revokes a credential, or disables a user and revokes all of its credentials, and announces it
  // on the change feed (entity "revocation", name the credential or user), so every service stops believing tokens
  // minted from it. NOT_FOUND when absent. An "oidc:{sub}" name (a provider's user) is announced
  // only.
  virtual absl::Status Revoke(const std::string& name, const std::string& reason, const std::string& by,
                              absl::Time now) = 0;
};

}  // namespace ocop::registry
