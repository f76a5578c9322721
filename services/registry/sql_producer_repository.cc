// SqlProducerRepository: producers, their search text and uniqueness checks.
#include "services/registry/sql_registry_store.h"

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
    "p.longitude, p.sales_channels, p.generation, p.update_unix_micros, p.workers, p.trained_workers, "
    "p.green_value_chain, p.raw_material_hectares, p.raw_material_area "
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
  producer.workforce.workers = static_cast<int32_t>(row.ColumnInt(29));
  producer.workforce.trained_workers = static_cast<int32_t>(row.ColumnInt(30));
  producer.value_chain.green_or_circular = row.ColumnInt(31) != 0;
  producer.value_chain.raw_material_hectares = row.ColumnDouble(32);
  producer.value_chain.raw_material_area = row.ColumnText(33);
  return producer;
}

// Binds every stored producer column except name and position, from index `first` on; returns the
// next free index. Keeps INSERT and UPDATE in step.
constexpr char kProducerValueColumns[] =
    "display_name, kind, street, commune_code, commune_name, district_name, province_code, province_name, "
    "phone, units_version, current_province_code, current_commune_code, tax_code, external_id, "
    "representative_name, representative_gender, representative_ethnic_minority, representative_ethnicity, "
    "has_location, latitude, longitude, sales_channels, search_folded, generation, update_unix_micros, "
    "workers, trained_workers, green_value_chain, raw_material_hectares, raw_material_area";
constexpr int kProducerValueCount = 30;

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
  bind(static_cast<int64_t>(producer.workforce.workers));
  bind(static_cast<int64_t>(producer.workforce.trained_workers));
  bind(int64_t{producer.value_chain.green_or_circular ? 1 : 0});
  bind(producer.value_chain.raw_material_hectares);
  bind(std::string_view(producer.value_chain.raw_material_area));
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

// The former (pre-merger) units of the producers or sales points in `table`: those recorded with
// the old table's codes keep them; for those recorded with today's codes they come from the
// conversion table, and are left empty where today's commune was formed from communes of several
// former units (a new commune never spans two former provinces, but some span former districts).
// ?1: a row's name, or '' for all.
std::string RefreshFormerUnitsSql(absl::string_view table) {
  const std::string before = absl::StrCat("'", kUnitsBefore2025Merger, "'");
  // The old communes that went (in whole or in part) into the row's commune.
  const std::string sources = absl::StrCat(
      "FROM commune_successors cs JOIN admin_units o ON o.version = ", before,
      " AND o.level = 3 AND o.code = cs.old_commune_code WHERE cs.new_commune_code = ", table, ".commune_code");
  return absl::StrCat(
      "UPDATE ", table, " SET "
      "former_province_code = CASE WHEN units_version = ", before, " THEN province_code ELSE ",
      "COALESCE((SELECT CASE WHEN COUNT(DISTINCT o.parent_code) = 1 THEN MIN(o.parent_code) ELSE '' END ", sources,
      "), '') END, "
      "former_district_code = CASE WHEN units_version = ", before, " THEN ",
      "COALESCE((SELECT o.district_code FROM admin_units o WHERE o.version = ", before, " AND o.level = 3 AND o.code = ",
      table, ".commune_code), '') ELSE ",
      "COALESCE((SELECT CASE WHEN COUNT(DISTINCT o.district_code) = 1 THEN MIN(o.district_code) ELSE '' END ",
      sources, "), '') END, "
      "former_commune_code = CASE WHEN units_version = ", before, " THEN commune_code ELSE ",
      "COALESCE((SELECT CASE WHEN COUNT(DISTINCT o.code) = 1 THEN MIN(o.code) ELSE '' END ", sources,
      "), '') END "
      "WHERE ?1 = '' OR name = ?1");
}

}  // namespace

namespace sql_internal {

absl::Status RefreshFormerUnits(store::Connection& connection, absl::string_view table, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement update, connection.Prepare(RefreshFormerUnitsSql(table)));
  update.Bind(1, name);
  return update.Run();
}

absl::Status BackfillProducerSearch(store::Connection& connection) {
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
  return absl::OkStatus();
}

absl::Status InsertProducerRow(store::Connection& connection, const Producer& producer) {
  OCOP_RETURN_IF_ERROR(CheckProducerUnique(connection, producer));
  OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                        connection.Prepare(absl::StrCat("INSERT INTO producers(name, create_unix_micros, ",
                                                        kProducerValueColumns, ") VALUES(",
                                                        Placeholders(kProducerValueCount + 2), ")")));
  insert.Bind(1, producer.name).Bind(2, absl::ToUnixMicros(producer.create_time));
  BindProducerValues(insert, 3, producer);
  OCOP_RETURN_IF_ERROR(insert.Run());
  OCOP_RETURN_IF_ERROR(RefreshFormerUnits(connection, "producers", producer.name));
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
  OCOP_RETURN_IF_ERROR(RefreshFormerUnits(connection, "producers", producer.name));
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

absl::StatusOr<Producer> SqlProducerRepository::CreateProducer(const Producer& producer,
                                                                  const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(store::CreateOnceResult result,
                        store::CreateOnce(*database_, key, producer.name, [&](store::Connection& connection) {
                          return sql_internal::InsertProducerRow(connection, producer);
                        }));
  if (result.created) notifier_->Notify();
  return GetProducer(result.name);
}

absl::StatusOr<Producer> SqlProducerRepository::UpdateProducer(const Producer& producer,
                                                                  int64_t expected_generation) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) {
    return sql_internal::UpdateProducerRow(connection, producer, expected_generation);
  }));
  notifier_->Notify();
  return GetProducer(producer.name);
}

absl::StatusOr<Producer> SqlProducerRepository::GetProducer(const std::string& name) {
  Producer producer;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(producer, SelectProducer(connection, name));
    return absl::OkStatus();
  }));
  return producer;
}

absl::StatusOr<Page<Producer>> SqlProducerRepository::ListProducers(const ProducerFilter& filter,
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
