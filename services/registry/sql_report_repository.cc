// SqlReportRepository: reports and province plans.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status/status_macros.h"
#include "common/store/outbox.h"
#include "services/registry/sql_registry_internal.h"
#include "services/registry/sql_registry_store.h"

namespace ocop::registry {
namespace {

// The products certified on day ?1 within the scope bound at ?2-?5 (BindScope): the latest
// decision on or before ?1 gave 3+ stars, its certificate is valid on ?1, and the product's status
// on ?1 is active. Rows carry the producer's units of today (resolved through the merger map when
// recorded with the old codes).
const std::string& CertifiedAsOf() {
  static const std::string* sql = new std::string(absl::StrCat(R"sql(
WITH certified AS (
  SELECT p.name AS product, pr.name AS producer, pr.current_province_code AS province_code,
         pr.current_commune_code AS commune_code, r.position AS rating_position, r.stars,
         r.product_group, r.decision_date, r.valid_until, p.sub_group, p.category
  FROM products p
  JOIN producers pr ON pr.name = p.producer
  JOIN ratings r ON r.position = (
    SELECT r2.position FROM ratings r2 WHERE r2.product = p.name AND r2.decision_date <= ?1
    ORDER BY r2.decision_date DESC, r2.position DESC LIMIT 1)
  WHERE r.stars >= 3 AND r.valid_until >= ?1
    AND COALESCE((SELECT s.status FROM product_statuses s WHERE s.product = p.name AND s.effective_date <= ?1
                  ORDER BY s.effective_date DESC, s.position DESC LIMIT 1), 1) = 1
    AND )sql", sql_internal::ScopeCondition("pr", 2), "\n)\n"));
  return *sql;
}

constexpr char kUnitNameJoins[] =
    " LEFT JOIN admin_units up ON up.version = '2025-07-01' AND up.level = 1 AND up.code = c.province_code"
    " LEFT JOIN admin_units uc ON uc.version = '2025-07-01' AND uc.level = 3 AND uc.code = c.commune_code";

int64_t ModernChannelBits() {
  int64_t bits = 0;
  for (int channel = 1; channel <= kMaxSalesChannel; ++channel) {
    if (IsModernChannel(static_cast<SalesChannel>(channel))) bits |= int64_t{1} << channel;
  }
  return bits;
}

}  // namespace

absl::StatusOr<std::vector<CertifiedReportRow>> SqlReportRepository::CountCertifiedProducts(
    const std::string& as_of, const UnitScope& scope, const std::vector<ReportDimension>& group_by) {
  // Each dimension adds its columns (a fixed list: nothing from the caller reaches the SQL text).
  std::vector<std::string> columns;
  for (ReportDimension dimension : group_by) {
    switch (dimension) {
      case ReportDimension::kStars: columns.push_back("c.stars"); break;
      case ReportDimension::kProductGroup: columns.push_back("c.product_group"); break;
      case ReportDimension::kProvince: columns.push_back("c.province_code, COALESCE(up.name, '')"); break;
      case ReportDimension::kCommune: columns.push_back("c.commune_code, COALESCE(uc.name, '')"); break;
      case ReportDimension::kCertificationYear:
        columns.push_back("CAST(substr(c.decision_date, 1, 4) AS INTEGER)");
        break;
      case ReportDimension::kSubGroup: columns.push_back("c.sub_group"); break;
      // The codes sort in the decision's order ("I.6" < "II.1.a" < "III.1" < "IV.1" < "V.1" < "VI.1").
      case ReportDimension::kCategory: columns.push_back("c.category"); break;
      case ReportDimension::kUnspecified:
        return absl::InvalidArgumentError("group_by: REPORT_DIMENSION_UNSPECIFIED is not a dimension");
    }
  }
  const std::string dimensions = absl::StrJoin(columns, ", ");
  const std::string sql =
      columns.empty()
          ? absl::StrCat(CertifiedAsOf(), "SELECT COUNT(*) FROM certified c")
          : absl::StrCat(CertifiedAsOf(), "SELECT ", dimensions, ", COUNT(*) FROM certified c", kUnitNameJoins,
                         " GROUP BY ", dimensions, " ORDER BY ", dimensions);
  std::vector<CertifiedReportRow> rows;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(sql));
    select.Bind(1, as_of);
    sql_internal::BindScope(select, 2, scope);
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool has_row, select.Step());
      if (!has_row) break;
      CertifiedReportRow row;
      int column = 0;
      for (ReportDimension dimension : group_by) {
        switch (dimension) {
          case ReportDimension::kStars: row.stars = static_cast<int>(select.ColumnInt(column++)); break;
          case ReportDimension::kProductGroup:
            row.product_group = static_cast<ProductGroup>(select.ColumnInt(column++));
            break;
          case ReportDimension::kProvince:
            row.province_code = select.ColumnText(column++);
            row.province_name = select.ColumnText(column++);
            break;
          case ReportDimension::kCommune:
            row.commune_code = select.ColumnText(column++);
            row.commune_name = select.ColumnText(column++);
            break;
          case ReportDimension::kCertificationYear:
            row.certification_year = static_cast<int>(select.ColumnInt(column++));
            break;
          case ReportDimension::kSubGroup: row.sub_group = select.ColumnText(column++); break;
          case ReportDimension::kCategory: row.category = select.ColumnText(column++); break;
          case ReportDimension::kUnspecified: break;
        }
      }
      row.products = select.ColumnInt(column);
      rows.push_back(std::move(row));
    }
    return absl::OkStatus();
  }));
  return rows;
}

absl::StatusOr<std::vector<ProducerReportRow>> SqlReportRepository::CountProducers(
    const std::string& as_of, const UnitScope& scope, bool include_uncertified) {
  std::vector<ProducerReportRow> rows;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat(
            CertifiedAsOf(),
            "SELECT pr.kind, COUNT(*), SUM(CASE WHEN pr.representative_gender = 1 THEN 1 ELSE 0 END), "
            "SUM(pr.representative_ethnic_minority), SUM(CASE WHEN (pr.sales_channels & ?6) != 0 THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN pr.green_value_chain != 0 AND pr.raw_material_hectares > 0 THEN 1 ELSE 0 END), "
            "SUM(pr.workers), SUM(pr.trained_workers) "
            "FROM producers pr WHERE ", sql_internal::ScopeCondition("pr", 2),
            " AND (?7 != 0 OR pr.name IN (SELECT producer FROM certified)) "
            "GROUP BY pr.kind ORDER BY pr.kind")));
    select.Bind(1, as_of).Bind(6, ModernChannelBits()).Bind(7, int64_t{include_uncertified ? 1 : 0});
    sql_internal::BindScope(select, 2, scope);
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool has_row, select.Step());
      if (!has_row) break;
      ProducerReportRow row;
      row.kind = static_cast<ProducerKind>(select.ColumnInt(0));
      row.producers = select.ColumnInt(1);
      row.women_led = select.ColumnInt(2);
      row.ethnic_minority_led = select.ColumnInt(3);
      row.modern_channels = select.ColumnInt(4);
      row.green_value_chains = select.ColumnInt(5);
      row.workers = select.ColumnInt(6);
      row.trained_workers = select.ColumnInt(7);
      rows.push_back(row);
    }
    return absl::OkStatus();
  }));
  return rows;
}

absl::StatusOr<std::vector<ExpiringCertificate>> SqlReportRepository::ListExpiring(
    const std::string& as_of, const std::string& last_day, const UnitScope& scope, int64_t offset,
    int limit) {
  std::vector<ExpiringCertificate> certificates;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat(
            CertifiedAsOf(),
            "SELECT c.product, c.rating_position, pr.display_name, c.province_code, c.commune_code, "
            "COALESCE(uc.name, ''), ",
            connection.dialect() == store::Dialect::kSqlite
                ? "CAST(julianday(c.valid_until) - julianday(?1) AS INTEGER) "
                : "CAST(c.valid_until AS DATE) - CAST(?1 AS DATE) ",
            "FROM certified c JOIN producers pr ON pr.name = c.producer", kUnitNameJoins,
            " WHERE c.valid_until <= ?6 ORDER BY c.valid_until, c.product LIMIT ?7 OFFSET ?8")));
    select.Bind(1, as_of).Bind(6, last_day).Bind(7, static_cast<int64_t>(limit)).Bind(8, offset);
    sql_internal::BindScope(select, 2, scope);
    std::vector<std::pair<std::string, int64_t>> ratings;
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool has_row, select.Step());
      if (!has_row) break;
      ExpiringCertificate certificate;
      certificate.producer_display_name = select.ColumnText(2);
      certificate.province_code = select.ColumnText(3);
      certificate.commune_code = select.ColumnText(4);
      certificate.commune_name = select.ColumnText(5);
      certificate.days_left = static_cast<int>(select.ColumnInt(6));
      ratings.emplace_back(select.ColumnText(0), select.ColumnInt(1));
      certificates.push_back(std::move(certificate));
    }
    for (size_t i = 0; i < certificates.size(); ++i) {
      OCOP_ASSIGN_OR_RETURN(certificates[i].product, sql_internal::SelectProduct(connection, ratings[i].first));
      OCOP_ASSIGN_OR_RETURN(OcopRating rating, sql_internal::SelectRatingAt(connection, ratings[i].second));
      certificates[i].product.rating = std::move(rating);
    }
    return absl::OkStatus();
  }));
  return certificates;
}

absl::StatusOr<int64_t> SqlReportRepository::CountFirstRatedWithin(const UnitScope& scope, int min_stars,
                                                                   const std::string& from, const std::string& to) {
  int64_t count = 0;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT COUNT(*) FROM products p JOIN producers pr ON pr.name = p.producer "
                                        "WHERE ", sql_internal::ScopeCondition("pr", 1),
                                        " AND (SELECT MIN(r.decision_date) FROM ratings r WHERE r.product = p.name "
                                        "AND r.stars >= ?5) BETWEEN ?6 AND ?7")));
    sql_internal::BindScope(select, 1, scope);
    select.Bind(5, static_cast<int64_t>(min_stars)).Bind(6, from).Bind(7, to);
    OCOP_RETURN_IF_ERROR(select.Step().status());
    count = select.ColumnInt(0);
    return absl::OkStatus();
  }));
  return count;
}

absl::StatusOr<DecisionCounts> SqlReportRepository::CountCertificatesDecided(const UnitScope& scope,
                                                                             const std::string& from,
                                                                             const std::string& to) {
  DecisionCounts counts;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT COUNT(DISTINCT r.product), COUNT(*) FROM ratings r "
                                        "JOIN products p ON p.name = r.product "
                                        "JOIN producers pr ON pr.name = p.producer "
                                        "WHERE r.stars >= 3 AND r.decision_date BETWEEN ?5 AND ?6 AND ",
                                        sql_internal::ScopeCondition("pr", 1))));
    sql_internal::BindScope(select, 1, scope);
    select.Bind(5, from).Bind(6, to);
    OCOP_RETURN_IF_ERROR(select.Step().status());
    counts.products = select.ColumnInt(0);
    counts.decisions = select.ColumnInt(1);
    return absl::OkStatus();
  }));
  return counts;
}

absl::StatusOr<std::vector<std::string>> SqlReportRepository::ListCertifiedProducts(const std::string& as_of,
                                                                                   const UnitScope& scope,
                                                                                   int min_stars) {
  std::vector<std::string> products;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat(CertifiedAsOf(), "SELECT c.product FROM certified c "
                                                                           "WHERE c.stars >= ?6 ORDER BY c.product")));
    select.Bind(1, as_of);
    sql_internal::BindScope(select, 2, scope);
    select.Bind(6, static_cast<int64_t>(min_stars));
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      products.push_back(select.ColumnText(0));
    }
    return absl::OkStatus();
  }));
  return products;
}

absl::StatusOr<ReRatingCounts> SqlReportRepository::CountReRatedWithin(const UnitScope& scope,
                                                                       const std::string& from,
                                                                       const std::string& to) {
  // Each rating decided within the period next to the rating of the same product just before it
  // (NULL for a first rating); a re-rating counts when both gave a certificate.
  const std::string sql = absl::StrCat(R"sql(
WITH scoped AS (
  SELECT p.name AS product FROM products p JOIN producers pr ON pr.name = p.producer WHERE )sql",
                                       sql_internal::ScopeCondition("pr", 1), R"sql(
), rerated AS (
  SELECT r.product, r.stars,
         (SELECT e.stars FROM ratings e WHERE e.product = r.product
            AND (e.decision_date < r.decision_date OR (e.decision_date = r.decision_date AND e.position < r.position))
          ORDER BY e.decision_date DESC, e.position DESC LIMIT 1) AS previous_stars
  FROM ratings r JOIN scoped s ON s.product = r.product
  WHERE r.decision_date BETWEEN ?5 AND ?6 AND r.stars >= 3
)
SELECT
  (SELECT COUNT(*) FROM scoped s WHERE EXISTS (
     SELECT 1 FROM ratings c WHERE c.product = s.product AND c.stars >= 3 AND c.decision_date <= ?6)),
  (SELECT COUNT(DISTINCT product) FROM rerated WHERE previous_stars >= 3 AND stars = previous_stars),
  (SELECT COUNT(DISTINCT product) FROM rerated WHERE previous_stars >= 3 AND stars > previous_stars),
  (SELECT COUNT(DISTINCT product) FROM rerated WHERE previous_stars >= 3 AND stars >= previous_stars)
)sql");
  ReRatingCounts counts;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(sql));
    sql_internal::BindScope(select, 1, scope);
    select.Bind(5, from).Bind(6, to);
    OCOP_RETURN_IF_ERROR(select.Step().status());
    counts.certified = select.ColumnInt(0);
    counts.consolidated = select.ColumnInt(1);
    counts.upgraded = select.ColumnInt(2);
    counts.consolidated_or_upgraded = select.ColumnInt(3);
    return absl::OkStatus();
  }));
  return counts;
}

absl::StatusOr<int64_t> SqlReportRepository::CountProducersFirstCertifiedWithin(const UnitScope& scope,
                                                                                const std::string& from,
                                                                                const std::string& to) {
  int64_t count = 0;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT COUNT(*) FROM producers pr WHERE ", sql_internal::ScopeCondition("pr", 1),
                                        " AND (SELECT MIN(r.decision_date) FROM ratings r JOIN products p ON "
                                        "p.name = r.product WHERE p.producer = pr.name AND r.stars >= 3) "
                                        "BETWEEN ?5 AND ?6")));
    sql_internal::BindScope(select, 1, scope);
    select.Bind(5, from).Bind(6, to);
    OCOP_RETURN_IF_ERROR(select.Step().status());
    count = select.ColumnInt(0);
    return absl::OkStatus();
  }));
  return count;
}

absl::StatusOr<int64_t> SqlReportRepository::CountSalesPointsWithin(const UnitScope& scope, const std::string& from,
                                                                    const std::string& to, SalesPointTier tier,
                                                                    bool upgrades) {
  int64_t count = 0;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    const std::string upgraded =
        upgrades ? " OR EXISTS (SELECT 1 FROM sales_point_upgrades u WHERE u.sales_point = sp.name AND "
                   "u.upgrade_date BETWEEN ?5 AND ?6)"
                 : "";
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT COUNT(*) FROM sales_points sp WHERE ", sql_internal::ScopeCondition("sp", 1),
                                        tier == SalesPointTier::kUnspecified ? "" : " AND sp.tier = ?7",
                                        " AND ((sp.opened_date BETWEEN ?5 AND ?6)", upgraded, ")")));
    sql_internal::BindScope(select, 1, scope);
    select.Bind(5, from).Bind(6, to);
    if (tier != SalesPointTier::kUnspecified) select.Bind(7, static_cast<int64_t>(tier));
    OCOP_RETURN_IF_ERROR(select.Step().status());
    count = select.ColumnInt(0);
    return absl::OkStatus();
  }));
  return count;
}

absl::StatusOr<ProvincePlan> SqlReportRepository::SavePlan(const ProvincePlan& plan, absl::Time when) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement targets, connection.Prepare("DELETE FROM plan_targets WHERE plan = ?"));
    targets.Bind(1, plan.name);
    OCOP_RETURN_IF_ERROR(targets.Run());
    OCOP_ASSIGN_OR_RETURN(store::Statement upsert,
                          connection.Prepare("INSERT INTO plans(name, province_code, display_name, period_start, period_end, "
                                             "scope_units_version, scope_province_code, scope_district_code, "
                                             "scope_commune_code) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                                             "ON CONFLICT(name) DO UPDATE SET province_code = ?2, display_name = ?3, "
                                             "period_start = ?4, period_end = ?5, scope_units_version = ?6, "
                                             "scope_province_code = ?7, scope_district_code = ?8, "
                                             "scope_commune_code = ?9"));
    upsert.Bind(1, plan.name).Bind(2, plan.province_code).Bind(3, plan.display_name).Bind(4, plan.period_start)
        .Bind(5, plan.period_end);
    sql_internal::BindScope(upsert, 6, plan.scope);
    OCOP_RETURN_IF_ERROR(upsert.Run());
    OCOP_ASSIGN_OR_RETURN(store::Statement target,
                          connection.Prepare("INSERT INTO plan_targets(plan, ordinal, metric, target, description, "
                                             "bound, target_max) VALUES(?, ?, ?, ?, ?, ?, ?)"));
    for (size_t i = 0; i < plan.targets.size(); ++i) {
      const PlanTarget& item = plan.targets[i];
      target.Bind(1, plan.name).Bind(2, static_cast<int64_t>(i)).Bind(3, static_cast<int64_t>(item.metric))
          .Bind(4, item.target).Bind(5, item.description).Bind(6, static_cast<int64_t>(item.bound))
          .Bind(7, item.target_max);
      OCOP_RETURN_IF_ERROR(target.Run());
      target.Reset();
    }
    return store::AppendChange(connection, "plan", plan.name, 1, when).status();
  }));
  notifier_->Notify();
  return GetPlan(plan.name);
}

absl::StatusOr<ProvincePlan> SqlReportRepository::GetPlan(const std::string& name) {
  ProvincePlan plan;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare("SELECT province_code, display_name, period_start, period_end, "
                                             "scope_units_version, scope_province_code, scope_district_code, "
                                             "scope_commune_code FROM plans WHERE name = ?"));
    select.Bind(1, name);
    OCOP_ASSIGN_OR_RETURN(bool found, select.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("plan ", name, " not found"));
    plan.name = name;
    plan.province_code = select.ColumnText(0);
    plan.display_name = select.ColumnText(1);
    plan.period_start = select.ColumnText(2);
    plan.period_end = select.ColumnText(3);
    plan.scope.units_version = select.ColumnText(4);
    plan.scope.province_code = select.ColumnText(5);
    plan.scope.district_code = select.ColumnText(6);
    plan.scope.commune_code = select.ColumnText(7);
    // Plans saved before plans had scopes cover their whole province.
    if (plan.scope.province_code.empty()) {
      plan.scope.units_version = kUnitsCurrent;
      plan.scope.province_code = plan.province_code;
    }
    OCOP_ASSIGN_OR_RETURN(store::Statement targets,
                          connection.Prepare("SELECT metric, target, description, bound, target_max FROM "
                                             "plan_targets WHERE plan = ? ORDER BY ordinal"));
    targets.Bind(1, name);
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool row, targets.Step());
      if (!row) break;
      PlanTarget target;
      target.metric = static_cast<PlanMetric>(targets.ColumnInt(0));
      target.target = targets.ColumnDouble(1);
      target.description = targets.ColumnText(2);
      target.bound = static_cast<TargetBound>(targets.ColumnInt(3));
      target.target_max = targets.ColumnDouble(4);
      plan.targets.push_back(std::move(target));
    }
    return absl::OkStatus();
  }));
  return plan;
}

}  // namespace ocop::registry
