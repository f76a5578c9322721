#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/registry/sql_registry_internal.h"
#include "services/registry/sql_registry_store.h"

namespace ocop::registry {
namespace {

// Ideas with the names of the units they belong to today.
constexpr char kProductIdeaSelect[] =
    "SELECT i.name, i.display_name, i.sector, i.product_group, i.sub_group, i.street, i.commune_code, "
    "i.commune_name, i.district_name, i.province_code, i.province_name, i.units_version, i.current_province_code, "
    "COALESCE(cp.name, ''), i.current_commune_code, COALESCE(cc.name, ''), i.producer, i.proposer_name, "
    "i.registered_date, i.stage, i.update_unix_micros, i.dossier, i.category "
    "FROM product_ideas i "
    "LEFT JOIN admin_units cp ON cp.version = '2025-07-01' AND cp.level = 1 AND cp.code = i.current_province_code "
    "LEFT JOIN admin_units cc ON cc.version = '2025-07-01' AND cc.level = 3 AND cc.code = i.current_commune_code ";

ProductIdea ReadProductIdea(const store::Statement& row) {
  ProductIdea idea;
  idea.name = row.ColumnText(0);
  idea.display_name = row.ColumnText(1);
  idea.sector = row.ColumnText(2);
  idea.group = static_cast<ProductGroup>(row.ColumnInt(3));
  idea.sub_group = row.ColumnText(4);
  Address& address = idea.address;
  address.street = row.ColumnText(5);
  address.commune_code = row.ColumnText(6);
  address.commune_name = row.ColumnText(7);
  address.district_name = row.ColumnText(8);
  address.province_code = row.ColumnText(9);
  address.province_name = row.ColumnText(10);
  address.units_version = row.ColumnText(11);
  address.current_province_code = row.ColumnText(12);
  address.current_province_name = row.ColumnText(13);
  address.current_commune_code = row.ColumnText(14);
  address.current_commune_name = row.ColumnText(15);
  idea.producer = row.ColumnText(16);
  idea.proposer_name = row.ColumnText(17);
  idea.registered_date = row.ColumnText(18);
  idea.stage = static_cast<ProductIdeaStage>(row.ColumnInt(19));
  idea.update_time = absl::FromUnixMicros(row.ColumnInt(20));
  idea.dossier = row.ColumnText(21);
  idea.category = row.ColumnText(22);
  return idea;
}

}  // namespace

absl::StatusOr<ProductIdea> SqlProductIdeaRepository::SaveProductIdea(const ProductIdea& idea) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement upsert,
        connection.Prepare(
            "INSERT INTO product_ideas(name, display_name, sector, product_group, sub_group, street, commune_code, "
            "commune_name, district_name, province_code, province_name, units_version, current_province_code, "
            "current_commune_code, producer, proposer_name, registered_date, stage, update_unix_micros, category) "
            "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20) "
            "ON CONFLICT(name) DO UPDATE SET display_name = ?2, sector = ?3, product_group = ?4, sub_group = ?5, "
            "street = ?6, commune_code = ?7, commune_name = ?8, district_name = ?9, province_code = ?10, "
            "province_name = ?11, units_version = ?12, current_province_code = ?13, current_commune_code = ?14, "
            "producer = ?15, proposer_name = ?16, registered_date = ?17, stage = ?18, update_unix_micros = ?19, "
            "category = ?20"));
    const Address& address = idea.address;
    upsert.Bind(1, idea.name)
        .Bind(2, idea.display_name)
        .Bind(3, idea.sector)
        .Bind(4, static_cast<int64_t>(idea.group))
        .Bind(5, idea.sub_group)
        .Bind(6, address.street)
        .Bind(7, address.commune_code)
        .Bind(8, address.commune_name)
        .Bind(9, address.district_name)
        .Bind(10, address.province_code)
        .Bind(11, address.province_name)
        .Bind(12, address.units_version)
        .Bind(13, address.current_province_code)
        .Bind(14, address.current_commune_code)
        .Bind(15, idea.producer)
        .Bind(16, idea.proposer_name)
        .Bind(17, idea.registered_date)
        .Bind(18, static_cast<int64_t>(idea.stage))
        .Bind(19, absl::ToUnixMicros(idea.update_time))
        .Bind(20, idea.category);
    OCOP_RETURN_IF_ERROR(upsert.Run());
    return sql_internal::RefreshFormerUnits(connection, "product_ideas", idea.name);
  }));
  return GetProductIdea(idea.name);
}

absl::StatusOr<ProductIdea> SqlProductIdeaRepository::GetProductIdea(const std::string& name) {
  ProductIdea idea;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat(kProductIdeaSelect, "WHERE i.name = ?")));
    select.Bind(1, name);
    OCOP_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("product idea ", name, " not found"));
    idea = ReadProductIdea(select);
    return absl::OkStatus();
  }));
  return idea;
}

absl::StatusOr<Page<ProductIdea>> SqlProductIdeaRepository::ListProductIdeas(const ProductIdeaFilter& filter,
                                                                            int64_t offset, int limit) {
  Page<ProductIdea> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat(kProductIdeaSelect,
                                        "WHERE (?1 = '' OR i.current_province_code = ?1) "
                                        "AND (?2 = '' OR i.current_commune_code = ?2) AND (?3 = 0 OR i.stage = ?3) "
                                        "ORDER BY i.name LIMIT ?4 OFFSET ?5")));
    select.Bind(1, filter.province_code)
        .Bind(2, filter.commune_code)
        .Bind(3, static_cast<int64_t>(filter.stage))
        .Bind(4, static_cast<int64_t>(limit) + 1)
        .Bind(5, offset);
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      if (static_cast<int>(page.items.size()) == limit) {
        page.next_position = offset + limit;
        break;
      }
      page.items.push_back(ReadProductIdea(select));
    }
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace ocop::registry
