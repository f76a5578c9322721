#include "services/batch/sql_batch_repository.h"

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/batch/batch_schema.h"
#include "services/batch/sql_batch_internal.h"

namespace ocop::batch {
namespace {

using Json = nlohmann::json;

// Our own JSON columns, as an array (an empty one if the text is not an array).
Json ParseArray(const std::string& text) {
  Json json = Json::parse(text, nullptr, false);
  return json.is_array() ? json : Json::array();
}

Json GeoJson(const GeoPoint& point) { return Json::array({point.latitude, point.longitude}); }

std::string EncodeBoundary(const std::vector<GeoPoint>& boundary) {
  Json json = Json::array();
  for (const GeoPoint& point : boundary) json.push_back(GeoJson(point));
  return json.dump();
}

std::vector<GeoPoint> DecodeBoundary(const std::string& text) {
  std::vector<GeoPoint> boundary;
  for (const Json& point : ParseArray(text)) {
    if (point.is_array() && point.size() == 2) boundary.push_back(GeoPoint{point[0].get<double>(), point[1].get<double>()});
  }
  return boundary;
}

std::string EncodeCertifications(const std::vector<Certification>& certifications) {
  Json json = Json::array();
  for (const Certification& c : certifications) {
    json.push_back({{"scheme", static_cast<int>(c.scheme)}, {"number", c.certificate_number},
                    {"body", c.certifying_body}, {"from", c.valid_from}, {"until", c.valid_until},
                    {"standard", c.standard}});
  }
  return json.dump();
}

std::vector<Certification> DecodeCertifications(const std::string& text) {
  std::vector<Certification> certifications;
  for (const Json& c : ParseArray(text)) {
    if (!c.is_object()) continue;
    certifications.push_back(Certification{static_cast<CertificationScheme>(c.value("scheme", 0)),
                                           c.value("number", ""), c.value("body", ""), c.value("from", ""),
                                           c.value("until", ""), c.value("standard", "")});
  }
  return certifications;
}

constexpr char kBatchColumns[] =
    "b.position, b.name, b.product, b.producer, b.lot_code, b.harvest_date, b.quantity, b.unit, "
    "b.growing_area_code, c.event_count, b.create_unix_micros, b.generation, b.package_count, b.expiry_date, "
    "b.certifications, b.status, b.recall_reason, b.recall_unix_micros, b.recalled_from";
constexpr char kBatchFrom[] = " FROM batches b JOIN chains c ON c.name = b.name ";

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
  batch.expiry_date = row.ColumnText(13);
  batch.certifications = DecodeCertifications(row.ColumnText(14));
  batch.status = static_cast<BatchStatus>(row.ColumnInt(15));
  batch.recall_reason = row.ColumnText(16);
  batch.recall_time = absl::FromUnixMicros(row.ColumnInt(17));
  batch.recalled_from = row.ColumnText(18);
  return batch;
}

absl::StatusOr<std::vector<std::string>> SelectNames(store::Connection& connection, const std::string& sql,
                                                     const std::string& key) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(sql));
  select.Bind(1, key);
  std::vector<std::string> names;
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    names.push_back(select.ColumnText(0));
  }
  return names;
}

// Links and checkpoint, which live in their own tables.
absl::Status FillLot(store::Connection& connection, const CheckpointSigner* signer, Batch& batch) {
  OCOP_ASSIGN_OR_RETURN(batch.parents, SelectNames(connection, "SELECT l.parent FROM lot_links l JOIN batches b "
                                                               "ON b.name = l.parent WHERE l.child = ? "
                                                               "ORDER BY b.position", batch.name));
  OCOP_ASSIGN_OR_RETURN(batch.children, SelectNames(connection, "SELECT l.child FROM lot_links l JOIN batches b "
                                                                "ON b.name = l.child WHERE l.parent = ? "
                                                                "ORDER BY b.position", batch.name));
  OCOP_ASSIGN_OR_RETURN(batch.source_seasons, SelectNames(connection, "SELECT season FROM season_lots WHERE lot = ? "
                                                                      "ORDER BY season", batch.name));
  OCOP_ASSIGN_OR_RETURN(sql::ChainHead head, sql::SelectChainHead(connection, signer, batch.name));
  batch.checkpoint = head.checkpoint;
  return absl::OkStatus();
}

constexpr char kAreaColumns[] =
    "position, name, code, producer, commune_code, latitude, longitude, boundary, area_hectares, crop, "
    "create_unix_micros";

GrowingArea ReadArea(const store::Statement& row) {
  GrowingArea area;
  area.name = row.ColumnText(1);
  area.code = row.ColumnText(2);
  area.producer = row.ColumnText(3);
  area.commune_code = row.ColumnText(4);
  if (!row.ColumnIsNull(5)) area.point = GeoPoint{row.ColumnDouble(5), row.ColumnDouble(6)};
  area.boundary = DecodeBoundary(row.ColumnText(7));
  area.area_hectares = row.ColumnDouble(8);
  area.crop = row.ColumnText(9);
  area.create_time = absl::FromUnixMicros(row.ColumnInt(10));
  return area;
}

constexpr char kSeasonColumns[] =
    "s.position, s.name, s.label, s.start_date, s.end_date, s.create_unix_micros";

Season ReadSeason(const store::Statement& row) {
  Season season;
  season.name = row.ColumnText(1);
  season.label = row.ColumnText(2);
  season.start_date = row.ColumnText(3);
  season.end_date = row.ColumnText(4);
  season.create_time = absl::FromUnixMicros(row.ColumnInt(5));
  return season;
}

// The row `select_from ... WHERE name = name`, read by `read`; NOT_FOUND naming `what` when absent.
template <typename T>
absl::StatusOr<T> SelectByName(store::Connection& connection, const std::string& select_from, const std::string& name,
                               T (*read)(const store::Statement&), absl::string_view what) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(absl::StrCat(select_from, " WHERE name = ?")));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat(what, " ", name, " not found"));
  return read(select);
}

absl::Status FillSeason(store::Connection& connection, const CheckpointSigner* signer, Season& season) {
  OCOP_ASSIGN_OR_RETURN(sql::ChainHead head, sql::SelectChainHead(connection, signer, season.name));
  season.event_count = head.event_count;
  season.checkpoint = head.checkpoint;
  return absl::OkStatus();
}

}  // namespace

namespace sql {

std::string EncodeDetails(const std::vector<std::pair<std::string, std::string>>& details) {
  Json json = Json::object();
  for (const auto& [key, value] : details) json[key] = value;
  return json.dump();
}

std::vector<std::pair<std::string, std::string>> DecodeDetails(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> details;
  Json json = Json::parse(text, nullptr, false);
  if (!json.is_object()) return details;
  // nlohmann's object is a std::map: keys come out sorted, as the canonical encoding wants.
  for (const auto& [key, value] : json.items()) {
    details.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return details;
}

std::string EncodeAttachments(const std::vector<Attachment>& attachments) {
  Json json = Json::array();
  for (const Attachment& a : attachments) json.push_back({{"uri", a.uri}, {"sha256", a.sha256}, {"type", a.media_type}});
  return json.dump();
}

std::vector<Attachment> DecodeAttachments(const std::string& text) {
  std::vector<Attachment> attachments;
  for (const Json& a : ParseArray(text)) {
    if (a.is_object()) attachments.push_back(Attachment{a.value("uri", ""), a.value("sha256", ""), a.value("type", "")});
  }
  return attachments;
}

std::string EncodeQuantities(const std::vector<QuantityElement>& quantities) {
  Json json = Json::array();
  for (const QuantityElement& q : quantities) {
    json.push_back({{"object", q.object}, {"quantity", q.quantity}, {"unit", q.unit}});
  }
  return json.dump();
}

std::vector<QuantityElement> DecodeQuantities(const std::string& text) {
  std::vector<QuantityElement> quantities;
  for (const Json& q : ParseArray(text)) {
    if (q.is_object()) quantities.push_back(QuantityElement{q.value("object", ""), q.value("quantity", 0.0), q.value("unit", "")});
  }
  return quantities;
}

bool IsSeasonName(const std::string& chain) { return absl::StartsWith(chain, "growingAreas/"); }

absl::StatusOr<Season> SelectSeason(store::Connection& connection, const CheckpointSigner* signer,
                                    const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(Season season, SelectByName<Season>(connection, absl::StrCat("SELECT ", kSeasonColumns,
                                                                                      " FROM seasons s"),
                                                            name, ReadSeason, "season"));
  OCOP_RETURN_IF_ERROR(FillSeason(connection, signer, season));
  return season;
}

absl::StatusOr<Batch> SelectBatch(store::Connection& connection, const CheckpointSigner* signer,
                                  const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kBatchColumns, kBatchFrom, "WHERE b.name = ?")));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("batch ", name, " not found"));
  Batch batch = ReadBatch(select);
  OCOP_RETURN_IF_ERROR(FillLot(connection, signer, batch));
  return batch;
}

absl::Status InsertLot(store::Connection& connection, const Batch& batch) {
  OCOP_ASSIGN_OR_RETURN(
      store::Statement insert,
      connection.Prepare("INSERT INTO batches(name, product, producer, lot_code, harvest_date, quantity, unit, "
                         "growing_area_code, create_unix_micros, package_count, expiry_date, certifications) "
                         "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, batch.name).Bind(2, batch.product).Bind(3, batch.producer).Bind(4, batch.lot_code)
      .Bind(5, batch.harvest_date).Bind(6, batch.quantity).Bind(7, batch.unit).Bind(8, batch.growing_area_code)
      .Bind(9, absl::ToUnixMicros(batch.create_time)).Bind(10, batch.package_count).Bind(11, batch.expiry_date)
      .Bind(12, EncodeCertifications(batch.certifications));
  absl::Status inserted = insert.Run();
  if (absl::IsAlreadyExists(inserted)) {
    return absl::AlreadyExistsError(
        absl::StrCat("batch.lot_code: lot '", batch.lot_code, "' already exists for ", batch.product));
  }
  OCOP_RETURN_IF_ERROR(inserted);
  OCOP_ASSIGN_OR_RETURN(store::Statement chain, connection.Prepare("INSERT INTO chains(name) VALUES(?)"));
  chain.Bind(1, batch.name);
  OCOP_RETURN_IF_ERROR(chain.Run());
  for (const std::string& parent : batch.parents) {
    OCOP_ASSIGN_OR_RETURN(store::Statement link, connection.Prepare("INSERT INTO lot_links(parent, child) VALUES(?, ?)"));
    link.Bind(1, parent).Bind(2, batch.name);
    OCOP_RETURN_IF_ERROR(link.Run());
  }
  for (const std::string& season : batch.source_seasons) {
    OCOP_ASSIGN_OR_RETURN(store::Statement link, connection.Prepare("INSERT INTO season_lots(season, lot) VALUES(?, ?)"));
    link.Bind(1, season).Bind(2, batch.name);
    OCOP_RETURN_IF_ERROR(link.Run());
  }
  return store::AppendChange(connection, "batch", batch.name, 1, batch.create_time).status();
}

}  // namespace sql

absl::StatusOr<std::unique_ptr<SqlBatchRepository>> SqlBatchRepository::Open(const std::string& location,
                                                                               const CheckpointSigner* signer,
                                                                               const store::StoreOptions& options) {
  OCOP_ASSIGN_OR_RETURN(std::unique_ptr<store::Database> database, store::Database::Open(location, BatchSchema(), options));
  database->EnableAudit();
  std::unique_ptr<SqlBatchRepository> repository(new SqlBatchRepository(std::move(database), signer));
  OCOP_RETURN_IF_ERROR(repository->HashUnhashedEvents());
  repository->database_->ListenForChanges(&repository->notifier_);
  return repository;
}

absl::StatusOr<GrowingArea> SqlBatchRepository::CreateGrowingArea(const GrowingArea& area,
                                                                     const store::IdempotencyKey& key) {
  absl::StatusOr<store::CreateOnceResult> result = store::CreateOnce(
      *database_, key, area.name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(
            store::Statement insert,
            connection.Prepare("INSERT INTO growing_areas(name, code, producer, commune_code, latitude, longitude, "
                               "boundary, area_hectares, crop, create_unix_micros) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        insert.Bind(1, area.name).Bind(2, area.code).Bind(3, area.producer).Bind(4, area.commune_code)
            .Bind(7, EncodeBoundary(area.boundary)).Bind(8, area.area_hectares).Bind(9, area.crop)
            .Bind(10, absl::ToUnixMicros(area.create_time));
        if (area.point.has_value()) {
          insert.Bind(5, area.point->latitude).Bind(6, area.point->longitude);
        } else {
          insert.BindNull(5).BindNull(6);
        }
        absl::Status inserted = insert.Run();
        if (absl::IsAlreadyExists(inserted)) {
          return absl::AlreadyExistsError(
              absl::StrCat("growing_area.code: area '", area.code, "' is already registered"));
        }
        OCOP_RETURN_IF_ERROR(inserted);
        return store::AppendChange(connection, "growing_area", area.name, 1, area.create_time).status();
      });
  OCOP_RETURN_IF_ERROR(result.status());
  if (result->created) notifier_.Notify();
  return GetGrowingArea(result->name);
}

absl::StatusOr<GrowingArea> SqlBatchRepository::GetGrowingArea(const std::string& name) {
  GrowingArea area;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(area, SelectByName<GrowingArea>(connection, absl::StrCat("SELECT ", kAreaColumns,
                                                                                   " FROM growing_areas"),
                                                          name, ReadArea, "growing area"));
    return absl::OkStatus();
  }));
  return area;
}

absl::StatusOr<Page<GrowingArea>> SqlBatchRepository::ListGrowingAreas(const GrowingAreaFilter& filter,
                                                                          int64_t after_position, int limit) {
  Page<GrowingArea> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat("SELECT ", kAreaColumns, " FROM growing_areas WHERE "
                                                          "position > ?1 AND (?2 = '' OR producer = ?2) "
                                                          "ORDER BY position LIMIT ?3")));
    select.Bind(1, after_position).Bind(2, filter.producer).Bind(3, static_cast<int64_t>(limit + 1));
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<GrowingArea>(select, limit, ReadArea));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<Season> SqlBatchRepository::CreateSeason(const Season& season, const store::IdempotencyKey& key) {
  std::string area = season.name.substr(0, season.name.find("/seasons/"));
  absl::StatusOr<store::CreateOnceResult> result = store::CreateOnce(
      *database_, key, season.name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(store::Statement exists,
                              connection.Prepare("SELECT 1 FROM growing_areas WHERE name = ?"));
        exists.Bind(1, area);
        OCOP_ASSIGN_OR_RETURN(bool found, exists.Step());
        if (!found) return absl::NotFoundError(absl::StrCat("parent: ", area, " not found"));
        OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                              connection.Prepare("INSERT INTO seasons(name, area, label, start_date, end_date, "
                                                 "create_unix_micros) VALUES(?, ?, ?, ?, ?, ?)"));
        insert.Bind(1, season.name).Bind(2, area).Bind(3, season.label).Bind(4, season.start_date)
            .Bind(5, season.end_date).Bind(6, absl::ToUnixMicros(season.create_time));
        absl::Status inserted = insert.Run();
        if (absl::IsAlreadyExists(inserted)) {
          return absl::AlreadyExistsError(
              absl::StrCat("season.label: '", season.label, "' already exists in ", area));
        }
        OCOP_RETURN_IF_ERROR(inserted);
        OCOP_ASSIGN_OR_RETURN(store::Statement chain, connection.Prepare("INSERT INTO chains(name) VALUES(?)"));
        chain.Bind(1, season.name);
        OCOP_RETURN_IF_ERROR(chain.Run());
        return store::AppendChange(connection, "season", season.name, 1, season.create_time).status();
      });
  OCOP_RETURN_IF_ERROR(result.status());
  if (result->created) notifier_.Notify();
  return GetSeason(result->name);
}

absl::StatusOr<Season> SqlBatchRepository::GetSeason(const std::string& name) {
  Season season;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(season, sql::SelectSeason(connection, signer_, name));
    return absl::OkStatus();
  }));
  return season;
}

absl::StatusOr<Page<Season>> SqlBatchRepository::ListSeasons(const std::string& area, int64_t after_position,
                                                                int limit) {
  Page<Season> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat("SELECT ", kSeasonColumns, " FROM seasons s WHERE "
                                                          "area = ? AND position > ? ORDER BY position LIMIT ?")));
    select.Bind(1, area).Bind(2, after_position).Bind(3, static_cast<int64_t>(limit + 1));
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<Season>(select, limit, ReadSeason));
    for (Season& season : page.items) OCOP_RETURN_IF_ERROR(FillSeason(connection, signer_, season));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<std::string> SqlBatchRepository::ApplyLotChange(const LotChange& change,
                                                                  const store::IdempotencyKey& key) {
  std::string result_name;
  bool applied = false;
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(std::optional<std::string> earlier, store::FindIdempotentResult(connection, key));
    if (earlier.has_value()) {
      result_name = *earlier;
      return absl::OkStatus();
    }
    for (const std::string& lot : change.close) {
      absl::StatusOr<Batch> batch = sql::SelectBatch(connection, nullptr, lot);
      if (absl::IsNotFound(batch.status())) return absl::NotFoundError(absl::StrCat(lot, " not found"));
      OCOP_RETURN_IF_ERROR(batch.status());
      if (batch->status != BatchStatus::kOpen) {
        return absl::FailedPreconditionError(absl::StrCat(
            lot, ": is ", batch->status == BatchStatus::kRecalled ? "recalled" : "closed (already split or merged)",
            "; only an open lot can be split or merged"));
      }
      OCOP_ASSIGN_OR_RETURN(store::Statement close,
                            connection.Prepare("UPDATE batches SET status = ? WHERE name = ?"));
      close.Bind(1, static_cast<int64_t>(BatchStatus::kClosed)).Bind(2, lot);
      OCOP_RETURN_IF_ERROR(close.Run());
    }
    for (const Batch& lot : change.new_lots) OCOP_RETURN_IF_ERROR(sql::InsertLot(connection, lot));
    for (const BatchEvent& event : change.events) {
      OCOP_RETURN_IF_ERROR(sql::AppendToChain(connection, event, "", true).status());
    }
    OCOP_RETURN_IF_ERROR(store::RememberIdempotentResult(connection, key, change.result_name));
    result_name = change.result_name;
    applied = true;
    return absl::OkStatus();
  }));
  if (applied) notifier_.Notify();
  return result_name;
}

absl::StatusOr<Batch> SqlBatchRepository::GetBatch(const std::string& name) {
  Batch batch;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(batch, sql::SelectBatch(connection, signer_, name));
    return absl::OkStatus();
  }));
  return batch;
}

absl::StatusOr<Page<Batch>> SqlBatchRepository::ListBatches(const BatchFilter& filter, int64_t after_position,
                                                               int limit) {
  Page<Batch> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT ", kBatchColumns, kBatchFrom, "WHERE b.position > ?1 "
                                        "AND (?2 = '' OR b.product = ?2) AND (?3 = '' OR b.producer = ?3) "
                                        "AND (?5 = '' OR b.lot_code = ?5) ORDER BY b.position LIMIT ?4")));
    select.Bind(1, after_position).Bind(2, filter.product).Bind(3, filter.producer)
        .Bind(4, static_cast<int64_t>(limit + 1)).Bind(5, filter.lot_code);
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<Batch>(select, limit, ReadBatch));
    for (Batch& batch : page.items) OCOP_RETURN_IF_ERROR(FillLot(connection, signer_, batch));
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace ocop::batch
