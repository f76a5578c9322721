// The stamp service's scan history (the scans table of stamp_schema.cc), on either store engine.
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/stamp/sql_stamp_repository.h"

namespace ocop::stamp {

absl::StatusOr<int64_t> SqlStampRepository::InsertScans(const std::vector<ScanRecord>& scans,
                                                           absl::Time delete_before) {
  int64_t stored = 0;
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement insert,
        connection.Prepare("INSERT INTO scans(scan_id, serial, scan_unix_micros, day, client_hash, verdict, "
                           "batch, product, producer, province_code, count) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                           "ON CONFLICT DO NOTHING"));
    for (const ScanRecord& scan : scans) {
      insert.Bind(1, scan.scan_id).Bind(2, static_cast<int64_t>(scan.serial))
          .Bind(3, absl::ToUnixMicros(scan.scan_time)).Bind(4, scan.day).Bind(5, scan.client_hash)
          .Bind(6, scan.verdict).Bind(7, scan.batch).Bind(8, scan.product).Bind(9, scan.producer)
          .Bind(10, scan.province_code).Bind(11, scan.count);
      OCOP_RETURN_IF_ERROR(insert.Run());
      if (connection.Changes() > 0) stored += scan.count;
      insert.Reset();
    }
    OCOP_ASSIGN_OR_RETURN(store::Statement purge, connection.Prepare("DELETE FROM scans WHERE scan_unix_micros < ?"));
    purge.Bind(1, absl::ToUnixMicros(delete_before));
    return purge.Run();
  }));
  return stored;
}

absl::StatusOr<std::vector<ScanStatsRow>> SqlStampRepository::ScanStats(const ScanQuery& query, int64_t offset,
                                                                           int limit) {
  const char* key = "day";
  switch (query.group_by) {
    case ScanGroupBy::kStamp: key = "serial"; break;
    case ScanGroupBy::kBatch: key = "batch"; break;
    case ScanGroupBy::kProduct: key = "product"; break;
    default: break;
  }
  // Only the filters given become conditions, so the planner picks the producer, province or serial index.
  // The key is named group_key: PostgreSQL would otherwise name the cast after the column, and
  // ORDER BY would then sort serials as text ("150" before "7").
  std::string sql = absl::StrCat(
      "SELECT CAST(", key, " AS TEXT) AS group_key, SUM(count), COUNT(DISTINCT client_hash), COUNT(DISTINCT day), "
      "SUM(CASE WHEN verdict = 'VERDICT_POSSIBLE_COPY' THEN count ELSE 0 END) FROM scans WHERE day BETWEEN ?1 AND ?2");
  if (!query.producer.empty()) absl::StrAppend(&sql, " AND producer = ?3");
  if (!query.product.empty()) absl::StrAppend(&sql, " AND product = ?4");
  if (!query.batch.empty()) absl::StrAppend(&sql, " AND batch = ?5");
  if (query.serial != 0) absl::StrAppend(&sql, " AND serial = ?6");
  if (!query.province_code.empty()) absl::StrAppend(&sql, " AND province_code = ?7");
  absl::StrAppend(&sql, " GROUP BY ", key, " ORDER BY ", key, " LIMIT ?8 OFFSET ?9");
  std::vector<ScanStatsRow> rows;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(sql));
    select.Bind(1, query.from_day).Bind(2, query.to_day).Bind(8, static_cast<int64_t>(limit)).Bind(9, offset);
    if (!query.producer.empty()) select.Bind(3, query.producer);
    if (!query.product.empty()) select.Bind(4, query.product);
    if (!query.batch.empty()) select.Bind(5, query.batch);
    if (query.serial != 0) select.Bind(6, static_cast<int64_t>(query.serial));
    if (!query.province_code.empty()) select.Bind(7, query.province_code);
    while (true) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      rows.push_back(ScanStatsRow{select.ColumnText(0), select.ColumnInt(1), select.ColumnInt(2), select.ColumnInt(3),
                                  select.ColumnInt(4)});
    }
    return absl::OkStatus();
  }));
  return rows;
}

}  // namespace ocop::stamp
