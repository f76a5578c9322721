// Registry benchmark: bulk import of 50,000 products and reports over them.
//
// Baseline, measured in the same run on the same disk: the same number of rows inserted into a
// plain SQLite table with one prepared statement in one transaction (what the rows cost with no
// checks, no units, no search index, no change feed), and a GROUP BY over that flat table.
// Measured: ocopctl's path (ImportRecords streamed over gRPC on loopback to the real registry,
// every row validated, NFC-normalised, units resolved, indexed for search, fed to the change
// feed, all in one transaction), then ReportCertifiedProducts as of a day (the latest decision per
// product, validity, status history, today's units) and the expiring-certificates list.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/store/database.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"

ABSL_FLAG(int, products, 50000, "Products to import");
ABSL_FLAG(int, producers, 10000, "Producers they belong to");
ABSL_FLAG(int, report_repeats, 10, "Runs of each report (the median is printed)");

namespace {

using ocop::testing::Context;
namespace v1 = ocop::registry::v1;

struct Rows {
  std::vector<v1::ImportProducerRow> producers;
  std::vector<v1::ImportProductRow> products;
};

Rows MakeRows(int producer_count, int product_count) {
  const ocop::registry::AdminUnitTables* units = *ocop::testing::AdminUnits();
  std::vector<std::pair<std::string, std::string>> communes;  // (province, commune), today's units
  for (const ocop::registry::AdminUnit& unit : units->units) {
    if (unit.version == ocop::registry::kUnitsCurrent && unit.level == ocop::registry::UnitLevel::kCommune) {
      communes.emplace_back(unit.parent_code, unit.code);
    }
  }
  Rows rows;
  for (int i = 0; i < producer_count; ++i) {
    v1::ImportProducerRow row;
    row.set_line(i + 2);
    v1::Producer* producer = row.mutable_producer();
    producer->set_external_id(absl::StrCat("P-", i));
    producer->set_kind(static_cast<v1::ProducerKind>(1 + i % 4));
    producer->set_display_name(absl::StrCat("HTX Chè Tân Cương số ", i));
    producer->mutable_representative()->set_gender(i % 2 ? v1::GENDER_FEMALE : v1::GENDER_MALE);
    const auto& [province, commune] = communes[(i * 7919) % communes.size()];
    producer->mutable_address()->set_province_code(province);
    producer->mutable_address()->set_commune_code(commune);
    producer->add_sales_channels(v1::SALES_CHANNEL_ECOMMERCE);
    rows.producers.push_back(std::move(row));
  }
  for (int i = 0; i < product_count; ++i) {
    v1::ImportProductRow row;
    row.set_line(i + 2);
    row.set_producer_external_id(absl::StrCat("P-", i % producer_count));
    v1::Product* product = row.mutable_product();
    product->set_external_id(absl::StrCat("S-", i));
    product->set_display_name(absl::StrCat("Chè búp Tân Cương đặc biệt loại ", i));
    product->set_group(static_cast<v1::ProductGroup>(1 + i % 3));
    product->set_description("Chè búp xanh sao suốt, vùng chè Tân Cương.");
    v1::OcopRating* rating = product->mutable_rating();
    const int stars = 3 + (i % 10 == 0 ? 1 : 0) + (i % 500 == 0 ? 1 : 0);
    rating->set_score(stars == 3 ? 50 + i % 20 : stars == 4 ? 70 + i % 20 : 90 + i % 10);
    rating->set_council_level(stars == 5 ? v1::COUNCIL_LEVEL_CENTRAL : v1::COUNCIL_LEVEL_PROVINCE);
    rating->set_certificate_number(absl::StrCat("C-", i));
    rating->set_decision_number(absl::StrCat(i, "/QĐ-UBND"));
    rating->set_decision_date(absl::StrCat("2024-", 1 + i % 12 < 10 ? "0" : "", 1 + i % 12, "-15"));
    rows.products.push_back(std::move(row));
  }
  return rows;
}

double ImportOverGrpc(v1::RegistryService::Stub& stub, const Rows& rows) {
  auto context = Context("bench");
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(30));
  v1::ImportRecordsResponse response;
  const absl::Time start = absl::Now();
  auto writer = stub.ImportRecords(context.get(), &response);
  v1::ImportRecordsRequest request;
  for (const auto& row : rows.producers) {
    *request.add_producers() = row;
    if (request.producers_size() == 500) writer->Write(request), request.Clear();
  }
  for (const auto& row : rows.products) {
    *request.add_products() = row;
    if (request.products_size() == 500) writer->Write(request), request.Clear();
  }
  writer->Write(request);
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!status.ok() || !response.applied()) {
    std::fprintf(stderr, "import failed: %s (%d row errors)\n", status.error_message().c_str(),
                 response.errors_size());
    if (response.errors_size() > 0) std::fprintf(stderr, "  first: %s\n", response.errors(0).message().c_str());
    std::exit(1);
  }
  return seconds;
}

// The baseline table: what a product row is without the registry around it.
double BaselineInsert(const std::string& path, const Rows& rows) {
  auto database = *ocop::store::Database::Open(
      path, {"CREATE TABLE flat (position INTEGER PRIMARY KEY, name TEXT, producer TEXT, display_name TEXT, "
             "product_group INTEGER, description TEXT, stars INTEGER, score INTEGER, certificate TEXT, "
             "decision_date TEXT, province TEXT)"});
  const absl::Time start = absl::Now();
  absl::Status status = database->Transact([&](ocop::store::Connection& connection) -> absl::Status {
    auto insert = *connection.Prepare("INSERT INTO flat(name, producer, display_name, product_group, description, "
                                      "stars, score, certificate, decision_date, province) "
                                      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& row : rows.products) {
      const v1::Product& product = row.product();
      insert.Bind(1, product.external_id()).Bind(2, row.producer_external_id()).Bind(3, product.display_name())
          .Bind(4, static_cast<int64_t>(product.group())).Bind(5, product.description())
          .Bind(6, static_cast<int64_t>(product.rating().score() / 20)).Bind(7, static_cast<int64_t>(product.rating().score()))
          .Bind(8, product.rating().certificate_number()).Bind(9, product.rating().decision_date()).Bind(10, "19");
      absl::Status run = insert.Run();
      if (!run.ok()) return run;
      insert.Reset();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) std::exit(1);
  return absl::ToDoubleSeconds(absl::Now() - start);
}

double BaselineReport(const std::string& path) {
  auto database = *ocop::store::Database::Open(path, {"SELECT 1"});
  const absl::Time start = absl::Now();
  int64_t total = 0;
  (void)database->Read([&](ocop::store::Connection& connection) -> absl::Status {
    auto select = *connection.Prepare("SELECT stars, COUNT(*) FROM flat WHERE decision_date <= '2025-06-30' "
                                      "GROUP BY stars ORDER BY stars");
    while (*select.Step()) total += select.ColumnInt(1);
    return absl::OkStatus();
  });
  return total > 0 ? absl::ToDoubleSeconds(absl::Now() - start) : 0;
}

template <typename Call>
double Median(int repeats, Call call) {
  std::vector<double> seconds;
  for (int i = 0; i < repeats; ++i) {
    const absl::Time start = absl::Now();
    call();
    seconds.push_back(absl::ToDoubleSeconds(absl::Now() - start));
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int product_count = absl::GetFlag(FLAGS_products);
  const int repeats = absl::GetFlag(FLAGS_report_repeats);
  ocop::testing::TempDir dir;
  const Rows rows = MakeRows(absl::GetFlag(FLAGS_producers), product_count);

  const double baseline_seconds = BaselineInsert(dir.File("flat.db"), rows);
  const double baseline_rows = product_count / baseline_seconds;
  const double baseline_report = Median(repeats, [&] { BaselineReport(dir.File("flat.db")); });

  auto harness = *ocop::testing::RegistryHarness::Start(dir.File("registry.db"));
  auto stub = harness->Stub();
  const double import_seconds = ImportOverGrpc(*stub, rows);
  const int total_rows = static_cast<int>(rows.producers.size() + rows.products.size());

  v1::CertifiedProductsReport report;
  auto report_by = [&](std::vector<v1::ReportDimension> group_by) {
    v1::ReportCertifiedProductsRequest request;
    request.set_as_of("2025-06-30");
    for (auto dimension : group_by) request.add_group_by(dimension);
    auto context = Context("bench");
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(5));
    grpc::Status status = stub->ReportCertifiedProducts(context.get(), request, &report);
    if (!status.ok()) std::exit(1);
  };
  const double by_stars = Median(repeats, [&] { report_by({v1::REPORT_DIMENSION_STARS}); });
  const int64_t certified = report.total();
  const double by_province = Median(repeats, [&] {
    report_by({v1::REPORT_DIMENSION_PROVINCE, v1::REPORT_DIMENSION_PRODUCT_GROUP});
  });
  const double expiring = Median(repeats, [&] {
    v1::ListExpiringCertificatesRequest request;
    request.set_as_of("2026-06-30");
    request.set_within_days(60);
    request.set_page_size(100);
    v1::ListExpiringCertificatesResponse response;
    auto context = Context("bench");
    if (!stub->ListExpiringCertificates(context.get(), request, &response).ok()) std::exit(1);
  });

  std::printf("registry import: %d producers + %d products in one transaction\n",
              static_cast<int>(rows.producers.size()), product_count);
  std::printf("  baseline (plain SQLite insert):   %9.0f rows/s (%.2f s)\n", baseline_rows, baseline_seconds);
  std::printf("  ImportRecords over gRPC:          %9.0f product rows/s, %.0f rows/s all (%.2f s)  ratio %.2f\n",
              product_count / import_seconds, total_rows / import_seconds, import_seconds,
              (product_count / import_seconds) / baseline_rows);
  std::printf("reports over %lld certified products (median of %d):\n", static_cast<long long>(certified), repeats);
  std::printf("  baseline (flat GROUP BY):          %8.1f ms\n", baseline_report * 1e3);
  std::printf("  certified as_of, by stars:         %8.1f ms  ratio %.1fx the baseline time\n", by_stars * 1e3,
              by_stars / baseline_report);
  std::printf("  certified as_of, by province+group:%8.1f ms\n", by_province * 1e3);
  std::printf("  expiring certificates (page 100):  %8.1f ms\n", expiring * 1e3);
  return 0;
}
