// Identity storage in the registry's database (its tables are registry migrations).
#pragma once

#include "common/store/database.h"
#include "common/store/outbox.h"
#include "services/registry/identity_repository.h"

namespace ocop::registry {

class SqlIdentityRepository final : public IdentityRepository {
 public:
  // Neither is owned: the registry repository's database and change notifier.
  SqlIdentityRepository(store::Database* database, store::ChangeNotifier* notifier)
      : database_(database), notifier_(notifier) {}

  absl::StatusOr<User> CreateUser(const User& user, const store::IdempotencyKey& key) override;
  absl::StatusOr<User> GetUser(const std::string& name) override;
  absl::StatusOr<User> FindUserByUsername(const std::string& username) override;
  absl::Status SetLoginState(const std::string& user, int failed_logins, absl::Time locked_until) override;
  absl::Status CreateCredential(const Credential& credential) override;
  absl::StatusOr<Credential> GetCredential(const std::string& name) override;
  absl::Status Revoke(const std::string& name, const std::string& reason, const std::string& by,
                      absl::Time now) override;

 private:
  absl::StatusOr<User> SelectUser(const char* column, const std::string& value);

  store::Database* database_;
  store::ChangeNotifier* notifier_;
};

}  // namespace ocop::registry
