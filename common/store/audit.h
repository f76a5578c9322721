// The audit trail of a service's database: who changed what, when, from where, with which
// credential. A write's audit row is written inside the write's own transaction, so the two
// commit together or not at all (a crash cannot keep one without the other). Denied attempts,
// which write nothing, get a row of their own.
//
// A gRPC handler marks its thread with the caller (ScopedAuditContext, via auth::Caller); every
// write transaction the thread commits while marked gets a row naming the resources whose
// changes it appended to the change feed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/store/database.h"

namespace ocop::store {

inline constexpr char kAuditMigration[] = R"sql(
CREATE TABLE audit_log (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  unix_micros INTEGER NOT NULL,
  subject     TEXT NOT NULL,
  role        TEXT NOT NULL,
  credential  TEXT NOT NULL,
  method      TEXT NOT NULL,
  resources   TEXT NOT NULL,
  peer        TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  outcome     TEXT NOT NULL
);
CREATE INDEX audit_log_by_subject ON audit_log(subject, position);
)sql";
inline constexpr char kAuditMigrationPostgres[] = R"sql(
CREATE TABLE audit_log (
  position    BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  unix_micros BIGINT NOT NULL,
  subject     TEXT NOT NULL,
  role        TEXT NOT NULL,
  credential  TEXT NOT NULL,
  method      TEXT NOT NULL,
  resources   TEXT NOT NULL,
  peer        TEXT NOT NULL,
  request_id  TEXT NOT NULL,
  outcome     TEXT NOT NULL
);
CREATE INDEX audit_log_by_subject ON audit_log(subject, position);
)sql";

// Who is being served on this thread.
struct AuditContext {
  std::string subject;
  std::string role;
  std::string credential;
  std::string method;      // "pkg.Service/Method"
  std::string peer;        // the client's address as gRPC saw it
  std::string request_id;  // the client's x-request-id, when it sent one
};

// Marks the calling thread as serving `context` until destroyed (scopes nest).
class ScopedAuditContext {
 public:
  explicit ScopedAuditContext(AuditContext context);
  ~ScopedAuditContext();
  ScopedAuditContext(const ScopedAuditContext&) = delete;
  ScopedAuditContext& operator=(const ScopedAuditContext&) = delete;

 private:
  AuditContext context_;
  const AuditContext* previous_;
};

// The context the calling thread serves, or null.
const AuditContext* CurrentAuditContext();

struct AuditRecord {
  int64_t position = 0;
  absl::Time time;
  AuditContext who;
  std::string resources;  // names whose changes the write appended, comma-separated
  std::string outcome;    // "ok", or the status code and message of a denied attempt
};

// Appends `record` (its position is assigned).
absl::Status AppendAuditRecord(Connection& connection, const AuditRecord& record);

struct AuditFilter {
  std::string subject;   // exact, when set
  std::string method;    // substring, when set
  std::string resource;  // substring of resources, when set
  bool denied_only = false;
  absl::Time since = absl::InfinitePast();
};

// Records after position `after` matching `filter`, oldest first, at most `limit`.
absl::StatusOr<std::vector<AuditRecord>> ReadAuditRecords(Database& database, const AuditFilter& filter,
                                                          int64_t after, int limit);

}  // namespace ocop::store
