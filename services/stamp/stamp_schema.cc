#include "services/stamp/stamp_schema.h"

#include "common/store/audit.h"
#include "common/store/idempotency.h"
#include "common/store/outbox.h"

namespace ocop::stamp {
namespace {

// SQLite: append-only, never edit a migration that has shipped; add a new one.
const std::vector<std::string> kSqliteMigrations = {
    store::kOutboxMigration,
    store::kIdempotencyMigration,
    R"sql(
-- The next serial to allocate. Serials are never reused; 0 is never a serial.
CREATE TABLE serial_counter (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  next_serial INTEGER NOT NULL
);
INSERT INTO serial_counter(id, next_serial) VALUES(1, 1);
CREATE TABLE rolls (
  position     INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT NOT NULL UNIQUE,
  batch        TEXT NOT NULL,
  producer     TEXT NOT NULL,
  product      TEXT NOT NULL,
  first_serial INTEGER NOT NULL UNIQUE,
  count        INTEGER NOT NULL CHECK (count > 0),
  key_id       INTEGER NOT NULL,
  issued_by    TEXT NOT NULL,
  create_unix_micros INTEGER NOT NULL
);
CREATE INDEX rolls_by_batch ON rolls(batch);
)sql",
    R"sql(
ALTER TABLE rolls ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
-- Life-cycle operations on serial ranges: one row per operation, never one per stamp.
CREATE TABLE range_operations (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  roll         TEXT NOT NULL REFERENCES rolls(name),
  batch        TEXT NOT NULL,
  first_serial INTEGER NOT NULL,
  last_serial  INTEGER NOT NULL CHECK (last_serial >= first_serial),
  state        INTEGER NOT NULL,
  reason       TEXT NOT NULL,
  actor        TEXT NOT NULL,
  unix_micros  INTEGER NOT NULL
);
CREATE INDEX range_operations_by_roll ON range_operations(roll, id);
CREATE INDEX range_operations_by_batch ON range_operations(batch, id);
)sql",
    R"sql(
-- Every rendering of a serial range. last_sent is written before a chunk is sent, so it never
-- under-states what left the service.
CREATE TABLE renders (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL UNIQUE,
  roll          TEXT NOT NULL REFERENCES rolls(name),
  first_serial  INTEGER NOT NULL,
  last_serial   INTEGER NOT NULL,
  last_sent     INTEGER NOT NULL DEFAULT 0,
  printer       TEXT NOT NULL,
  actor         TEXT NOT NULL,
  reprint_order TEXT NOT NULL,
  start_unix_micros  INTEGER NOT NULL,
  update_unix_micros INTEGER NOT NULL
);
CREATE INDEX renders_by_roll ON renders(roll, position);
CREATE TABLE render_resends (
  render       TEXT NOT NULL REFERENCES renders(name),
  first_serial INTEGER NOT NULL,
  last_serial  INTEGER NOT NULL,
  unix_micros  INTEGER NOT NULL
);
CREATE INDEX render_resends_by_render ON render_resends(render);
CREATE TABLE reprint_orders (
  name         TEXT PRIMARY KEY,
  roll         TEXT NOT NULL REFERENCES rolls(name),
  first_serial INTEGER NOT NULL,
  last_serial  INTEGER NOT NULL,
  reason       TEXT NOT NULL,
  actor        TEXT NOT NULL,
  create_unix_micros INTEGER NOT NULL,
  used_by      TEXT NOT NULL DEFAULT ''
);
)sql",
    R"sql(
ALTER TABLE rolls ADD COLUMN pin_secret_id TEXT NOT NULL DEFAULT '';
-- One row per serial someone tried a PIN for (PINs themselves are derived, never stored).
CREATE TABLE pin_verifications (
  serial        INTEGER PRIMARY KEY,
  first_verified_unix_micros INTEGER NOT NULL DEFAULT 0,
  wrong_tries   INTEGER NOT NULL DEFAULT 0,
  last_try_unix_micros INTEGER NOT NULL
);
)sql",
    "ALTER TABLE rolls ADD COLUMN printer_profile TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE rolls ADD COLUMN gtin TEXT NOT NULL DEFAULT ''; "
    "ALTER TABLE rolls ADD COLUMN lot_code TEXT NOT NULL DEFAULT ''",
    // Scan history (scan_history.h): salted, truncated client hashes only; rows older than the
    // retention are deleted as new ones arrive.
    R"sql(
CREATE TABLE scans (
  scan_id       TEXT PRIMARY KEY,
  serial        INTEGER NOT NULL,
  scan_unix_micros INTEGER NOT NULL,
  day           TEXT NOT NULL,
  client_hash   TEXT NOT NULL,
  verdict       TEXT NOT NULL,
  batch         TEXT NOT NULL,
  product       TEXT NOT NULL,
  producer      TEXT NOT NULL,
  province_code TEXT NOT NULL,
  count         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX scans_by_time ON scans(scan_unix_micros);
CREATE INDEX scans_by_producer ON scans(producer, day);
CREATE INDEX scans_by_province ON scans(province_code, day);
CREATE INDEX scans_by_serial ON scans(serial, day);
)sql",
    // PIN locks expire (stamp_types.h, PinPolicy). A stamp locked for good by the first schema
    // (wrong_tries at the limit, no end time) counts as a lock already served.
    "ALTER TABLE pin_verifications ADD COLUMN locked_until_unix_micros INTEGER NOT NULL DEFAULT 0; "
    "ALTER TABLE pin_verifications ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0",
    // Offices clearing "possible copy" flags, with who and why (append-only).
    R"sql(
CREATE TABLE copy_flag_clearances (
  position        INTEGER PRIMARY KEY AUTOINCREMENT,
  serial          INTEGER NOT NULL,
  cleared_through TEXT NOT NULL,
  reason          TEXT NOT NULL,
  actor           TEXT NOT NULL,
  unix_micros     INTEGER NOT NULL
);
CREATE INDEX copy_flag_clearances_by_serial ON copy_flag_clearances(serial, position);
)sql",
    // The printing house a roll is assigned to (identity: only its printers stream the roll).
    "ALTER TABLE rolls ADD COLUMN printer TEXT NOT NULL DEFAULT ''",
    // Who changed what (common/store/audit.h).
    store::kAuditMigration,
    // Stamp states as coalesced ranges (common/ranges/interval_map.h), keyed by first serial:
    // serials are unique across rolls, so no range ever needs its roll to be found. Rolls with
    // operations from before get theirs built at open (states_built = 0 until then).
    R"sql(
CREATE TABLE stamp_states (
  first_serial INTEGER PRIMARY KEY,
  last_serial  INTEGER NOT NULL CHECK (last_serial >= first_serial),
  state        INTEGER NOT NULL
);
ALTER TABLE rolls ADD COLUMN active_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rolls ADD COLUMN operation_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rolls ADD COLUMN range_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rolls ADD COLUMN states_built INTEGER NOT NULL DEFAULT 1;
UPDATE rolls SET operation_count = (SELECT COUNT(*) FROM range_operations o WHERE o.roll = rolls.name);
UPDATE rolls SET states_built = 0 WHERE operation_count > 0;
)sql",
    // Scan statistics over a period without a producer, province or stamp (an admin's view of
    // the whole country) read that period's rows only.
    "CREATE INDEX scans_by_day ON scans(day)",
};

// PostgreSQL: the schema above as it stands, in one migration; append-only from here on.
// Serials, counts and times are BIGINT (SQLite's INTEGER is 64-bit); render_resends has a
// position where SQLite orders by rowid.
const std::vector<std::string> kPostgresMigrations = {
    std::string(store::kOutboxMigrationPostgres) + store::kIdempotencyMigrationPostgres + store::kAuditMigrationPostgres +
        R"sql(
-- The next serial to allocate. Serials are never reused; 0 is never a serial.
CREATE TABLE serial_counter (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  next_serial BIGINT NOT NULL
);
INSERT INTO serial_counter(id, next_serial) VALUES(1, 1);
CREATE TABLE rolls (
  position     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  batch        TEXT NOT NULL,
  producer     TEXT NOT NULL,
  product      TEXT NOT NULL,
  first_serial BIGINT NOT NULL UNIQUE,
  count        BIGINT NOT NULL CHECK (count > 0),
  key_id       BIGINT NOT NULL,
  issued_by    TEXT NOT NULL,
  create_unix_micros BIGINT NOT NULL,
  generation   BIGINT NOT NULL DEFAULT 1,
  pin_secret_id   TEXT NOT NULL DEFAULT '',
  printer_profile TEXT NOT NULL DEFAULT '',
  gtin         TEXT NOT NULL DEFAULT '',
  lot_code     TEXT NOT NULL DEFAULT '',
  printer      TEXT NOT NULL DEFAULT '',
  active_count    BIGINT NOT NULL DEFAULT 0,
  operation_count BIGINT NOT NULL DEFAULT 0,
  range_count     BIGINT NOT NULL DEFAULT 0,
  states_built    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rolls_by_batch ON rolls(batch);
-- Life-cycle operations on serial ranges: one row per operation, never one per stamp.
CREATE TABLE range_operations (
  id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  roll         TEXT NOT NULL REFERENCES rolls(name),
  batch        TEXT NOT NULL,
  first_serial BIGINT NOT NULL,
  last_serial  BIGINT NOT NULL CHECK (last_serial >= first_serial),
  state        INTEGER NOT NULL,
  reason       TEXT NOT NULL,
  actor        TEXT NOT NULL,
  unix_micros  BIGINT NOT NULL
);
CREATE INDEX range_operations_by_roll ON range_operations(roll, id);
CREATE INDEX range_operations_by_batch ON range_operations(batch, id);
-- Stamp states as coalesced ranges (common/ranges/interval_map.h), keyed by first serial.
CREATE TABLE stamp_states (
  first_serial BIGINT PRIMARY KEY,
  last_serial  BIGINT NOT NULL CHECK (last_serial >= first_serial),
  state        INTEGER NOT NULL
);
-- Every rendering of a serial range. last_sent is written before a chunk is sent, so it never
-- under-states what left the service.
CREATE TABLE renders (
  position      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  roll          TEXT NOT NULL REFERENCES rolls(name),
  first_serial  BIGINT NOT NULL,
  last_serial   BIGINT NOT NULL,
  last_sent     BIGINT NOT NULL DEFAULT 0,
  printer       TEXT NOT NULL,
  actor         TEXT NOT NULL,
  reprint_order TEXT NOT NULL,
  start_unix_micros  BIGINT NOT NULL,
  update_unix_micros BIGINT NOT NULL
);
CREATE INDEX renders_by_roll ON renders(roll, position);
CREATE TABLE render_resends (
  position     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  render       TEXT NOT NULL REFERENCES renders(name),
  first_serial BIGINT NOT NULL,
  last_serial  BIGINT NOT NULL,
  unix_micros  BIGINT NOT NULL
);
CREATE INDEX render_resends_by_render ON render_resends(render, position);
CREATE TABLE reprint_orders (
  name         TEXT PRIMARY KEY,
  roll         TEXT NOT NULL REFERENCES rolls(name),
  first_serial BIGINT NOT NULL,
  last_serial  BIGINT NOT NULL,
  reason       TEXT NOT NULL,
  actor        TEXT NOT NULL,
  create_unix_micros BIGINT NOT NULL,
  used_by      TEXT NOT NULL DEFAULT ''
);
-- One row per serial someone tried a PIN for (PINs themselves are derived, never stored).
CREATE TABLE pin_verifications (
  serial        BIGINT PRIMARY KEY,
  first_verified_unix_micros BIGINT NOT NULL DEFAULT 0,
  wrong_tries   INTEGER NOT NULL DEFAULT 0,
  last_try_unix_micros BIGINT NOT NULL,
  locked_until_unix_micros BIGINT NOT NULL DEFAULT 0,
  lockouts      INTEGER NOT NULL DEFAULT 0
);
-- Scan history (scan_history.h): salted, truncated client hashes only.
CREATE TABLE scans (
  scan_id       TEXT PRIMARY KEY,
  serial        BIGINT NOT NULL,
  scan_unix_micros BIGINT NOT NULL,
  day           TEXT NOT NULL,
  client_hash   TEXT NOT NULL,
  verdict       TEXT NOT NULL,
  batch         TEXT NOT NULL,
  product       TEXT NOT NULL,
  producer      TEXT NOT NULL,
  province_code TEXT NOT NULL,
  count         BIGINT NOT NULL
);
CREATE INDEX scans_by_time ON scans(scan_unix_micros);
CREATE INDEX scans_by_producer ON scans(producer, day);
CREATE INDEX scans_by_province ON scans(province_code, day);
CREATE INDEX scans_by_serial ON scans(serial, day);
CREATE INDEX scans_by_day ON scans(day);
-- Offices clearing "possible copy" flags, with who and why (append-only).
CREATE TABLE copy_flag_clearances (
  position        BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  serial          BIGINT NOT NULL,
  cleared_through TEXT NOT NULL,
  reason          TEXT NOT NULL,
  actor           TEXT NOT NULL,
  unix_micros     BIGINT NOT NULL
);
CREATE INDEX copy_flag_clearances_by_serial ON copy_flag_clearances(serial, position);
)sql",
};

}  // namespace

const store::Schema& StampSchema() {
  static const store::Schema* schema = new store::Schema{kSqliteMigrations, kPostgresMigrations};
  return *schema;
}

}  // namespace ocop::stamp
