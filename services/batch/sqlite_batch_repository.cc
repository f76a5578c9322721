#include "services/batch/sqlite_batch_repository.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace ocop::batch {
namespace {

// Append-only: never edit a migration that has shipped; add a new one.
const std::vector<std::string>& Migrations() {
  static const auto* migrations = new std::vector<std::string>{
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
  };
  return *migrations;
}

constexpr char kBatchColumns[] =
    "position, name, product, producer, lot_code, harvest_date, quantity, unit, growing_area_code, "
    "event_count, create_unix_micros, generation, package_count";

Batch ReadBatch(const store::Statement& row) {
  Batch batch;
  batch.name = row.ColumnText(1);
  batch.product = row.ColumnText(2);
  batch.producer = row.ColumnText(3);
  batch.lot_code = row.ColumnText(4);
  batch.harvest_date = row.ColumnText(5);
  batch.quantity = row.ColumnDouble(6);
  batch.unit = row.ColumnText(7);
  batch.growing_area_code = row.ColumnText(8);
  batch.event_count = row.ColumnInt(9);
  batch.create_time = absl::FromUnixMicros(row.ColumnInt(10));
  batch.package_count = row.ColumnInt(12);
  return batch;
}

// The batch and its generation, read inside a transaction.
absl::StatusOr<std::pair<Batch, int64_t>> SelectBatch(store::Connection& connection, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kBatchColumns, " FROM batches WHERE name = ?")));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("batch ", name, " not found"));
  return std::make_pair(ReadBatch(select), select.ColumnInt(11));
}

std::string EventName(const std::string& batch, int64_t sequence) {
  return absl::StrCat(batch, "/events/", sequence);
}

absl::StatusOr<std::vector<BatchEvent>> SelectEvents(store::Connection& connection, const std::string& batch,
                                                     int64_t after_sequence, int limit) {
  OCOP_ASSIGN_OR_RETURN(
      store::Statement select,
      connection.Prepare("SELECT sequence, type, biz_step, event_unix_micros, zone_offset, record_unix_micros, "
                         "location_name, commune_code, latitude, longitude, gln, disposition, recorded_by "
                         "FROM events WHERE batch = ? AND sequence > ? ORDER BY sequence LIMIT ?"));
  select.Bind(1, batch).Bind(2, after_sequence).Bind(3, static_cast<int64_t>(limit));
  std::vector<BatchEvent> events;
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    BatchEvent event;
    event.batch = batch;
    event.sequence = select.ColumnInt(0);
    event.name = EventName(batch, event.sequence);
    event.type = static_cast<EventType>(select.ColumnInt(1));
    event.biz_step = select.ColumnText(2);
    event.event_time = absl::FromUnixMicros(select.ColumnInt(3));
    event.event_time_zone_offset = select.ColumnText(4);
    event.record_time = absl::FromUnixMicros(select.ColumnInt(5));
    event.location.display_name = select.ColumnText(6);
    event.location.commune_code = select.ColumnText(7);
    if (!select.ColumnIsNull(8)) event.location.geo = GeoPoint{select.ColumnDouble(8), select.ColumnDouble(9)};
    event.location.gln = select.ColumnText(10);
    event.disposition = select.ColumnText(11);
    event.recorded_by = select.ColumnText(12);
    events.push_back(std::move(event));
  }
  OCOP_ASSIGN_OR_RETURN(store::Statement details,
                        connection.Prepare("SELECT key, value FROM event_details WHERE batch = ? AND sequence = ? "
                                           "ORDER BY key"));
  for (BatchEvent& event : events) {
    details.Bind(1, batch).Bind(2, event.sequence);
    while (true) {
      OCOP_ASSIGN_OR_RETURN(bool row, details.Step());
      if (!row) break;
      event.details.emplace_back(details.ColumnText(0), details.ColumnText(1));
    }
    details.Reset();
  }
  return events;
}

absl::Status InsertEvent(store::Connection& connection, const BatchEvent& event) {
  OCOP_ASSIGN_OR_RETURN(
      store::Statement insert,
      connection.Prepare("INSERT INTO events(batch, sequence, type, biz_step, event_unix_micros, zone_offset, "
                         "record_unix_micros, location_name, commune_code, latitude, longitude, gln, "
                         "disposition, recorded_by) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, event.batch).Bind(2, event.sequence).Bind(3, static_cast<int64_t>(event.type))
      .Bind(4, event.biz_step).Bind(5, absl::ToUnixMicros(event.event_time)).Bind(6, event.event_time_zone_offset)
      .Bind(7, absl::ToUnixMicros(event.record_time)).Bind(8, event.location.display_name)
      .Bind(9, event.location.commune_code).Bind(12, event.location.gln).Bind(13, event.disposition)
      .Bind(14, event.recorded_by);
  if (event.location.geo.has_value()) {
    insert.Bind(10, event.location.geo->latitude).Bind(11, event.location.geo->longitude);
  } else {
    insert.BindNull(10).BindNull(11);
  }
  OCOP_RETURN_IF_ERROR(insert.Run());
  for (const auto& [key, value] : event.details) {
    OCOP_ASSIGN_OR_RETURN(store::Statement detail,
                          connection.Prepare("INSERT INTO event_details(batch, sequence, key, value) "
                                             "VALUES(?, ?, ?, ?)"));
    detail.Bind(1, event.batch).Bind(2, event.sequence).Bind(3, key).Bind(4, value);
    OCOP_RETURN_IF_ERROR(detail.Run());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteBatchRepository>> SqliteBatchRepository::Open(const std::string& path) {
  OCOP_ASSIGN_OR_RETURN(std::unique_ptr<store::Database> database, store::Database::Open(path, Migrations()));
  return std::unique_ptr<SqliteBatchRepository>(new SqliteBatchRepository(std::move(database)));
}

absl::StatusOr<Batch> SqliteBatchRepository::CreateBatch(const Batch& batch, const store::IdempotencyKey& key) {
  absl::StatusOr<store::CreateOnceResult> result = store::CreateOnce(
      *database_, key, batch.name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(
            store::Statement insert,
            connection.Prepare("INSERT INTO batches(name, product, producer, lot_code, harvest_date, quantity, "
                               "unit, growing_area_code, create_unix_micros, package_count) "
                               "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        insert.Bind(1, batch.name).Bind(2, batch.product).Bind(3, batch.producer).Bind(4, batch.lot_code)
            .Bind(5, batch.harvest_date).Bind(6, batch.quantity).Bind(7, batch.unit)
            .Bind(8, batch.growing_area_code).Bind(9, absl::ToUnixMicros(batch.create_time))
            .Bind(10, batch.package_count);
        absl::Status inserted = insert.Run();
        if (absl::IsAlreadyExists(inserted)) {
          return absl::AlreadyExistsError(absl::StrCat("batch.lot_code: lot '", batch.lot_code,
                                                       "' already exists for ", batch.product));
        }
        OCOP_RETURN_IF_ERROR(inserted);
        return store::AppendChange(connection, "batch", batch.name, 1, batch.create_time).status();
      });
  OCOP_RETURN_IF_ERROR(result.status());
  if (result->created) notifier_.Notify();
  return GetBatch(result->name);
}

absl::StatusOr<Batch> SqliteBatchRepository::GetBatch(const std::string& name) {
  Batch batch;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(auto found, SelectBatch(connection, name));
    batch = std::move(found.first);
    return absl::OkStatus();
  }));
  return batch;
}

absl::StatusOr<Page<Batch>> SqliteBatchRepository::ListBatches(const BatchFilter& filter, int64_t after_position,
                                                               int limit) {
  Page<Batch> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT ", kBatchColumns, " FROM batches WHERE position > ?1 "
                                        "AND (?2 = '' OR product = ?2) AND (?3 = '' OR producer = ?3) "
                                        "ORDER BY position LIMIT ?4")));
    select.Bind(1, after_position).Bind(2, filter.product).Bind(3, filter.producer)
        .Bind(4, static_cast<int64_t>(limit + 1));
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<Batch>(select, limit, ReadBatch));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<BatchEvent> SqliteBatchRepository::AppendEvent(const BatchEvent& event,
                                                              const store::IdempotencyKey& key) {
  BatchEvent stored = event;
  // The name is only known inside the transaction (next sequence), so CreateOnce gets it late:
  // the idempotency row is written by the insert callback itself.
  std::string created_name;
  bool created = false;
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(std::optional<std::string> earlier, store::FindIdempotentResult(connection, key));
    if (earlier.has_value()) {
      created_name = *earlier;
      return absl::OkStatus();
    }
    absl::StatusOr<std::pair<Batch, int64_t>> batch = SelectBatch(connection, event.batch);
    if (absl::IsNotFound(batch.status())) {
      return absl::NotFoundError(absl::StrCat("parent: ", event.batch, " not found"));
    }
    OCOP_RETURN_IF_ERROR(batch.status());
    stored.sequence = batch->first.event_count + 1;
    stored.name = EventName(event.batch, stored.sequence);
    OCOP_RETURN_IF_ERROR(InsertEvent(connection, stored));
    int64_t generation = batch->second + 1;
    OCOP_ASSIGN_OR_RETURN(store::Statement update,
                          connection.Prepare("UPDATE batches SET event_count = ?, generation = ? WHERE name = ?"));
    update.Bind(1, stored.sequence).Bind(2, generation).Bind(3, event.batch);
    OCOP_RETURN_IF_ERROR(update.Run());
    OCOP_RETURN_IF_ERROR(store::AppendChange(connection, "batch", event.batch, generation, event.record_time).status());
    OCOP_RETURN_IF_ERROR(store::RememberIdempotentResult(connection, key, stored.name));
    created_name = stored.name;
    created = true;
    return absl::OkStatus();
  }));
  if (created) {
    notifier_.Notify();
    return stored;
  }
  // A retry: return the event the first request stored.
  std::string batch_name = created_name.substr(0, created_name.find("/events/"));
  int64_t sequence = std::stoll(created_name.substr(created_name.rfind('/') + 1));
  OCOP_ASSIGN_OR_RETURN(Page<BatchEvent> page, ListEvents(batch_name, sequence - 1, 1));
  if (page.items.empty()) return absl::InternalError(absl::StrCat("event ", created_name, " vanished"));
  return page.items.front();
}

absl::StatusOr<Page<BatchEvent>> SqliteBatchRepository::ListEvents(const std::string& batch, int64_t after_sequence,
                                                                   int limit) {
  Page<BatchEvent> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(page.items, SelectEvents(connection, batch, after_sequence, limit + 1));
    return absl::OkStatus();
  }));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_position = page.items.back().sequence;
  }
  return page;
}

}  // namespace ocop::batch
