#include "common/store/idempotency.h"

#include "common/status/status_macros.h"

namespace ocop::store {

absl::StatusOr<std::optional<std::string>> FindIdempotentResult(Connection& connection,
                                                                const IdempotencyKey& key) {
  if (key.request_id.empty()) return std::nullopt;
  OCOP_ASSIGN_OR_RETURN(Statement select,
                        connection.Prepare("SELECT fingerprint, resource FROM idempotency_keys "
                                           "WHERE caller = ? AND method = ? AND request_id = ?"));
  select.Bind(1, key.caller).Bind(2, key.method).Bind(3, key.request_id);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return std::nullopt;
  if (select.ColumnText(0) != key.fingerprint) {
    return absl::AlreadyExistsError(
        "request_id: already used by this caller for a different request; use a new request_id");
  }
  return select.ColumnText(1);
}

absl::Status RememberIdempotentResult(Connection& connection, const IdempotencyKey& key,
                                      const std::string& resource) {
  if (key.request_id.empty()) return absl::OkStatus();
  OCOP_ASSIGN_OR_RETURN(Statement insert,
                        connection.Prepare("INSERT INTO idempotency_keys(caller, method, request_id, "
                                           "fingerprint, resource) VALUES(?, ?, ?, ?, ?)"));
  insert.Bind(1, key.caller).Bind(2, key.method).Bind(3, key.request_id).Bind(4, key.fingerprint)
      .Bind(5, resource);
  return insert.Run();
}

absl::StatusOr<CreateOnceResult> CreateOnce(Database& database, const IdempotencyKey& key,
                                            const std::string& name,
                                            const std::function<absl::Status(Connection&)>& insert) {
  CreateOnceResult result;
  OCOP_RETURN_IF_ERROR(database.Transact([&](Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(std::optional<std::string> earlier, FindIdempotentResult(connection, key));
    if (earlier.has_value()) {
      result.name = std::move(*earlier);
      return absl::OkStatus();
    }
    OCOP_RETURN_IF_ERROR(insert(connection));
    OCOP_RETURN_IF_ERROR(RememberIdempotentResult(connection, key, name));
    result.name = name;
    result.created = true;
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace ocop::store
