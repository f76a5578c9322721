#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/registry/sql_registry_internal.h"
#include "services/registry/sql_registry_store.h"

namespace ocop::registry {
namespace {

constexpr char kSalesPointColumns[] =
    "name, display_name, kind, tier, street, commune_code, commune_name, district_name, province_code, "
    "province_name, units_version, current_province_code, current_commune_code, operator_name, producer, "
    "opened_date, closed_date, update_unix_micros";

SalesPoint ReadSalesPoint(const store::Statement& row) {
  SalesPoint point;
  point.name = row.ColumnText(0);
  point.display_name = row.ColumnText(1);
  point.kind = static_cast<SalesPointKind>(row.ColumnInt(2));
  point.tier = static_cast<SalesPointTier>(row.ColumnInt(3));
  point.address.street = row.ColumnText(4);
  point.address.commune_code = row.ColumnText(5);
  point.address.commune_name = row.ColumnText(6);
  point.address.district_name = row.ColumnText(7);
  point.address.province_code = row.ColumnText(8);
  point.address.province_name = row.ColumnText(9);
  point.address.units_version = row.ColumnText(10);
  point.address.current_province_code = row.ColumnText(11);
  point.address.current_commune_code = row.ColumnText(12);
  point.operator_name = row.ColumnText(13);
  point.producer = row.ColumnText(14);
  point.opened_date = row.ColumnText(15);
  point.closed_date = row.ColumnText(16);
  point.update_time = absl::FromUnixMicros(row.ColumnInt(17));
  return point;
}

// Fills the upgrade days of `point`, in date order.
absl::Status ReadUpgrades(store::Connection& connection, SalesPoint& point) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare("SELECT upgrade_date FROM sales_point_upgrades WHERE sales_point = ? "
                                           "ORDER BY upgrade_date"));
  select.Bind(1, point.name);
  for (;;) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return absl::OkStatus();
    point.upgrade_dates.push_back(select.ColumnText(0));
  }
}

}  // namespace

absl::StatusOr<SalesPoint> SqlSalesPointRepository::SaveSalesPoint(const SalesPoint& point) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement upsert,
        connection.Prepare(absl::StrCat(
            "INSERT INTO sales_points(", kSalesPointColumns,
            ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18) "
            "ON CONFLICT(name) DO UPDATE SET display_name = ?2, kind = ?3, tier = ?4, street = ?5, "
            "commune_code = ?6, commune_name = ?7, district_name = ?8, province_code = ?9, province_name = ?10, "
            "units_version = ?11, current_province_code = ?12, current_commune_code = ?13, operator_name = ?14, "
            "producer = ?15, opened_date = ?16, closed_date = ?17, update_unix_micros = ?18")));
    const Address& address = point.address;
    upsert.Bind(1, point.name)
        .Bind(2, point.display_name)
        .Bind(3, static_cast<int64_t>(point.kind))
        .Bind(4, static_cast<int64_t>(point.tier))
        .Bind(5, address.street)
        .Bind(6, address.commune_code)
        .Bind(7, address.commune_name)
        .Bind(8, address.district_name)
        .Bind(9, address.province_code)
        .Bind(10, address.province_name)
        .Bind(11, address.units_version)
        .Bind(12, address.current_province_code)
        .Bind(13, address.current_commune_code)
        .Bind(14, point.operator_name)
        .Bind(15, point.producer)
        .Bind(16, point.opened_date)
        .Bind(17, point.closed_date)
        .Bind(18, absl::ToUnixMicros(point.update_time));
    OCOP_RETURN_IF_ERROR(upsert.Run());
    OCOP_ASSIGN_OR_RETURN(store::Statement forget,
                          connection.Prepare("DELETE FROM sales_point_upgrades WHERE sales_point = ?"));
    forget.Bind(1, point.name);
    OCOP_RETURN_IF_ERROR(forget.Run());
    OCOP_ASSIGN_OR_RETURN(store::Statement upgrade,
                          connection.Prepare("INSERT INTO sales_point_upgrades(sales_point, upgrade_date) VALUES(?, ?)"));
    for (const std::string& day : point.upgrade_dates) {
      upgrade.Bind(1, point.name).Bind(2, day);
      OCOP_RETURN_IF_ERROR(upgrade.Run());
      upgrade.Reset();
    }
    return sql_internal::RefreshFormerUnits(connection, "sales_points", point.name);
  }));
  return GetSalesPoint(point.name);
}

absl::StatusOr<SalesPoint> SqlSalesPointRepository::GetSalesPoint(const std::string& name) {
  SalesPoint point;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat("SELECT ", kSalesPointColumns,
                                                          " FROM sales_points WHERE name = ?")));
    select.Bind(1, name);
    OCOP_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("sales point ", name, " not found"));
    point = ReadSalesPoint(select);
    return ReadUpgrades(connection, point);
  }));
  return point;
}

absl::StatusOr<Page<SalesPoint>> SqlSalesPointRepository::ListSalesPoints(const SalesPointFilter& filter,
                                                                         int64_t offset, int limit) {
  Page<SalesPoint> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT ", kSalesPointColumns,
                                        " FROM sales_points WHERE (?1 = '' OR current_province_code = ?1)",
                                        filter.include_closed ? "" : " AND closed_date = ''",
                                        " ORDER BY name LIMIT ?2 OFFSET ?3")));
    select.Bind(1, filter.province_code).Bind(2, static_cast<int64_t>(limit) + 1).Bind(3, offset);
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_position = offset + limit;
        break;
      }
      page.items.push_back(ReadSalesPoint(select));
    }
    for (SalesPoint& point : page.items) OCOP_RETURN_IF_ERROR(ReadUpgrades(connection, point));
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace ocop::registry
