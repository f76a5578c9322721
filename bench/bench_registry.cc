// Registry benchmark: bulk import of 50,000 products and reports over them, on SQLite and on
// PostgreSQL in the same run.
//
// Engines: a SQLite file, and a durable PostgreSQL 15 started by this benchmark on loopback (fsync
// and synchronous commit on), or new databases on the server --db names.
// Baselines, measured in the same run on each engine: the same number of rows inserted into a
// plain table with one prepared statement in one transaction (what the rows cost with no checks, no
// units, no search index, no change feed), and a GROUP BY over that flat table.
// Measured on each engine: ocopctl's path (ImportRecords streamed over gRPC on loopback to the real
// registry, every row validated, NFC-normalised, units resolved, indexed for search, fed to the
// change feed, all in one transaction), then ReportCertifiedProducts as of a day (the latest
// decision per product, validity, status history, today's units) and the expiring-certificates list.
// Goals (exit 1 below), on each engine: the import at >= 1% of that engine's plain inserts (runs
// gave 0.026 on SQLite and 0.044 on PostgreSQL), and the report by stars within 40 times the flat
// GROUP BY's time (runs: 6 to 9 on SQLite, 18 to 28 on PostgreSQL). The second catches reports
// planned without statistics: before the registry analysed its tables after a bulk import,
// PostgreSQL ran the report at 188 times the baseline.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/store/database.h"
#include "tests/support/postgres.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"

ABSL_FLAG(int, products, 50000, "Products to import");
ABSL_FLAG(int, producers, 10000, "Producers they belong to");
ABSL_FLAG(int, report_repeats, 10, "Runs of each report (the median is printed)");
ABSL_FLAG(std::string, db, "",
          "A postgresql:// URL of a server to measure (any database on it; the benchmark creates its own "
          "there) instead of a local server started here");

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
    // Decided in 2024, under Decision 148: district councils recognise 3 stars, provinces 4.
    rating->set_council_level(stars == 5   ? v1::COUNCIL_LEVEL_CENTRAL
                              : stars == 4 ? v1::COUNCIL_LEVEL_PROVINCE
                                           : v1::COUNCIL_LEVEL_DISTRICT);
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
class Baseline {
 public:
  explicit Baseline(const std::string& location) {
    const std::string columns =
        "name TEXT, producer TEXT, display_name TEXT, product_group INTEGER, description TEXT, stars INTEGER, "
        "score INTEGER, certificate TEXT, decision_date TEXT, province TEXT)";
    auto database = ocop::store::Database::Open(
        location, ocop::store::Schema{{"CREATE TABLE flat (position INTEGER PRIMARY KEY, " + columns},
                                      {"CREATE TABLE flat (position BIGSERIAL PRIMARY KEY, " + columns}});
    if (!database.ok()) {
      std::fprintf(stderr, "baseline: %s\n", database.status().ToString().c_str());
      std::exit(2);
    }
    database_ = std::move(*database);
  }

  // Seconds to insert every product row in one transaction.
  double Insert(const Rows& rows) {
    const absl::Time start = absl::Now();
    absl::Status status = database_->Transact([&](ocop::store::Connection& connection) -> absl::Status {
      auto insert = connection.Prepare(
          "INSERT INTO flat(name, producer, display_name, product_group, description, stars, score, certificate, "
          "decision_date, province) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      if (!insert.ok()) return insert.status();
      for (const auto& row : rows.products) {
        const v1::Product& product = row.product();
        insert->Bind(1, product.external_id()).Bind(2, row.producer_external_id()).Bind(3, product.display_name())
            .Bind(4, static_cast<int64_t>(product.group())).Bind(5, product.description())
            .Bind(6, static_cast<int64_t>(product.rating().score() / 20))
            .Bind(7, static_cast<int64_t>(product.rating().score()))
            .Bind(8, product.rating().certificate_number()).Bind(9, product.rating().decision_date()).Bind(10, "19");
        absl::Status run = insert->Run();
        if (!run.ok()) return run;
        insert->Reset();
      }
      return absl::OkStatus();
    });
    if (!status.ok()) {
      std::fprintf(stderr, "baseline insert: %s\n", status.ToString().c_str());
      std::exit(2);
    }
    return absl::ToDoubleSeconds(absl::Now() - start);
  }

  void Report() {
    int64_t total = 0;
    (void)database_->Read([&](ocop::store::Connection& connection) -> absl::Status {
      auto select = connection.Prepare(
          "SELECT stars, COUNT(*) FROM flat WHERE decision_date <= '2025-06-30' GROUP BY stars ORDER BY stars");
      if (!select.ok()) return select.status();
      while (*select->Step()) total += select->ColumnInt(1);
      return absl::OkStatus();
    });
    if (total == 0) std::exit(2);
  }

 private:
  std::unique_ptr<ocop::store::Database> database_;
};

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

struct EngineFigures {
  double baseline_rows = 0;  // rows/s
  double baseline_report = 0;  // s
  double import_seconds = 0;
  double by_stars = 0;  // s
  double by_province = 0;
  double expiring = 0;
  int64_t certified = 0;
};

EngineFigures Measure(const std::string& baseline_location, const std::string& registry_location,
                      const std::string& key_dir, const Rows& rows, int repeats) {
  EngineFigures figures;
  Baseline baseline(baseline_location);
  figures.baseline_rows = rows.products.size() / baseline.Insert(rows);
  figures.baseline_report = Median(repeats, [&] { baseline.Report(); });

  auto harness = ocop::testing::RegistryHarness::Start(registry_location, key_dir);
  if (!harness.ok()) {
    std::fprintf(stderr, "registry: %s\n", harness.status().ToString().c_str());
    std::exit(2);
  }
  auto stub = (*harness)->Stub();
  figures.import_seconds = ImportOverGrpc(*stub, rows);

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
  figures.by_stars = Median(repeats, [&] { report_by({v1::REPORT_DIMENSION_STARS}); });
  figures.certified = report.total();
  figures.by_province = Median(repeats, [&] {
    report_by({v1::REPORT_DIMENSION_PROVINCE, v1::REPORT_DIMENSION_PRODUCT_GROUP});
  });
  figures.expiring = Median(repeats, [&] {
    v1::ListExpiringCertificatesRequest request;
    request.set_as_of("2026-06-30");
    request.set_within_days(60);
    request.set_page_size(100);
    v1::ListExpiringCertificatesResponse response;
    auto context = Context("bench");
    if (!stub->ListExpiringCertificates(context.get(), request, &response).ok()) std::exit(1);
  });
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int product_count = absl::GetFlag(FLAGS_products);
  const int repeats = absl::GetFlag(FLAGS_report_repeats);
  ocop::testing::TempDir dir;
  const Rows rows = MakeRows(absl::GetFlag(FLAGS_producers), product_count);

  // The PostgreSQL to measure: an operator's server, or a durable local one.
  std::unique_ptr<ocop::testing::PostgresServer> server;
  absl::StatusOr<std::vector<std::string>> postgres =
      ocop::testing::BenchmarkDatabases(absl::GetFlag(FLAGS_db), 2, &server);
  if (!postgres.ok()) {
    std::fprintf(stderr, "PostgreSQL: %s\n", postgres.status().ToString().c_str());
    return 2;
  }
  const char* names[2] = {"SQLite", "PostgreSQL"};
  EngineFigures figures[2] = {
      Measure(dir.File("flat.db"), dir.File("registry.db"), dir.File("sqlite-keys"), rows, repeats),
      Measure((*postgres)[0], (*postgres)[1], dir.File("postgres-keys"), rows, repeats)};

  const int total_rows = static_cast<int>(rows.producers.size() + rows.products.size());
  std::printf("registry import: %d producers + %d products in one transaction, on each engine\n",
              static_cast<int>(rows.producers.size()), product_count);
  bool ok = true;
  for (int engine = 0; engine < 2; ++engine) {
    const EngineFigures& f = figures[engine];
    const double import_rows = product_count / f.import_seconds;
    const double import_ratio = import_rows / f.baseline_rows;
    const double report_ratio = f.by_stars / f.baseline_report;
    std::printf("%s\n", names[engine]);
    std::printf("  baseline (plain insert):           %9.0f rows/s\n", f.baseline_rows);
    std::printf("  ImportRecords over gRPC:           %9.0f product rows/s, %.0f rows/s all (%.2f s)  ratio %.3f\n",
                import_rows, total_rows / f.import_seconds, f.import_seconds, import_ratio);
    std::printf("  reports over %lld certified products (median of %d):\n", static_cast<long long>(f.certified),
                repeats);
    std::printf("  baseline (flat GROUP BY):          %8.1f ms\n", f.baseline_report * 1e3);
    std::printf("  certified as_of, by stars:         %8.1f ms  ratio %.1fx the baseline time\n", f.by_stars * 1e3,
                report_ratio);
    std::printf("  certified as_of, by province+group:%8.1f ms\n", f.by_province * 1e3);
    std::printf("  expiring certificates (page 100):  %8.1f ms\n", f.expiring * 1e3);
    if (import_ratio < 0.01) {
      std::printf("GOAL MISSED: %s import below 1%% of plain inserts\n", names[engine]);
      ok = false;
    }
    if (report_ratio > 40) {
      std::printf("GOAL MISSED: %s report by stars over 40x the flat GROUP BY\n", names[engine]);
      ok = false;
    }
  }
  std::printf("PostgreSQL against SQLite: import %.2f, report by stars %.2fx the time\n",
              figures[0].import_seconds / figures[1].import_seconds, figures[1].by_stars / figures[0].by_stars);
  if (ok) std::printf("goals met\n");
  return ok ? 0 : 1;
}
