#include "services/batch/batch_schema.h"

#include "common/store/audit.h"
#include "common/store/idempotency.h"
#include "common/store/outbox.h"

namespace ocop::batch {
namespace {

// SQLite: append-only, never edit a migration that has shipped; add a new one.
const std::vector<std::string> kSqliteMigrations = {
    store::kOutboxMigration,
    store::kIdempotencyMigration,
    R"sql(
CREATE TABLE batches (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL UNIQUE,
  product       TEXT NOT NULL,
  producer      TEXT NOT NULL,
  lot_code      TEXT NOT NULL,
  harvest_date  TEXT NOT NULL,
  quantity      REAL NOT NULL,
  unit          TEXT NOT NULL,
  growing_area_code TEXT NOT NULL,
  event_count   INTEGER NOT NULL DEFAULT 0,
  create_unix_micros INTEGER NOT NULL,
  generation    INTEGER NOT NULL DEFAULT 1,
  UNIQUE (product, lot_code)
);
CREATE INDEX batches_by_producer ON batches(producer, position);
-- Events are append-only: no UPDATE or DELETE is ever issued on this table.
CREATE TABLE events (
  batch         TEXT NOT NULL REFERENCES batches(name),
  sequence      INTEGER NOT NULL,
  type          INTEGER NOT NULL,
  biz_step      TEXT NOT NULL,
  event_unix_micros  INTEGER NOT NULL,
  zone_offset   TEXT NOT NULL,
  record_unix_micros INTEGER NOT NULL,
  location_name TEXT NOT NULL,
  commune_code  TEXT NOT NULL,
  latitude      REAL,
  longitude     REAL,
  gln           TEXT NOT NULL,
  disposition   TEXT NOT NULL,
  recorded_by   TEXT NOT NULL,
  PRIMARY KEY (batch, sequence)
) WITHOUT ROWID;
CREATE TABLE event_details (
  batch    TEXT NOT NULL,
  sequence INTEGER NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (batch, sequence, key),
  FOREIGN KEY (batch, sequence) REFERENCES events(batch, sequence)
) WITHOUT ROWID;
)sql",
    "ALTER TABLE batches ADD COLUMN package_count INTEGER NOT NULL DEFAULT 0",
    // Growing areas, seasons, genealogy, recalls and hash-chained events of lots and seasons.
    // The events of the first schema move into chain_events with their details as JSON; their
    // chain hashes are computed once at open (HashUnhashedEvents).
    R"sql(
CREATE TABLE growing_areas (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL UNIQUE,
  code          TEXT NOT NULL UNIQUE,
  producer      TEXT NOT NULL,
  commune_code  TEXT NOT NULL,
  latitude      REAL,
  longitude     REAL,
  boundary      TEXT NOT NULL,
  area_hectares REAL NOT NULL,
  crop          TEXT NOT NULL,
  create_unix_micros INTEGER NOT NULL,
  generation    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX growing_areas_by_producer ON growing_areas(producer, position);
CREATE TABLE seasons (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL UNIQUE,
  area          TEXT NOT NULL REFERENCES growing_areas(name),
  label         TEXT NOT NULL,
  start_date    TEXT NOT NULL,
  end_date      TEXT NOT NULL,
  create_unix_micros INTEGER NOT NULL,
  generation    INTEGER NOT NULL DEFAULT 1,
  UNIQUE (area, label)
);
ALTER TABLE batches ADD COLUMN expiry_date TEXT NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN certifications TEXT NOT NULL DEFAULT '[]';
ALTER TABLE batches ADD COLUMN status INTEGER NOT NULL DEFAULT 1;
ALTER TABLE batches ADD COLUMN recall_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE batches ADD COLUMN recall_unix_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE batches ADD COLUMN recalled_from TEXT NOT NULL DEFAULT '';
CREATE INDEX batches_by_recall ON batches(recalled_from) WHERE recalled_from != '';
CREATE TABLE lot_links (
  parent TEXT NOT NULL,
  child  TEXT NOT NULL,
  PRIMARY KEY (parent, child)
) WITHOUT ROWID;
CREATE INDEX lot_links_by_child ON lot_links(child, parent);
CREATE TABLE season_lots (
  season TEXT NOT NULL,
  lot    TEXT NOT NULL,
  PRIMARY KEY (season, lot)
) WITHOUT ROWID;
CREATE INDEX season_lots_by_lot ON season_lots(lot, season);
-- One row per chain (a lot or a season): its head. Checkpoints are signed when the head is read
-- (published), not stored: a stored signature would prove nothing an insider could not rewrite.
CREATE TABLE chains (
  name         TEXT PRIMARY KEY,
  event_count  INTEGER NOT NULL DEFAULT 0,
  head_hash    TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;
-- Events are append-only: rows are never updated or deleted (the one exception is the one-time
-- hashing of rows carried over from the first schema, whose chain_hash starts empty).
CREATE TABLE chain_events (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  chain         TEXT NOT NULL,
  sequence      INTEGER NOT NULL,
  product       TEXT NOT NULL,
  event_id      TEXT NOT NULL UNIQUE,
  fingerprint   TEXT NOT NULL,
  type          INTEGER NOT NULL,
  biz_step      TEXT NOT NULL,
  event_unix_micros  INTEGER NOT NULL,
  zone_offset   TEXT NOT NULL,
  record_unix_micros INTEGER NOT NULL,
  location_name TEXT NOT NULL,
  commune_code  TEXT NOT NULL,
  latitude      REAL,
  longitude     REAL,
  gln           TEXT NOT NULL,
  disposition   TEXT NOT NULL,
  recorded_by   TEXT NOT NULL,
  corrects      TEXT NOT NULL,
  correction_reason TEXT NOT NULL,
  details       TEXT NOT NULL,
  attachments   TEXT NOT NULL,
  inputs        TEXT NOT NULL,
  outputs       TEXT NOT NULL,
  chain_hash    TEXT NOT NULL,
  UNIQUE (chain, sequence)
);
CREATE INDEX chain_events_by_product ON chain_events(product, position);
INSERT INTO chains(name, event_count) SELECT name, event_count FROM batches;
INSERT INTO chain_events(chain, sequence, product, event_id, fingerprint, type, biz_step, event_unix_micros,
    zone_offset, record_unix_micros, location_name, commune_code, latitude, longitude, gln, disposition,
    recorded_by, corrects, correction_reason, details, attachments, inputs, outputs, chain_hash)
  SELECT e.batch, e.sequence, b.product, 'urn:ocop-trace:event:' || substr(e.batch, 9) || ':' || e.sequence, '',
    e.type, e.biz_step, e.event_unix_micros, e.zone_offset, e.record_unix_micros, e.location_name,
    e.commune_code, e.latitude, e.longitude, e.gln, e.disposition, e.recorded_by, '', '',
    COALESCE((SELECT json_group_object(d.key, d.value) FROM event_details d
            WHERE d.batch = e.batch AND d.sequence = e.sequence), '{}'),
    '[]', '[]', '[]', ''
  FROM events e JOIN batches b ON b.name = e.batch ORDER BY e.batch, e.sequence;
DROP TABLE event_details;
DROP TABLE events;
)sql",
    // Who changed what (common/store/audit.h).
    store::kAuditMigration,
};

// PostgreSQL: the schema above as it stands, in one migration; append-only from here on.
// REAL is DOUBLE PRECISION (SQLite's REAL is a double; PostgreSQL's is a float).
const std::vector<std::string> kPostgresMigrations = {
    std::string(store::kOutboxMigrationPostgres) + store::kIdempotencyMigrationPostgres + store::kAuditMigrationPostgres +
        R"sql(
CREATE TABLE batches (
  position      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  product       TEXT NOT NULL,
  producer      TEXT NOT NULL,
  lot_code      TEXT NOT NULL,
  harvest_date  TEXT NOT NULL,
  quantity      DOUBLE PRECISION NOT NULL,
  unit          TEXT NOT NULL,
  growing_area_code TEXT NOT NULL,
  event_count   BIGINT NOT NULL DEFAULT 0,
  create_unix_micros BIGINT NOT NULL,
  generation    BIGINT NOT NULL DEFAULT 1,
  package_count BIGINT NOT NULL DEFAULT 0,
  expiry_date   TEXT NOT NULL DEFAULT '',
  certifications TEXT NOT NULL DEFAULT '[]',
  status        INTEGER NOT NULL DEFAULT 1,
  recall_reason TEXT NOT NULL DEFAULT '',
  recall_unix_micros BIGINT NOT NULL DEFAULT 0,
  recalled_from TEXT NOT NULL DEFAULT '',
  UNIQUE (product, lot_code)
);
CREATE INDEX batches_by_producer ON batches(producer, position);
CREATE INDEX batches_by_recall ON batches(recalled_from) WHERE recalled_from != '';
CREATE TABLE growing_areas (
  position      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  code          TEXT NOT NULL UNIQUE,
  producer      TEXT NOT NULL,
  commune_code  TEXT NOT NULL,
  latitude      DOUBLE PRECISION,
  longitude     DOUBLE PRECISION,
  boundary      TEXT NOT NULL,
  area_hectares DOUBLE PRECISION NOT NULL,
  crop          TEXT NOT NULL,
  create_unix_micros BIGINT NOT NULL,
  generation    BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX growing_areas_by_producer ON growing_areas(producer, position);
CREATE TABLE seasons (
  position      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  area          TEXT NOT NULL REFERENCES growing_areas(name),
  label         TEXT NOT NULL,
  start_date    TEXT NOT NULL,
  end_date      TEXT NOT NULL,
  create_unix_micros BIGINT NOT NULL,
  generation    BIGINT NOT NULL DEFAULT 1,
  UNIQUE (area, label)
);
CREATE TABLE lot_links (
  parent TEXT NOT NULL,
  child  TEXT NOT NULL,
  PRIMARY KEY (parent, child)
);
CREATE INDEX lot_links_by_child ON lot_links(child, parent);
CREATE TABLE season_lots (
  season TEXT NOT NULL,
  lot    TEXT NOT NULL,
  PRIMARY KEY (season, lot)
);
CREATE INDEX season_lots_by_lot ON season_lots(lot, season);
-- One row per chain (a lot or a season): its head. Checkpoints are signed when the head is read
-- (published), not stored: a stored signature would prove nothing an insider could not rewrite.
CREATE TABLE chains (
  name         TEXT PRIMARY KEY,
  event_count  BIGINT NOT NULL DEFAULT 0,
  head_hash    TEXT NOT NULL DEFAULT ''
);
-- Events are append-only: rows are never updated or deleted.
CREATE TABLE chain_events (
  position      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  chain         TEXT NOT NULL,
  sequence      BIGINT NOT NULL,
  product       TEXT NOT NULL,
  event_id      TEXT NOT NULL UNIQUE,
  fingerprint   TEXT NOT NULL,
  type          INTEGER NOT NULL,
  biz_step      TEXT NOT NULL,
  event_unix_micros  BIGINT NOT NULL,
  zone_offset   TEXT NOT NULL,
  record_unix_micros BIGINT NOT NULL,
  location_name TEXT NOT NULL,
  commune_code  TEXT NOT NULL,
  latitude      DOUBLE PRECISION,
  longitude     DOUBLE PRECISION,
  gln           TEXT NOT NULL,
  disposition   TEXT NOT NULL,
  recorded_by   TEXT NOT NULL,
  corrects      TEXT NOT NULL,
  correction_reason TEXT NOT NULL,
  details       TEXT NOT NULL,
  attachments   TEXT NOT NULL,
  inputs        TEXT NOT NULL,
  outputs       TEXT NOT NULL,
  chain_hash    TEXT NOT NULL,
  UNIQUE (chain, sequence)
);
CREATE INDEX chain_events_by_product ON chain_events(product, position);
)sql",
};

}  // namespace

const store::Schema& BatchSchema() {
  static const store::Schema* schema = new store::Schema{kSqliteMigrations, kPostgresMigrations};
  return *schema;
}

}  // namespace ocop::batch
