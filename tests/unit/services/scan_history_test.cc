// The stamp service's scan history (services/stamp/scan_history.h) on both store engines: a real
// SQLite file and a real PostgreSQL database.
#include "services/stamp/scan_history.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "services/stamp/sql_stamp_repository.h"
#include "tests/support/processes.h"
#include "tests/support/status_matchers.h"
#include "tests/support/store_engines.h"

namespace ocop::stamp {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

class ScanHistoryTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "stamp.db");
    ASSERT_THAT(location, IsOk());
    auto repository = SqlStampRepository::Open(*location);
    ASSERT_THAT(repository, IsOk());
    repository_ = std::move(*repository);
    history_ = std::make_unique<ScanHistory>(repository_.get(), absl::Hours(24 * 365), [this] { return now_; });
  }

  // A scan of `serial` by client number `client`, `days_ago` days before now.
  ScanRecord Scan(uint64_t serial, int client, int days_ago, const std::string& verdict = "VERDICT_GENUINE") {
    ++next_id_;
    return ScanRecord{absl::StrCat("scan-", next_id_), serial, now_ - absl::Hours(24 * days_ago), "",
                      absl::StrCat("00000000000000", client < 10 ? "0" : "", client), verdict,
                      serial < 100 ? "batches/lot-a" : "batches/lot-b", "products/tea", "producers/coop", "19"};
  }

  Actor Service() { return Actor{"service:lookup", "service", ""}; }

  ocop::testing::TempDir dir_;
  absl::Time now_ = absl::FromCivil(absl::CivilSecond(2026, 11, 25, 10, 0, 0), absl::FixedTimeZone(7 * 3600));
  int next_id_ = 0;
  std::unique_ptr<SqlStampRepository> repository_;
  std::unique_ptr<ScanHistory> history_;
};

INSTANTIATE_TEST_SUITE_P(Engines, ScanHistoryTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(ScanHistoryTest, OnlyServicesRecordAndARetriedBatchIsStoredOnce) {
  std::vector<ScanRecord> scans = {Scan(7, 1, 0), Scan(7, 2, 1), Scan(150, 1, 0)};
  EXPECT_THAT(history_->RecordScans(Actor{"someone", "producer", "producers/coop"}, scans),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_EQ(*history_->RecordScans(Service(), scans), 3);
  EXPECT_EQ(*history_->RecordScans(Service(), scans), 0);  // a retry
  std::vector<ScanRecord> bad = {Scan(7, 3, 0)};
  bad[0].client_hash = "203.0.113.7";  // an address is never accepted in place of a hash
  EXPECT_THAT(history_->RecordScans(Service(), bad),
              StatusIs(absl::StatusCode::kInvalidArgument, "scans[0].client_hash"));
}

TEST_P(ScanHistoryTest, StatsByDayStampAndLotWithPermissions) {
  std::vector<ScanRecord> scans;
  for (int client = 0; client < 3; ++client) scans.push_back(Scan(7, client, 0));
  scans.push_back(Scan(7, 0, 2));
  scans.push_back(Scan(150, 9, 1, "VERDICT_POSSIBLE_COPY"));
  ASSERT_THAT(history_->RecordScans(Service(), scans), IsOk());

  Actor producer{"coop-user", "producer", "producers/coop"};
  ScanQuery query;
  query.producer = "producers/coop";
  query.group_by = ScanGroupBy::kDay;
  auto by_day = history_->Stats(producer, query, 0, "");
  ASSERT_THAT(by_day, IsOk());
  ASSERT_EQ(by_day->items.size(), 3u);  // the default window: the last 30 days
  EXPECT_EQ(by_day->items[0].key, "2026-11-23");
  EXPECT_EQ(by_day->items[2].key, "2026-11-25");
  EXPECT_EQ(by_day->items[2].scans, 3);
  EXPECT_EQ(by_day->items[2].distinct_clients, 3);

  query.group_by = ScanGroupBy::kStamp;
  auto by_stamp = history_->Stats(producer, query, 0, "");
  ASSERT_THAT(by_stamp, IsOk());
  ASSERT_EQ(by_stamp->items.size(), 2u);
  EXPECT_EQ(by_stamp->items[0].key, "7");
  EXPECT_EQ(by_stamp->items[0].scans, 4);
  EXPECT_EQ(by_stamp->items[0].distinct_days, 2);
  EXPECT_EQ(by_stamp->items[1].key, "150");
  EXPECT_EQ(by_stamp->items[1].possible_copy_scans, 1);

  // By lot, one row per page.
  query.group_by = ScanGroupBy::kBatch;
  auto first = history_->Stats(producer, query, 1, "");
  ASSERT_THAT(first, IsOk());
  ASSERT_EQ(first->items.size(), 1u);
  EXPECT_EQ(first->items[0].key, "batches/lot-a");
  ASSERT_GT(first->next_position, 0);

  // A producer sees only its own scans; an office only its province's; others see nothing.
  ScanQuery other = query;
  other.producer = "producers/someone-else";
  EXPECT_THAT(history_->Stats(producer, other, 0, ""), StatusIs(absl::StatusCode::kPermissionDenied, "producer"));
  ScanQuery province;
  province.province_code = "19";
  Actor thai_nguyen_office{"office-1", "office", ""};
  thai_nguyen_office.province = "19";
  Actor hoa_binh_office{"office-2", "office", ""};
  hoa_binh_office.province = "17";
  EXPECT_THAT(history_->Stats(hoa_binh_office, province, 0, ""),
              StatusIs(absl::StatusCode::kPermissionDenied, "province_code: an office sees only its own province (17)"));
  auto elsewhere = history_->Stats(hoa_binh_office, ScanQuery{}, 0, "");  // pinned to its own province
  ASSERT_THAT(elsewhere, IsOk());
  EXPECT_TRUE(elsewhere->items.empty());
  auto office = history_->Stats(thai_nguyen_office, ScanQuery{}, 0, "");
  ASSERT_THAT(office, IsOk());
  ASSERT_EQ(office->items.size(), 3u);
  EXPECT_THAT(history_->Stats(Actor{}, province, 0, ""), StatusIs(absl::StatusCode::kPermissionDenied));
}

TEST_P(ScanHistoryTest, ScansOlderThanTheRetentionAreDeleted) {
  ASSERT_THAT(history_->RecordScans(Service(), {Scan(7, 1, 400), Scan(7, 2, 10)}), IsOk());
  ScanQuery query;
  query.serial = 7;
  query.from_day = "2020-01-01";
  query.group_by = ScanGroupBy::kStamp;
  auto stats = history_->Stats(Actor{"admin", "admin", ""}, query, 0, "");
  ASSERT_THAT(stats, IsOk());
  ASSERT_EQ(stats->items.size(), 1u);
  EXPECT_EQ(stats->items[0].scans, 1);  // the 400-day-old scan is gone
}

}  // namespace
}  // namespace ocop::stamp
