#include "services/registry/sql_registry_repository.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "common/text/vietnamese.h"
#include "services/registry/registry_schema.h"
#include "services/registry/sql_registry_internal.h"

namespace ocop::registry {
namespace {

// Producers with the names of the units they belong to today.
constexpr char kProducerSelect[] =
    "SELECT p.position, p.name, p.display_name, p.kind, p.street, p.commune_code, p.commune_name, "
    "p.district_name, p.province_code, p.province_name, p.phone, p.create_unix_micros, p.units_version, "
    "p.current_province_code, COALESCE(cp.name, ''), p.current_commune_code, COALESCE(cc.name, ''), "
    "p.tax_code, p.external_id, p.representative_name, p.representative_gender, "
    "p.representative_ethnic_minority, p.representative_ethnicity, p.has_location, p.latitude, "
    "p.longitude, p.sales_channels, p.generation, p.update_unix_micros "
    "FROM producers p "
    "LEFT JOIN admin_units cp ON cp.version = '2025-07-01' AND cp.level = 1 AND cp.code = p.current_province_code "
    "LEFT JOIN admin_units cc ON cc.version = '2025-07-01' AND cc.level = 3 AND cc.code = p.current_commune_code ";

int64_t ChannelBits(const std::vector<SalesChannel>& channels) {
  int64_t bits = 0;
  for (SalesChannel channel : channels) bits |= int64_t{1} << static_cast<int>(channel);
  return bits;
}

std::vector<SalesChannel> ChannelsFromBits(int64_t bits) {
  std::vector<SalesChannel> channels;
  for (int channel = 1; channel <= kMaxSalesChannel; ++channel) {
    if (bits & (int64_t{1} << channel)) channels.push_back(static_cast<SalesChannel>(channel));
  }
  return channels;
}

// What search matches: the name, the office's reference, the tax code and the representative.
std::string SearchText(const Producer& producer) {
  return text::FoldForSearch(absl::StrCat(producer.display_name, " ", producer.external_id, " ",
                                          producer.tax_code, " ", producer.representative.full_name));
}

Producer ReadProducer(const store::Statement& row) {
  Producer producer;
  producer.name = row.ColumnText(1);
  producer.display_name = row.ColumnText(2);
  producer.kind = static_cast<ProducerKind>(row.ColumnInt(3));
  Address& address = producer.address;
  address.street = row.ColumnText(4);
  address.commune_code = row.ColumnText(5);
  address.commune_name = row.ColumnText(6);
  address.district_name = row.ColumnText(7);
  address.province_code = row.ColumnText(8);
  address.province_name = row.ColumnText(9);
  producer.phone = row.ColumnText(10);
  producer.create_time = absl::FromUnixMicros(row.ColumnInt(11));
  address.units_version = row.ColumnText(12);
  address.current_province_code = row.ColumnText(13);
  address.current_province_name = row.ColumnText(14);
  address.current_commune_code = row.ColumnText(15);
  address.current_commune_name = row.ColumnText(16);
  producer.tax_code = row.ColumnText(17);
  producer.external_id = row.ColumnText(18);
  producer.representative.full_name = row.ColumnText(19);
  producer.representative.gender = static_cast<Gender>(row.ColumnInt(20));
  producer.representative.ethnic_minority = row.ColumnInt(21) != 0;
  producer.representative.ethnicity = row.ColumnText(22);
  if (row.ColumnInt(23) != 0) producer.location = GeoPoint{row.ColumnDouble(24), row.ColumnDouble(25)};
  producer.sales_channels = ChannelsFromBits(row.ColumnInt(26));
  producer.generation = row.ColumnInt(27);
  producer.update_time = absl::FromUnixMicros(row.ColumnInt(28));
  return producer;
}

// Binds every stored producer column except name and position, from index `first` on; returns the
// next free index. Keeps INSERT and UPDATE in step.
constexpr char kProducerValueColumns[] =
    "display_name, kind, street, commune_code, commune_name, district_name, province_code, province_name, "
    "phone, units_version, current_province_code, current_commune_code, tax_code, external_id, "
    "representative_name, representative_gender, representative_ethnic_minority, representative_ethnicity, "
    "has_location, latitude, longitude, sales_channels, search_folded, generation, update_unix_micros";
constexpr int kProducerValueCount = 25;

void BindProducerValues(store::Statement& statement, int first, const Producer& producer) {
  const Address& a = producer.address;
  const Representative& r = producer.representative;
  int i = first;
  auto bind = [&](auto value) { statement.Bind(i++, value); };
  bind(std::string_view(producer.display_name));
  bind(static_cast<int64_t>(producer.kind));
  for (const std::string* text : {&a.street, &a.commune_code, &a.commune_name, &a.district_name, &a.province_code,
                                  &a.province_name, &producer.phone, &a.units_version, &a.current_province_code,
                                  &a.current_commune_code, &producer.tax_code, &producer.external_id,
                                  &r.full_name}) {
    bind(std::string_view(*text));
  }
  bind(static_cast<int64_t>(r.gender));
  bind(int64_t{r.ethnic_minority ? 1 : 0});
  bind(std::string_view(r.ethnicity));
  bind(int64_t{producer.location.has_value() ? 1 : 0});
  bind(producer.location ? producer.location->latitude : 0.0);
  bind(producer.location ? producer.location->longitude : 0.0);
  bind(ChannelBits(producer.sales_channels));
  bind(std::string_view(SearchText(producer)));
  bind(producer.generation);
  bind(absl::ToUnixMicros(producer.update_time));
}

// ALREADY_EXISTS naming the field when another producer holds `producer`'s external id or tax code.
// Lookups by these columns repeat "column != ''": without it SQLite cannot use the partial unique
// index and scans the table (an import of 50,000 rows went quadratic).
absl::Status CheckProducerUnique(store::Connection& connection, const Producer& producer) {
  struct Unique {
    const char* column;
    const char* field;
    const std::string& value;
  };
  for (const Unique& unique : {Unique{"external_id", "producer.external_id", producer.external_id},
                               Unique{"tax_code", "producer.tax_code", producer.tax_code}}) {
    if (unique.value.empty()) continue;
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat("SELECT name FROM producers WHERE ", unique.column, " = ? AND ",
                                                          unique.column, " != '' AND name != ?")));
    select.Bind(1, unique.value).Bind(2, producer.name);
    OCOP_ASSIGN_OR_RETURN(bool taken, select.Step());
    if (taken) {
      return absl::AlreadyExistsError(absl::StrCat(unique.field, ": ", unique.value, " already belongs to ",
                                                   select.ColumnText(0)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Producer> SelectProducer(store::Connection& connection, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat(kProducerSelect, "WHERE p.name = ?")));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("producer ", name, " not found"));
  return ReadProducer(select);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqlRegistryRepository>> SqlRegistryRepository::Open(
    const std::string& location, const store::StoreOptions& options) {
  OCOP_ASSIGN_OR_RETURN(std::unique_ptr<store::Database> database,
                        store::Database::Open(location, RegistrySchema(), options));
  database->EnableAudit();
  // Producers stored before search existed get their folded text (folding needs ICU, not SQL).
  OCOP_RETURN_IF_ERROR(database->Transact([](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat(kProducerSelect, "WHERE p.search_folded = ''")));
    std::vector<std::pair<int64_t, std::string>> updates;
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      updates.emplace_back(select.ColumnInt(0), SearchText(ReadProducer(select)));
    }
    OCOP_ASSIGN_OR_RETURN(store::Statement update,
                          connection.Prepare("UPDATE producers SET search_folded = ? WHERE position = ?"));
    for (const auto& [position, folded] : updates) {
      update.Bind(1, folded).Bind(2, position);
      OCOP_RETURN_IF_ERROR(update.Run());
      update.Reset();
    }
    return sql_internal::BackfillProductSearch(connection);
  }));
  std::unique_ptr<SqlRegistryRepository> repository(new SqlRegistryRepository(std::move(database)));
  repository->database_->ListenForChanges(&repository->notifier_);
  return repository;
}

absl::Status SqlRegistryRepository::LoadAdminUnits(const AdminUnitTables& tables) {
  return database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement digest,
                          connection.Prepare("SELECT value FROM registry_meta WHERE key = 'admin_units_digest'"));
    OCOP_ASSIGN_OR_RETURN(bool loaded, digest.Step());
    if (loaded && digest.ColumnText(0) == tables.source_digest) return absl::OkStatus();
    OCOP_RETURN_IF_ERROR(connection.Execute(
        "DELETE FROM admin_units; DELETE FROM commune_successors; DELETE FROM province_successors;"));
    OCOP_ASSIGN_OR_RETURN(store::Statement unit,
                          connection.Prepare("INSERT INTO admin_units(version, level, code, name, parent_code, "
                                             "district_code) VALUES(?, ?, ?, ?, ?, ?)"));
    for (const AdminUnit& u : tables.units) {
      unit.Bind(1, u.version).Bind(2, static_cast<int64_t>(u.level)).Bind(3, u.code).Bind(4, u.name)
          .Bind(5, u.parent_code).Bind(6, u.district_code);
      OCOP_RETURN_IF_ERROR(unit.Run());
      unit.Reset();
    }
    OCOP_ASSIGN_OR_RETURN(store::Statement commune,
                          connection.Prepare("INSERT INTO commune_successors(old_commune_code, new_commune_code, "
                                             "new_province_code, whole) VALUES(?, ?, ?, ?) ON CONFLICT DO NOTHING"));
    for (const CommuneSuccessor& c : tables.commune_successors) {
      commune.Bind(1, c.old_commune_code).Bind(2, c.new_commune_code).Bind(3, c.new_province_code)
          .Bind(4, static_cast<int64_t>(c.whole ? 1 : 0));
      OCOP_RETURN_IF_ERROR(commune.Run());
      commune.Reset();
    }
    OCOP_ASSIGN_OR_RETURN(store::Statement province,
                          connection.Prepare("INSERT INTO province_successors(old_province_code, "
                                             "new_province_code) VALUES(?, ?)"));
    for (const ProvinceSuccessor& p : tables.province_successors) {
      province.Bind(1, p.old_province_code).Bind(2, p.new_province_code);
      OCOP_RETURN_IF_ERROR(province.Run());
      province.Reset();
    }
    OCOP_ASSIGN_OR_RETURN(store::Statement save,
                          connection.Prepare("INSERT INTO registry_meta(key, value) VALUES('admin_units_digest', ?1) "
                                             "ON CONFLICT(key) DO UPDATE SET value = ?1"));
    save.Bind(1, tables.source_digest);
    return save.Run();
  });
}

absl::StatusOr<UnitResolution> SqlRegistryRepository::ResolveUnits(const std::string& version,
                                                                      const std::string& province_code,
                                                                      const std::string& commune_code) {
  UnitResolution resolution;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement unit,
                          connection.Prepare("SELECT name, parent_code, district_code FROM admin_units "
                                             "WHERE version = ? AND level = ? AND code = ?"));
    unit.Bind(1, version).Bind(2, static_cast<int64_t>(UnitLevel::kProvince)).Bind(3, province_code);
    OCOP_ASSIGN_OR_RETURN(resolution.province_found, unit.Step());
    if (resolution.province_found) resolution.province_name = unit.ColumnText(0);
    unit.Reset();
    unit.Bind(1, version).Bind(2, static_cast<int64_t>(UnitLevel::kCommune)).Bind(3, commune_code);
    OCOP_ASSIGN_OR_RETURN(resolution.commune_found, unit.Step());
    if (resolution.commune_found) {
      resolution.commune_name = unit.ColumnText(0);
      resolution.commune_province_code = unit.ColumnText(1);
      std::string district_code = unit.ColumnText(2);
      unit.Reset();
      if (!district_code.empty()) {
        unit.Bind(1, version).Bind(2, static_cast<int64_t>(UnitLevel::kDistrict)).Bind(3, district_code);
        OCOP_ASSIGN_OR_RETURN(bool district_found, unit.Step());
        if (district_found) resolution.district_name = unit.ColumnText(0);
      }
    }
    if (version == kUnitsCurrent) {
      resolution.current_province_code = province_code;
      resolution.current_commune_code = commune_code;
      return absl::OkStatus();
    }
    // An old commune split between new ones belongs to the one that took it whole, else to the one
    // that kept its code, else to the lowest code (docs/registry.md).
    OCOP_ASSIGN_OR_RETURN(
        store::Statement successor,
        connection.Prepare("SELECT new_commune_code, new_province_code FROM commune_successors "
                           "WHERE old_commune_code = ?1 "
                           "ORDER BY whole DESC, new_commune_code = ?1 DESC, new_commune_code LIMIT 1"));
    successor.Bind(1, commune_code);
    OCOP_ASSIGN_OR_RETURN(bool has_successor, successor.Step());
    if (has_successor) {
      resolution.current_commune_code = successor.ColumnText(0);
      resolution.current_province_code = successor.ColumnText(1);
      return absl::OkStatus();
    }
    OCOP_ASSIGN_OR_RETURN(store::Statement province,
                          connection.Prepare("SELECT new_province_code FROM province_successors "
                                             "WHERE old_province_code = ?"));
    province.Bind(1, province_code);
    OCOP_ASSIGN_OR_RETURN(bool has_province, province.Step());
    if (has_province) resolution.current_province_code = province.ColumnText(0);
    return absl::OkStatus();
  }));
  return resolution;
}

namespace sql_internal {

absl::Status InsertProducerRow(store::Connection& connection, const Producer& producer) {
  OCOP_RETURN_IF_ERROR(CheckProducerUnique(connection, producer));
  OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                        connection.Prepare(absl::StrCat("INSERT INTO producers(name, create_unix_micros, ",
                                                        kProducerValueColumns, ") VALUES(",
                                                        Placeholders(kProducerValueCount + 2), ")")));
  insert.Bind(1, producer.name).Bind(2, absl::ToUnixMicros(producer.create_time));
  BindProducerValues(insert, 3, producer);
  OCOP_RETURN_IF_ERROR(insert.Run());
  return store::AppendChange(connection, "producer", producer.name, producer.generation, producer.create_time)
      .status();
}

absl::Status UpdateProducerRow(store::Connection& connection, const Producer& producer, int64_t expected_generation) {
  OCOP_RETURN_IF_ERROR(CheckProducerUnique(connection, producer));
  OCOP_ASSIGN_OR_RETURN(store::Statement update,
                        connection.Prepare(absl::StrCat("UPDATE producers SET ", Assignments(kProducerValueColumns),
                                                        " WHERE name = ? AND generation = ?")));
  BindProducerValues(update, 1, producer);
  update.Bind(kProducerValueCount + 1, producer.name).Bind(kProducerValueCount + 2, expected_generation);
  OCOP_RETURN_IF_ERROR(update.Run());
  if (connection.Changes() == 0) {
    return absl::AbortedError(absl::StrCat("producer.etag: ", producer.name,
                                           " changed since it was read; read it again and retry"));
  }
  return store::AppendChange(connection, "producer", producer.name, producer.generation, producer.update_time)
      .status();
}

absl::StatusOr<std::optional<Producer>> FindProducerByExternalId(store::Connection& connection,
                                                                 const std::string& external_id) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat(kProducerSelect, "WHERE p.external_id = ? AND p.external_id != ''")));
  select.Bind(1, external_id);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return std::optional<Producer>();
  return std::optional<Producer>(ReadProducer(select));
}

}  // namespace sql_internal

absl::StatusOr<Producer> SqlRegistryRepository::CreateProducer(const Producer& producer,
                                                                  const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(store::CreateOnceResult result,
                        store::CreateOnce(*database_, key, producer.name, [&](store::Connection& connection) {
                          return sql_internal::InsertProducerRow(connection, producer);
                        }));
  if (result.created) notifier_.Notify();
  return GetProducer(result.name);
}

absl::StatusOr<Producer> SqlRegistryRepository::UpdateProducer(const Producer& producer,
                                                                  int64_t expected_generation) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) {
    return sql_internal::UpdateProducerRow(connection, producer, expected_generation);
  }));
  notifier_.Notify();
  return GetProducer(producer.name);
}

absl::StatusOr<Producer> SqlRegistryRepository::GetProducer(const std::string& name) {
  Producer producer;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(producer, SelectProducer(connection, name));
    return absl::OkStatus();
  }));
  return producer;
}

absl::StatusOr<Page<Producer>> SqlRegistryRepository::ListProducers(const ProducerFilter& filter,
                                                                       int64_t after_position, int limit) {
  Page<Producer> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    // Empty filter values match everything; the search clause is added only when there are words.
    const std::string match = sql_internal::PrefixMatch(connection.dialect(), filter.folded_query);
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat(
            kProducerSelect, "WHERE p.position > ?1 AND (?2 = '' OR p.current_province_code = ?2) ",
            "AND (?3 = 0 OR p.kind = ?3) AND (?4 = '' OR p.current_commune_code = ?4) ",
            match.empty() ? "AND ?5 = '' "
                          : absl::StrCat("AND ", sql_internal::SearchCondition(connection.dialect(), "producer", "p", 5),
                                         " "),
            "ORDER BY p.position LIMIT ?6")));
    select.Bind(1, after_position).Bind(2, filter.province_code).Bind(3, static_cast<int64_t>(filter.kind))
        .Bind(4, filter.commune_code).Bind(5, match).Bind(6, static_cast<int64_t>(limit + 1));
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<Producer>(select, limit, ReadProducer));
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace ocop::registry
