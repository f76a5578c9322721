// Idempotent creates: a caller's request_id is remembered with a fingerprint of the request body
// and the resource it created, in the same transaction as the create.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/store/database.h"

namespace ocop::store {

inline constexpr char kIdempotencyMigration[] = R"sql(
CREATE TABLE idempotency_keys (
  caller      TEXT NOT NULL,
  method      TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  resource    TEXT NOT NULL,
  PRIMARY KEY (caller, method, request_id)
);
)sql";
// The same table on PostgreSQL (the SQL is the same; kept apart so the two lists can diverge).
inline constexpr char kIdempotencyMigrationPostgres[] = R"sql(
CREATE TABLE idempotency_keys (
  caller      TEXT NOT NULL,
  method      TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  resource    TEXT NOT NULL,
  PRIMARY KEY (caller, method, request_id)
);
)sql";

// A create's idempotency key. An empty request_id means the create is not idempotent.
struct IdempotencyKey {
  std::string caller;       // the actor's subject: request ids are scoped to the caller
  std::string method;       // e.g. "CreateProducer"
  std::string request_id;
  std::string fingerprint;  // digest of the request body without request_id
};

// The resource created earlier under `key`, if any. ALREADY_EXISTS naming request_id when the
// same caller used the same request_id for a different body.
absl::StatusOr<std::optional<std::string>> FindIdempotentResult(Connection& connection,
                                                                const IdempotencyKey& key);

// Remembers that `key` created `resource`; a no-op for an empty request_id.
absl::Status RememberIdempotentResult(Connection& connection, const IdempotencyKey& key,
                                      const std::string& resource);

struct CreateOnceResult {
  std::string name;   // the resource created now, or the one created by the earlier request
  bool created = false;
};

// The idempotent create: in one transaction, returns the resource an earlier request with `key`
// created, or runs `insert` (which writes the resource `name` and its outbox entry) and remembers
// `key`. ALREADY_EXISTS when `key` was used for another body; insert's error otherwise.
absl::StatusOr<CreateOnceResult> CreateOnce(Database& database, const IdempotencyKey& key,
                                            const std::string& name,
                                            const std::function<absl::Status(Connection&)>& insert);

}  // namespace ocop::store
