#include "services/registry/sql_identity_repository.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace ocop::registry {
namespace {

constexpr char kUserColumns[] =
    "name, username, display_name, role, producer, province_code, printer, password_hash, disabled, "
    "failed_logins, locked_until_unix_micros, create_unix_micros";

absl::Time TimeOf(int64_t micros) { return micros == 0 ? absl::InfinitePast() : absl::FromUnixMicros(micros); }
int64_t MicrosOf(absl::Time time) { return time == absl::InfinitePast() ? 0 : absl::ToUnixMicros(time); }

User ReadUser(const store::Statement& row) {
  User user;
  user.name = row.ColumnText(0);
  user.username = row.ColumnText(1);
  user.display_name = row.ColumnText(2);
  user.role = row.ColumnText(3);
  user.producer = row.ColumnText(4);
  user.province_code = row.ColumnText(5);
  user.printer = row.ColumnText(6);
  user.password_hash = row.ColumnText(7);
  user.disabled = row.ColumnInt(8) != 0;
  user.failed_logins = static_cast<int>(row.ColumnInt(9));
  user.locked_until = TimeOf(row.ColumnInt(10));
  user.create_time = TimeOf(row.ColumnInt(11));
  return user;
}

}  // namespace

absl::StatusOr<User> SqlIdentityRepository::CreateUser(const User& user, const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(
      store::CreateOnceResult result,
      store::CreateOnce(*database_, key, user.name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(store::Statement taken, connection.Prepare("SELECT name FROM users WHERE username = ?"));
        taken.Bind(1, user.username);
        OCOP_ASSIGN_OR_RETURN(bool exists, taken.Step());
        if (exists) return absl::AlreadyExistsError(absl::StrCat("user.username: ", user.username, " is taken"));
        taken.Reset();
        OCOP_ASSIGN_OR_RETURN(
            store::Statement insert,
            connection.Prepare(absl::StrCat("INSERT INTO users(", kUserColumns,
                                            ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, ?)")));
        insert.Bind(1, user.name).Bind(2, user.username).Bind(3, user.display_name).Bind(4, user.role)
            .Bind(5, user.producer).Bind(6, user.province_code).Bind(7, user.printer).Bind(8, user.password_hash)
            .Bind(9, MicrosOf(user.create_time));
        OCOP_RETURN_IF_ERROR(insert.Run());
        return store::AppendChange(connection, "user", user.name, 1, user.create_time).status();
      }));
  if (result.created) notifier_->Notify();
  return GetUser(result.name);
}

absl::StatusOr<User> SqlIdentityRepository::SelectUser(const char* column, const std::string& value) {
  std::optional<User> user;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(absl::StrCat(
                                                       "SELECT ", kUserColumns, " FROM users WHERE ", column, " = ?")));
    select.Bind(1, value);
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (row) user = ReadUser(select);
    return absl::OkStatus();
  }));
  if (!user.has_value()) return absl::NotFoundError(absl::StrCat(value, " not found"));
  return *user;
}

absl::StatusOr<User> SqlIdentityRepository::GetUser(const std::string& name) { return SelectUser("name", name); }

absl::StatusOr<User> SqlIdentityRepository::FindUserByUsername(const std::string& username) {
  return SelectUser("username", username);
}

absl::Status SqlIdentityRepository::SetLoginState(const std::string& user, int failed_logins,
                                                     absl::Time locked_until) {
  return database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement update,
        connection.Prepare("UPDATE users SET failed_logins = ?, locked_until_unix_micros = ? WHERE name = ?"));
    update.Bind(1, static_cast<int64_t>(failed_logins)).Bind(2, MicrosOf(locked_until)).Bind(3, user);
    return update.Run();
  });
}

absl::Status SqlIdentityRepository::CreateCredential(const Credential& credential) {
  return database_->Transact([&](store::Connection& connection) -> absl::Status {
    // Every login adds a session: those that ended a month ago go, so the table stays bounded by
    // the logins of about six weeks (API keys are kept: each was made on purpose).
    OCOP_ASSIGN_OR_RETURN(store::Statement prune,
                          connection.Prepare("DELETE FROM credentials WHERE name LIKE 'sessions/%' AND "
                                             "expire_unix_micros < ?"));
    prune.Bind(1, MicrosOf(credential.create_time - absl::Hours(24 * 30)));
    OCOP_RETURN_IF_ERROR(prune.Run());
    OCOP_ASSIGN_OR_RETURN(
        store::Statement insert,
        connection.Prepare("INSERT INTO credentials(name, \"user\", secret_sha256, display_name, expire_unix_micros, "
                           "create_unix_micros) VALUES(?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, credential.name).Bind(2, credential.user).Bind(3, credential.secret_sha256)
        .Bind(4, credential.display_name).Bind(5, MicrosOf(credential.expire_time))
        .Bind(6, MicrosOf(credential.create_time));
    return insert.Run();
  });
}

absl::StatusOr<Credential> SqlIdentityRepository::GetCredential(const std::string& name) {
  std::optional<Credential> credential;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare("SELECT name, \"user\", secret_sha256, display_name, expire_unix_micros, revoked_reason, "
                           "revoked_by, create_unix_micros FROM credentials WHERE name = ?"));
    select.Bind(1, name);
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return absl::OkStatus();
    credential = Credential{select.ColumnText(0), select.ColumnText(1), select.ColumnText(2),
                            select.ColumnText(3), TimeOf(select.ColumnInt(4)), select.ColumnText(5),
                            select.ColumnText(6), TimeOf(select.ColumnInt(7))};
    return absl::OkStatus();
  }));
  if (!credential.has_value()) return absl::NotFoundError(absl::StrCat(name, " not found"));
  return *credential;
}

absl::Status SqlIdentityRepository::Revoke(const std::string& name, const std::string& reason,
                                              const std::string& by, absl::Time now) {
  const bool user = absl::StartsWith(name, "users/");
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    if (absl::StartsWith(name, "oidc:")) {
      // A provider's user has no row here: the announcement is the record (and the audit row).
      return store::AppendChange(connection, "revocation", name, 1, now).status();
    }
    if (user) {
      OCOP_ASSIGN_OR_RETURN(store::Statement disable, connection.Prepare("UPDATE users SET disabled = 1 WHERE name = ?"));
      disable.Bind(1, name);
      OCOP_RETURN_IF_ERROR(disable.Run());
      if (connection.Changes() == 0) return absl::NotFoundError(absl::StrCat(name, " not found"));
    }
    OCOP_ASSIGN_OR_RETURN(
        store::Statement revoke,
        connection.Prepare(absl::StrCat("UPDATE credentials SET revoked_reason = ?, revoked_by = ? WHERE ",
                                        user ? "\"user\"" : "name", " = ? AND revoked_reason = ''")));
    revoke.Bind(1, reason).Bind(2, by).Bind(3, name);
    OCOP_RETURN_IF_ERROR(revoke.Run());
    if (!user && connection.Changes() == 0) {
      OCOP_ASSIGN_OR_RETURN(store::Statement exists, connection.Prepare("SELECT 1 FROM credentials WHERE name = ?"));
      exists.Bind(1, name);
      OCOP_ASSIGN_OR_RETURN(bool found, exists.Step());
      if (!found) return absl::NotFoundError(absl::StrCat(name, " not found"));
      return absl::OkStatus();  // revoked before: nothing to announce again
    }
    // Every service follows this feed: tokens minted from the credential (or the user) stop being
    // believed. A revocation is its own entity, so a service never mistakes a new user for one.
    return store::AppendChange(connection, "revocation", name, 1, now).status();
  }));
  notifier_->Notify();
  return absl::OkStatus();
}

}  // namespace ocop::registry
