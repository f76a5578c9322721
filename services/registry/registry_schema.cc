#include "services/registry/registry_schema.h"

#include "common/store/audit.h"
#include "common/store/idempotency.h"
#include "common/store/outbox.h"

namespace ocop::registry {
namespace {

// Units before the July 2025 merger for every producer, so reports and plans can cover a former
// province, district or commune (sql_producer_repository.cc, RefreshFormerUnits), and the units a
// plan covers. Forgetting the unit tables' digest makes the next start reload them and fill the
// new columns.
const char kFormerUnitsMigration[] = R"sql(
ALTER TABLE producers ADD COLUMN former_province_code TEXT NOT NULL DEFAULT '';
ALTER TABLE producers ADD COLUMN former_district_code TEXT NOT NULL DEFAULT '';
ALTER TABLE producers ADD COLUMN former_commune_code TEXT NOT NULL DEFAULT '';
CREATE INDEX producers_by_former_province ON producers(former_province_code, position);
ALTER TABLE plans ADD COLUMN scope_units_version TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN scope_province_code TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN scope_district_code TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN scope_commune_code TEXT NOT NULL DEFAULT '';
DELETE FROM registry_meta WHERE key = 'admin_units_digest';
)sql";

// How a plan states each target ("at least" for targets saved before: 1), and a range's upper bound.
const char kTargetBoundsMigration[] = R"sql(
ALTER TABLE plan_targets ADD COLUMN bound INTEGER NOT NULL DEFAULT 1;
ALTER TABLE plan_targets ADD COLUMN target_max DOUBLE PRECISION NOT NULL DEFAULT 0;
)sql";

// What plans count of a producer: its workforce and a green or circular value chain tied to a
// raw-material area (none declared for producers recorded before).
const char kWorkforceAndValueChainMigration[] = R"sql(
ALTER TABLE producers ADD COLUMN workers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN trained_workers INTEGER NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN green_value_chain INTEGER NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN raw_material_hectares DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN raw_material_area TEXT NOT NULL DEFAULT '';
)sql";

// Product ideas and candidates registered by communes (sql_product_idea_repository.cc), with the
// former units of their address like producers', and the dossier that carries one into a round.
const char kProductIdeasMigration[] = R"sql(
CREATE TABLE product_ideas (
  name                  TEXT PRIMARY KEY,
  display_name          TEXT NOT NULL,
  sector                TEXT NOT NULL,
  product_group         INTEGER NOT NULL,
  sub_group             TEXT NOT NULL,
  street                TEXT NOT NULL,
  commune_code          TEXT NOT NULL,
  commune_name          TEXT NOT NULL,
  district_name         TEXT NOT NULL,
  province_code         TEXT NOT NULL,
  province_name         TEXT NOT NULL,
  units_version         TEXT NOT NULL,
  current_province_code TEXT NOT NULL,
  current_commune_code  TEXT NOT NULL,
  former_province_code  TEXT NOT NULL DEFAULT '',
  former_district_code  TEXT NOT NULL DEFAULT '',
  former_commune_code   TEXT NOT NULL DEFAULT '',
  producer              TEXT NOT NULL,
  proposer_name         TEXT NOT NULL,
  registered_date       TEXT NOT NULL,
  stage                 INTEGER NOT NULL,
  update_unix_micros    BIGINT NOT NULL,
  dossier               TEXT NOT NULL DEFAULT ''
);
CREATE INDEX product_ideas_by_current_province ON product_ideas(current_province_code, name);
ALTER TABLE dossiers ADD COLUMN product_idea TEXT NOT NULL DEFAULT '';
)sql";

// Decision 148's classification of products and ideas (common/ocop_category): a code, empty for
// records made before it was recorded.
const char kProductCategoryMigration[] = R"sql(
ALTER TABLE products ADD COLUMN category TEXT NOT NULL DEFAULT '';
ALTER TABLE product_ideas ADD COLUMN category TEXT NOT NULL DEFAULT '';
)sql";

// The register of OCOP centres, showrooms and counters (sql_sales_point_repository.cc), with the
// former units of its address like producers'. Upgrade days are rows, so plans can count "opened
// or upgraded within the period" in SQL.
const char kSalesPointsMigration[] = R"sql(
CREATE TABLE sales_points (
  name                  TEXT PRIMARY KEY,
  display_name          TEXT NOT NULL,
  kind                  INTEGER NOT NULL,
  tier                  INTEGER NOT NULL,
  street                TEXT NOT NULL,
  commune_code          TEXT NOT NULL,
  commune_name          TEXT NOT NULL,
  district_name         TEXT NOT NULL,
  province_code         TEXT NOT NULL,
  province_name         TEXT NOT NULL,
  units_version         TEXT NOT NULL,
  current_province_code TEXT NOT NULL,
  current_commune_code  TEXT NOT NULL,
  former_province_code  TEXT NOT NULL DEFAULT '',
  former_district_code  TEXT NOT NULL DEFAULT '',
  former_commune_code   TEXT NOT NULL DEFAULT '',
  operator_name         TEXT NOT NULL,
  producer              TEXT NOT NULL,
  opened_date           TEXT NOT NULL,
  closed_date           TEXT NOT NULL,
  update_unix_micros    BIGINT NOT NULL
);
CREATE INDEX sales_points_by_current_province ON sales_points(current_province_code, name);
CREATE TABLE sales_point_upgrades (
  sales_point  TEXT NOT NULL REFERENCES sales_points(name),
  upgrade_date TEXT NOT NULL,
  PRIMARY KEY (sales_point, upgrade_date)
);
)sql";

// Re-evaluations: the certificate a dossier renews, how it ended, and on the rating it wrote.
const char kRenewalsMigration[] = R"sql(
ALTER TABLE dossiers ADD COLUMN renews TEXT NOT NULL DEFAULT '';
ALTER TABLE dossiers ADD COLUMN renewal_outcome INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ratings ADD COLUMN renews TEXT NOT NULL DEFAULT '';
)sql";

// SQLite: append-only, never edit a migration that has shipped; add a new one. The list holds the
// tables of the service's three repositories (registry, evaluation, identity) in the order they
// arrived, as one database's history.
const std::vector<std::string> kSqliteMigrations = {
    store::kOutboxMigration,
    store::kIdempotencyMigration,
    R"sql(
CREATE TABLE producers (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  kind          INTEGER NOT NULL,
  street        TEXT NOT NULL,
  commune_code  TEXT NOT NULL,
  commune_name  TEXT NOT NULL,
  district_name TEXT NOT NULL,
  province_code TEXT NOT NULL,
  province_name TEXT NOT NULL,
  phone         TEXT NOT NULL,
  create_unix_micros INTEGER NOT NULL,
  generation    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX producers_by_province ON producers(province_code, position);
CREATE TABLE products (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL UNIQUE,
  producer      TEXT NOT NULL REFERENCES producers(name),
  display_name  TEXT NOT NULL,
  product_group INTEGER NOT NULL,
  description   TEXT NOT NULL,
  rating_stars  INTEGER NOT NULL,  -- 0: not rated
  rating_score  INTEGER NOT NULL,
  certificate_number TEXT NOT NULL,
  valid_until   TEXT NOT NULL,
  create_unix_micros INTEGER NOT NULL,
  generation    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX products_by_producer ON products(producer, position);
)sql",
    "ALTER TABLE products ADD COLUMN gtin TEXT NOT NULL DEFAULT ''",
    R"sql(
CREATE TABLE registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE admin_units (
  version       TEXT NOT NULL,
  level         INTEGER NOT NULL,  -- 1 province, 2 district, 3 commune
  code          TEXT NOT NULL,
  name          TEXT NOT NULL,
  parent_code   TEXT NOT NULL,
  district_code TEXT NOT NULL,
  PRIMARY KEY (version, level, code)
) WITHOUT ROWID;
CREATE TABLE commune_successors (
  old_commune_code  TEXT NOT NULL,
  new_commune_code  TEXT NOT NULL,
  new_province_code TEXT NOT NULL,
  whole             INTEGER NOT NULL,
  PRIMARY KEY (old_commune_code, new_commune_code)
) WITHOUT ROWID;
CREATE TABLE province_successors (
  old_province_code TEXT PRIMARY KEY,
  new_province_code TEXT NOT NULL
) WITHOUT ROWID;
-- Addresses recorded before this migration used today's codes.
ALTER TABLE producers ADD COLUMN units_version TEXT NOT NULL DEFAULT '2025-07-01';
ALTER TABLE producers ADD COLUMN current_province_code TEXT NOT NULL DEFAULT '';
ALTER TABLE producers ADD COLUMN current_commune_code TEXT NOT NULL DEFAULT '';
UPDATE producers SET current_province_code = province_code, current_commune_code = commune_code;
ALTER TABLE producers ADD COLUMN tax_code TEXT NOT NULL DEFAULT '';
ALTER TABLE producers ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE producers ADD COLUMN representative_name TEXT NOT NULL DEFAULT '';
ALTER TABLE producers ADD COLUMN representative_gender INTEGER NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN representative_ethnic_minority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN representative_ethnicity TEXT NOT NULL DEFAULT '';
ALTER TABLE producers ADD COLUMN has_location INTEGER NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN latitude REAL NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN longitude REAL NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN sales_channels INTEGER NOT NULL DEFAULT 0;  -- bit (1 << channel)
ALTER TABLE producers ADD COLUMN update_unix_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE producers ADD COLUMN search_folded TEXT NOT NULL DEFAULT '';
UPDATE producers SET update_unix_micros = create_unix_micros;
CREATE UNIQUE INDEX producers_by_external_id ON producers(external_id) WHERE external_id != '';
CREATE UNIQUE INDEX producers_by_tax_code ON producers(tax_code) WHERE tax_code != '';
CREATE INDEX producers_by_current_province ON producers(current_province_code, position);
CREATE INDEX producers_by_current_commune ON producers(current_commune_code, position);
-- Word-prefix search over the folded text (see common/text), kept in step by triggers.
CREATE VIRTUAL TABLE producer_search USING fts5(search_folded, content='producers', content_rowid='position');
CREATE TRIGGER producer_search_insert AFTER INSERT ON producers BEGIN
  INSERT INTO producer_search(rowid, search_folded) VALUES (new.position, new.search_folded);
END;
CREATE TRIGGER producer_search_update AFTER UPDATE OF search_folded ON producers BEGIN
  INSERT INTO producer_search(producer_search, rowid, search_folded) VALUES ('delete', old.position, old.search_folded);
  INSERT INTO producer_search(rowid, search_folded) VALUES (new.position, new.search_folded);
END;
)sql",
    R"sql(
-- Products gain their full record; ratings move to their own append-only table. The rating_* and
-- certificate_number/valid_until columns of products are no longer used (kept: SQLite migrations
-- never drop columns here).
ALTER TABLE products ADD COLUMN sub_group TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN ingredients TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN shelf_life_days INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN storage TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN status INTEGER NOT NULL DEFAULT 1;
ALTER TABLE products ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN update_unix_micros INTEGER NOT NULL DEFAULT 0;
ALTER TABLE products ADD COLUMN search_folded TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN current_rating INTEGER;  -- ratings.position with the latest decision
UPDATE products SET update_unix_micros = create_unix_micros;
CREATE UNIQUE INDEX products_by_external_id ON products(external_id) WHERE external_id != '';
CREATE TABLE product_images (
  product TEXT NOT NULL REFERENCES products(name),
  ordinal INTEGER NOT NULL,
  uri     TEXT NOT NULL,
  sha256  TEXT NOT NULL,
  PRIMARY KEY (product, ordinal)
) WITHOUT ROWID;
CREATE TABLE product_intellectual_property (
  product    TEXT NOT NULL REFERENCES products(name),
  ordinal    INTEGER NOT NULL,
  kind       INTEGER NOT NULL,
  number     TEXT NOT NULL,
  holder     TEXT NOT NULL,
  grant_date TEXT NOT NULL,
  PRIMARY KEY (product, ordinal)
) WITHOUT ROWID;
CREATE TABLE ratings (
  position           INTEGER PRIMARY KEY AUTOINCREMENT,
  name               TEXT NOT NULL UNIQUE,
  product            TEXT NOT NULL REFERENCES products(name),
  stars              INTEGER NOT NULL,
  score              INTEGER NOT NULL,
  council_level      INTEGER NOT NULL,
  certificate_number TEXT NOT NULL,
  decision_number    TEXT NOT NULL,
  decision_date      TEXT NOT NULL,
  valid_until        TEXT NOT NULL,
  product_group      INTEGER NOT NULL,
  note               TEXT NOT NULL,
  recorded_by        TEXT NOT NULL,
  record_unix_micros INTEGER NOT NULL
);
CREATE INDEX ratings_by_product ON ratings(product, decision_date, position);
CREATE INDEX ratings_by_valid_until ON ratings(valid_until);
INSERT INTO ratings(name, product, stars, score, council_level, certificate_number, decision_number,
                  decision_date, valid_until, product_group, note, recorded_by, record_unix_micros)
  SELECT name || '/ratings/1', name, rating_stars, rating_score, 2, certificate_number, '',
       date(create_unix_micros / 1000000, 'unixepoch'), valid_until, product_group,
       'recorded with the product before ratings had their own table', '', create_unix_micros
  FROM products WHERE rating_stars > 0;
UPDATE products SET current_rating = (SELECT position FROM ratings r WHERE r.product = products.name);
-- Status changes with the day they took effect; a product with none has been active throughout.
CREATE TABLE product_statuses (
  position           INTEGER PRIMARY KEY AUTOINCREMENT,
  product            TEXT NOT NULL REFERENCES products(name),
  status             INTEGER NOT NULL,
  effective_date     TEXT NOT NULL,
  recorded_by        TEXT NOT NULL,
  record_unix_micros INTEGER NOT NULL
);
CREATE INDEX product_statuses_by_product ON product_statuses(product, effective_date, position);
CREATE VIRTUAL TABLE product_search USING fts5(search_folded, content='products', content_rowid='position');
CREATE TRIGGER product_search_insert AFTER INSERT ON products BEGIN
  INSERT INTO product_search(rowid, search_folded) VALUES (new.position, new.search_folded);
END;
CREATE TRIGGER product_search_update AFTER UPDATE OF search_folded ON products BEGIN
  INSERT INTO product_search(product_search, rowid, search_folded) VALUES ('delete', old.position, old.search_folded);
  INSERT INTO product_search(rowid, search_folded) VALUES (new.position, new.search_folded);
END;
)sql",
    R"sql(
CREATE TABLE plans (
  name          TEXT PRIMARY KEY,
  province_code TEXT NOT NULL,
  display_name  TEXT NOT NULL,
  period_start  TEXT NOT NULL,
  period_end    TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE plan_targets (
  plan        TEXT NOT NULL REFERENCES plans(name),
  ordinal     INTEGER NOT NULL,
  metric      INTEGER NOT NULL,
  target      REAL NOT NULL,
  description TEXT NOT NULL,
  PRIMARY KEY (plan, ordinal)
) WITHOUT ROWID;
CREATE INDEX products_by_producer_name ON products(producer);
)sql",
    R"sql(
-- The evaluation workflow (sql_evaluation_repository.cc).
CREATE TABLE evaluation_rounds (
  name               TEXT PRIMARY KEY,
  display_name       TEXT NOT NULL,
  province_code      TEXT NOT NULL,
  year               INTEGER NOT NULL,
  council_level      INTEGER NOT NULL,
  criteria_set       TEXT NOT NULL,
  council_members    TEXT NOT NULL,  -- actor ids, one per line
  certificate_prefix TEXT NOT NULL,
  state              INTEGER NOT NULL,
  decision_number    TEXT NOT NULL,
  decision_date      TEXT NOT NULL,
  create_unix_micros INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE dossiers (
  position            INTEGER PRIMARY KEY AUTOINCREMENT,
  name                TEXT NOT NULL UNIQUE,
  round               TEXT NOT NULL REFERENCES evaluation_rounds(name),
  product             TEXT NOT NULL REFERENCES products(name),
  self_assessed_score INTEGER NOT NULL,
  state               INTEGER NOT NULL,
  rating              TEXT NOT NULL,
  UNIQUE (round, product)
);
CREATE TABLE dossier_documents (
  dossier TEXT NOT NULL REFERENCES dossiers(name),
  ordinal INTEGER NOT NULL,
  kind    INTEGER NOT NULL,
  title   TEXT NOT NULL,
  uri     TEXT NOT NULL,
  sha256  TEXT NOT NULL,
  PRIMARY KEY (dossier, ordinal)
) WITHOUT ROWID;
CREATE TABLE dossier_transitions (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  dossier     TEXT NOT NULL REFERENCES dossiers(name),
  from_state  INTEGER NOT NULL,
  to_state    INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  unix_micros INTEGER NOT NULL,
  reason      TEXT NOT NULL
);
CREATE INDEX dossier_transitions_by_dossier ON dossier_transitions(dossier, position);
CREATE TABLE score_sheets (
  dossier            TEXT NOT NULL REFERENCES dossiers(name),
  member             TEXT NOT NULL,
  entries            TEXT NOT NULL,  -- "criterion=points" separated by ';'
  total              INTEGER NOT NULL,
  submit_unix_micros INTEGER NOT NULL,
  PRIMARY KEY (dossier, member)
) WITHOUT ROWID;
)sql",
    // Identity (identity.h): people and API key owners, sessions and API keys. Secrets are kept
    // only as hashes (Argon2id for passwords, SHA-256 for the random session and key secrets).
    R"sql(
CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL,
  producer      TEXT NOT NULL,
  province_code TEXT NOT NULL,
  printer       TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until_unix_micros INTEGER NOT NULL DEFAULT 0,
  create_unix_micros INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE credentials (
  name          TEXT PRIMARY KEY,
  user          TEXT NOT NULL REFERENCES users(name),
  secret_sha256 TEXT NOT NULL,
  display_name  TEXT NOT NULL,
  expire_unix_micros INTEGER NOT NULL,
  revoked_reason TEXT NOT NULL DEFAULT '',
  revoked_by    TEXT NOT NULL DEFAULT '',
  create_unix_micros INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX credentials_by_user ON credentials(user);
)sql",
    // Who changed what (common/store/audit.h).
    store::kAuditMigration,
    kFormerUnitsMigration,
    kTargetBoundsMigration,
    kWorkforceAndValueChainMigration,
    kSalesPointsMigration,
    kRenewalsMigration,
    kProductIdeasMigration,
    kProductCategoryMigration,
};

// PostgreSQL: the schema above as it stands, one migration per repository of the service (all in
// one database); append-only from here on. BIGINT where SQLite's INTEGER holds micros, positions
// or bit sets; DOUBLE PRECISION for REAL. Search: a GIN index over the folded text replaces FTS5
// (sql_registry_internal.h, SearchCondition). credentials.user is quoted: USER is reserved here.
const char kRegistryTablesPostgres[] = R"sql(
CREATE TABLE producers (
  position      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  kind          INTEGER NOT NULL,
  street        TEXT NOT NULL,
  commune_code  TEXT NOT NULL,
  commune_name  TEXT NOT NULL,
  district_name TEXT NOT NULL,
  province_code TEXT NOT NULL,
  province_name TEXT NOT NULL,
  phone         TEXT NOT NULL,
  create_unix_micros BIGINT NOT NULL,
  generation    BIGINT NOT NULL DEFAULT 1,
  units_version TEXT NOT NULL DEFAULT '2025-07-01',
  current_province_code TEXT NOT NULL DEFAULT '',
  current_commune_code  TEXT NOT NULL DEFAULT '',
  tax_code      TEXT NOT NULL DEFAULT '',
  external_id   TEXT NOT NULL DEFAULT '',
  representative_name   TEXT NOT NULL DEFAULT '',
  representative_gender INTEGER NOT NULL DEFAULT 0,
  representative_ethnic_minority INTEGER NOT NULL DEFAULT 0,
  representative_ethnicity TEXT NOT NULL DEFAULT '',
  has_location  INTEGER NOT NULL DEFAULT 0,
  latitude      DOUBLE PRECISION NOT NULL DEFAULT 0,
  longitude     DOUBLE PRECISION NOT NULL DEFAULT 0,
  sales_channels BIGINT NOT NULL DEFAULT 0,
  update_unix_micros BIGINT NOT NULL DEFAULT 0,
  search_folded TEXT NOT NULL DEFAULT ''
);
CREATE INDEX producers_by_province ON producers(province_code, position);
CREATE UNIQUE INDEX producers_by_external_id ON producers(external_id) WHERE external_id != '';
CREATE UNIQUE INDEX producers_by_tax_code ON producers(tax_code) WHERE tax_code != '';
CREATE INDEX producers_by_current_province ON producers(current_province_code, position);
CREATE INDEX producers_by_current_commune ON producers(current_commune_code, position);
CREATE INDEX producers_search ON producers USING GIN (to_tsvector('simple', search_folded));
CREATE TABLE products (
  position      BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  producer      TEXT NOT NULL REFERENCES producers(name),
  display_name  TEXT NOT NULL,
  product_group INTEGER NOT NULL,
  description   TEXT NOT NULL,
  rating_stars  INTEGER NOT NULL,  -- 0: not rated
  rating_score  INTEGER NOT NULL,
  certificate_number TEXT NOT NULL,
  valid_until   TEXT NOT NULL,
  create_unix_micros BIGINT NOT NULL,
  generation    BIGINT NOT NULL DEFAULT 1,
  gtin          TEXT NOT NULL DEFAULT '',
  sub_group     TEXT NOT NULL DEFAULT '',
  ingredients   TEXT NOT NULL DEFAULT '',
  shelf_life_days INTEGER NOT NULL DEFAULT 0,
  storage       TEXT NOT NULL DEFAULT '',
  status        INTEGER NOT NULL DEFAULT 1,
  external_id   TEXT NOT NULL DEFAULT '',
  update_unix_micros BIGINT NOT NULL DEFAULT 0,
  search_folded TEXT NOT NULL DEFAULT '',
  current_rating BIGINT
);
CREATE INDEX products_by_producer ON products(producer, position);
CREATE INDEX products_by_producer_name ON products(producer);
CREATE UNIQUE INDEX products_by_external_id ON products(external_id) WHERE external_id != '';
CREATE INDEX products_search ON products USING GIN (to_tsvector('simple', search_folded));
CREATE TABLE registry_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE admin_units (
  version       TEXT NOT NULL,
  level         INTEGER NOT NULL,  -- 1 province, 2 district, 3 commune
  code          TEXT NOT NULL,
  name          TEXT NOT NULL,
  parent_code   TEXT NOT NULL,
  district_code TEXT NOT NULL,
  PRIMARY KEY (version, level, code)
);
CREATE TABLE commune_successors (
  old_commune_code  TEXT NOT NULL,
  new_commune_code  TEXT NOT NULL,
  new_province_code TEXT NOT NULL,
  whole             INTEGER NOT NULL,
  PRIMARY KEY (old_commune_code, new_commune_code)
);
CREATE TABLE province_successors (
  old_province_code TEXT PRIMARY KEY,
  new_province_code TEXT NOT NULL
);
CREATE TABLE product_images (
  product TEXT NOT NULL REFERENCES products(name),
  ordinal INTEGER NOT NULL,
  uri     TEXT NOT NULL,
  sha256  TEXT NOT NULL,
  PRIMARY KEY (product, ordinal)
);
CREATE TABLE product_intellectual_property (
  product    TEXT NOT NULL REFERENCES products(name),
  ordinal    INTEGER NOT NULL,
  kind       INTEGER NOT NULL,
  number     TEXT NOT NULL,
  holder     TEXT NOT NULL,
  grant_date TEXT NOT NULL,
  PRIMARY KEY (product, ordinal)
);
CREATE TABLE ratings (
  position           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name               TEXT NOT NULL UNIQUE,
  product            TEXT NOT NULL REFERENCES products(name),
  stars              INTEGER NOT NULL,
  score              INTEGER NOT NULL,
  council_level      INTEGER NOT NULL,
  certificate_number TEXT NOT NULL,
  decision_number    TEXT NOT NULL,
  decision_date      TEXT NOT NULL,
  valid_until        TEXT NOT NULL,
  product_group      INTEGER NOT NULL,
  note               TEXT NOT NULL,
  recorded_by        TEXT NOT NULL,
  record_unix_micros BIGINT NOT NULL
);
CREATE INDEX ratings_by_product ON ratings(product, decision_date, position);
CREATE INDEX ratings_by_valid_until ON ratings(valid_until);
-- Status changes with the day they took effect; a product with none has been active throughout.
CREATE TABLE product_statuses (
  position           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  product            TEXT NOT NULL REFERENCES products(name),
  status             INTEGER NOT NULL,
  effective_date     TEXT NOT NULL,
  recorded_by        TEXT NOT NULL,
  record_unix_micros BIGINT NOT NULL
);
CREATE INDEX product_statuses_by_product ON product_statuses(product, effective_date, position);
CREATE TABLE plans (
  name          TEXT PRIMARY KEY,
  province_code TEXT NOT NULL,
  display_name  TEXT NOT NULL,
  period_start  TEXT NOT NULL,
  period_end    TEXT NOT NULL
);
CREATE TABLE plan_targets (
  plan        TEXT NOT NULL REFERENCES plans(name),
  ordinal     INTEGER NOT NULL,
  metric      INTEGER NOT NULL,
  target      DOUBLE PRECISION NOT NULL,
  description TEXT NOT NULL,
  PRIMARY KEY (plan, ordinal)
);
)sql";

// The evaluation workflow (sql_evaluation_repository.cc).
const char kEvaluationTablesPostgres[] = R"sql(
CREATE TABLE evaluation_rounds (
  name               TEXT PRIMARY KEY,
  display_name       TEXT NOT NULL,
  province_code      TEXT NOT NULL,
  year               INTEGER NOT NULL,
  council_level      INTEGER NOT NULL,
  criteria_set       TEXT NOT NULL,
  council_members    TEXT NOT NULL,  -- actor ids, one per line
  certificate_prefix TEXT NOT NULL,
  state              INTEGER NOT NULL,
  decision_number    TEXT NOT NULL,
  decision_date      TEXT NOT NULL,
  create_unix_micros BIGINT NOT NULL
);
CREATE TABLE dossiers (
  position            BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name                TEXT NOT NULL UNIQUE,
  round               TEXT NOT NULL REFERENCES evaluation_rounds(name),
  product             TEXT NOT NULL REFERENCES products(name),
  self_assessed_score INTEGER NOT NULL,
  state               INTEGER NOT NULL,
  rating              TEXT NOT NULL,
  UNIQUE (round, product)
);
CREATE TABLE dossier_documents (
  dossier TEXT NOT NULL REFERENCES dossiers(name),
  ordinal INTEGER NOT NULL,
  kind    INTEGER NOT NULL,
  title   TEXT NOT NULL,
  uri     TEXT NOT NULL,
  sha256  TEXT NOT NULL,
  PRIMARY KEY (dossier, ordinal)
);
CREATE TABLE dossier_transitions (
  position    BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  dossier     TEXT NOT NULL REFERENCES dossiers(name),
  from_state  INTEGER NOT NULL,
  to_state    INTEGER NOT NULL,
  actor       TEXT NOT NULL,
  unix_micros BIGINT NOT NULL,
  reason      TEXT NOT NULL
);
CREATE INDEX dossier_transitions_by_dossier ON dossier_transitions(dossier, position);
CREATE TABLE score_sheets (
  dossier            TEXT NOT NULL REFERENCES dossiers(name),
  member             TEXT NOT NULL,
  entries            TEXT NOT NULL,  -- "criterion=points" separated by ';'
  total              INTEGER NOT NULL,
  submit_unix_micros BIGINT NOT NULL,
  PRIMARY KEY (dossier, member)
);
)sql";

// Identity (sql_identity_repository.cc): secrets are kept only as hashes.
const char kIdentityTablesPostgres[] = R"sql(
CREATE TABLE users (
  name          TEXT PRIMARY KEY,
  username      TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  role          TEXT NOT NULL,
  producer      TEXT NOT NULL,
  province_code TEXT NOT NULL,
  printer       TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled      INTEGER NOT NULL DEFAULT 0,
  failed_logins INTEGER NOT NULL DEFAULT 0,
  locked_until_unix_micros BIGINT NOT NULL DEFAULT 0,
  create_unix_micros BIGINT NOT NULL
);
CREATE TABLE credentials (
  name          TEXT PRIMARY KEY,
  "user"        TEXT NOT NULL REFERENCES users(name),
  secret_sha256 TEXT NOT NULL,
  display_name  TEXT NOT NULL,
  expire_unix_micros BIGINT NOT NULL,
  revoked_reason TEXT NOT NULL DEFAULT '',
  revoked_by    TEXT NOT NULL DEFAULT '',
  create_unix_micros BIGINT NOT NULL
);
CREATE INDEX credentials_by_user ON credentials("user");
)sql";

const std::vector<std::string> kPostgresMigrations = {
    std::string(store::kOutboxMigrationPostgres) + store::kIdempotencyMigrationPostgres +
        store::kAuditMigrationPostgres,
    kRegistryTablesPostgres,
    kEvaluationTablesPostgres,
    kIdentityTablesPostgres,
    kFormerUnitsMigration,
    kTargetBoundsMigration,
    kWorkforceAndValueChainMigration,
    kSalesPointsMigration,
    kRenewalsMigration,
    kProductIdeasMigration,
    kProductCategoryMigration,
};

}  // namespace

const store::Schema& RegistrySchema() {
  static const store::Schema* schema = new store::Schema{kSqliteMigrations, kPostgresMigrations};
  return *schema;
}

}  // namespace ocop::registry
