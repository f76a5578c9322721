// SqlUnitRepository: the official unit tables and the mapping of old units to today's.
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/registry/sql_registry_internal.h"
#include "services/registry/sql_registry_store.h"

namespace ocop::registry {

absl::Status SqlUnitRepository::LoadAdminUnits(const AdminUnitTables& tables) {
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
    OCOP_RETURN_IF_ERROR(save.Run());
    OCOP_RETURN_IF_ERROR(sql_internal::RefreshFormerUnits(connection, "producers", ""));
    OCOP_RETURN_IF_ERROR(sql_internal::RefreshFormerUnits(connection, "sales_points", ""));
    return sql_internal::RefreshFormerUnits(connection, "product_ideas", "");
  });
}

absl::StatusOr<UnitResolution> SqlUnitRepository::ResolveUnits(const std::string& version,
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

absl::StatusOr<std::optional<UnitRecord>> SqlUnitRepository::FindUnit(const std::string& version, UnitLevel level,
                                                                     const std::string& code) {
  std::optional<UnitRecord> unit;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare("SELECT name, parent_code, district_code FROM admin_units "
                                             "WHERE version = ? AND level = ? AND code = ?"));
    select.Bind(1, version).Bind(2, static_cast<int64_t>(level)).Bind(3, code);
    OCOP_ASSIGN_OR_RETURN(bool found, select.Step());
    if (found) unit = UnitRecord{select.ColumnText(0), select.ColumnText(1), select.ColumnText(2)};
    return absl::OkStatus();
  }));
  return unit;
}

absl::StatusOr<std::string> SqlUnitRepository::ProvinceToday(const std::string& old_province_code) {
  std::string today;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare("SELECT new_province_code FROM province_successors "
                                             "WHERE old_province_code = ?"));
    select.Bind(1, old_province_code);
    OCOP_ASSIGN_OR_RETURN(bool found, select.Step());
    if (found) today = select.ColumnText(0);
    return absl::OkStatus();
  }));
  return today;
}

}  // namespace ocop::registry
