// The metrics library, the gRPC server's per-RPC metrics and the store's transaction metrics, read
// back from the same text a scrape gets and checked with Debian's promtool.
#include "common/metrics/metrics.h"

#include <grpcpp/client_context.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "common/grpc/client.h"
#include "common/grpc/server.h"
#include "common/store/database.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "tests/support/processes.h"
#include "tests/support/status_matchers.h"

namespace ocop::metrics {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::MetricSample;
using ::ocop::testing::MetricSum;
using ::ocop::testing::StatusIs;

double Sample(const std::string& series) { return MetricSample(TextExposition(), series).value_or(-1); }

TEST(Metrics, ScrapedValuesAreReadWhenScrapedSummedPerLabelsAndGoWithTheirOwner) {
  double depth = 3;
  {
    ScrapedValue first("test_queue_depth", "Items waiting.", {{"queue", "a"}}, [&] { return depth; });
    ScrapedValue second("test_queue_depth", "Items waiting.", {{"queue", "a"}}, [] { return 4.0; });
    ScrapedValue other("test_queue_depth", "Items waiting.", {{"queue", "b"}}, [] { return 1.0; });
    EXPECT_EQ(Sample("test_queue_depth{queue=\"a\"}"), 7);
    depth = 10;  // read again on the next scrape, not cached
    EXPECT_EQ(Sample("test_queue_depth{queue=\"a\"}"), 14);
    EXPECT_EQ(Sample("test_queue_depth{queue=\"b\"}"), 1);
    const std::string text = TextExposition();
    EXPECT_NE(text.find("# TYPE test_queue_depth gauge"), std::string::npos) << text;
  }
  EXPECT_EQ(TextExposition().find("test_queue_depth"), std::string::npos);
}

TEST(Metrics, TheEndpointServesEverythingAndPromtoolAcceptsIt) {
  CounterFamily("test_events_total", "Events seen.").Add({{"kind", "x"}}).Increment(5);
  ScrapedValue connections("test_connections", "Open connections.", {}, [] { return 2.0; });
  ScrapedValue served(
      "test_served_total", "Served.", {}, [] { return 9.0; }, ScrapedValue::Type::kCounter);
  HistogramFamily("test_wait_seconds", "Waits.").Add({}, LatencyBuckets()).Observe(0.003);

  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0");
  ASSERT_THAT(endpoint, IsOk());
  ocop::testing::HttpResult scraped = ocop::testing::HttpGet((*endpoint)->port(), "/metrics");
  ASSERT_EQ(scraped.status, 200) << scraped.headers;
  EXPECT_EQ(MetricSample(scraped.body, "test_events_total{kind=\"x\"}"), 5);
  EXPECT_EQ(MetricSample(scraped.body, "test_connections"), 2);
  EXPECT_EQ(MetricSample(scraped.body, "test_served_total"), 9);
  EXPECT_EQ(MetricSample(scraped.body, "test_wait_seconds_bucket{le=\"0.0025\"}"), 0);
  EXPECT_EQ(MetricSample(scraped.body, "test_wait_seconds_bucket{le=\"0.005\"}"), 1);
  EXPECT_THAT(ocop::testing::PromtoolCheck(scraped.body), IsOk());
  // promtool is not a rubber stamp: a counter without _total fails its lint.
  EXPECT_THAT(ocop::testing::PromtoolCheck("# HELP bad_events Events.\n# TYPE bad_events counter\nbad_events 1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, "_total"));

  // A port already taken: an error naming the address, not an exception.
  const std::string taken = "127.0.0.1:" + std::to_string((*endpoint)->port());
  EXPECT_THAT(MetricsEndpoint::Start(taken), StatusIs(absl::StatusCode::kInternal, taken));
}

// GetProducer answers OK for "producers/known" and NOT_FOUND otherwise; every other method is
// UNIMPLEMENTED (the generated base class).
class OneMethodService final : public registry::v1::RegistryService::Service {
 public:
  grpc::Status GetProducer(grpc::ServerContext*, const registry::v1::GetProducerRequest* request,
                           registry::v1::Producer* response) override {
    if (request->name() != "producers/known") return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such producer");
    response->set_name(request->name());
    return grpc::Status::OK;
  }
};

TEST(GrpcServerMetrics, EveryCallIsCountedByMethodAndStatusCodeAndTimed) {
  OneMethodService service;
  auto server = grpcutil::GrpcServer::Start(grpcutil::ServerOptions{}, {&service});
  ASSERT_THAT(server, IsOk());
  auto stub =
      registry::v1::RegistryService::NewStub(grpcutil::MakeChannel("127.0.0.1:" + std::to_string((*server)->port())));
  const auto call = [&](const std::string& name) {
    grpc::ClientContext context;
    registry::v1::GetProducerRequest request;
    request.set_name(name);
    registry::v1::Producer producer;
    return stub->GetProducer(&context, request, &producer).error_code();
  };
  ASSERT_EQ(call("producers/known"), grpc::StatusCode::OK);
  ASSERT_EQ(call("producers/known"), grpc::StatusCode::OK);
  ASSERT_EQ(call("producers/other"), grpc::StatusCode::NOT_FOUND);
  {
    grpc::ClientContext context;
    registry::v1::ListProducersResponse listed;
    ASSERT_EQ(stub->ListProducers(&context, {}, &listed).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  }

  const std::string text = TextExposition();
  const std::string labels =
      "grpc_method=\"GetProducer\",grpc_service=\"ocop.registry.v1.RegistryService\","
      "grpc_type=\"unary\"";
  EXPECT_EQ(MetricSample(text, "grpc_server_started_total{" + labels + "}"), 3) << text;
  EXPECT_EQ(MetricSample(text, "grpc_server_handled_total{grpc_code=\"OK\"," + labels + "}"), 2);
  EXPECT_EQ(MetricSample(text, "grpc_server_handled_total{grpc_code=\"NotFound\"," + labels + "}"), 1);
  EXPECT_EQ(MetricSum(text, "grpc_server_handled_total", {"grpc_method=\"ListProducers\"", "Unimplemented"}), 1);
  EXPECT_EQ(MetricSample(text, "grpc_server_handling_seconds_count{" + labels + "}"), 3);
  EXPECT_EQ(MetricSample(text, "grpc_server_handling_seconds_bucket{" + labels + ",le=\"+Inf\"}"), 3);
  EXPECT_THAT(ocop::testing::PromtoolCheck(text), IsOk());
}

TEST(StoreMetrics, TransactionsAreTimedByKindAndFailuresCountedByCode) {
  ocop::testing::TempDir dir;
  auto database = store::Database::Open(dir.File("m.db"), {"CREATE TABLE t (x INTEGER)"});
  ASSERT_THAT(database, IsOk());
  const std::string writes = "ocop_db_transaction_seconds_count{engine=\"sqlite\",kind=\"write\"}";
  const std::string reads = "ocop_db_transaction_seconds_count{engine=\"sqlite\",kind=\"read\"}";
  const std::string not_found =
      "ocop_db_transactions_failed_total{code=\"NOT_FOUND\",engine=\"sqlite\",kind=\"write\"}";
  const double writes_before = std::max(0.0, Sample(writes));  // migrations ran in transactions of their own
  const double reads_before = std::max(0.0, Sample(reads));

  ASSERT_THAT((*database)->Transact([](store::Connection& c) { return c.Execute("INSERT INTO t VALUES (1)"); }),
              IsOk());
  EXPECT_THAT((*database)->Transact([](store::Connection& c) {
    c.Execute("INSERT INTO t VALUES (2)").IgnoreError();
    return absl::NotFoundError("nothing to change");
  }),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_THAT((*database)->Read([](store::Connection& c) { return c.Execute("SELECT x FROM t"); }), IsOk());

  EXPECT_EQ(Sample(writes), writes_before + 2);
  EXPECT_EQ(Sample(reads), reads_before + 1);
  EXPECT_EQ(Sample(not_found), 1);
}

TEST(OperationsGuide, TheExampleAlertRulesAreValidRulesOnMetricsWeServe) {
  std::ifstream in(std::string(OCOP_SOURCE_DIR) + "/docs/operations.md");
  const std::string guide((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t start = guide.find("```yaml\n");
  ASSERT_NE(start, std::string::npos) << "docs/operations.md has no yaml block";
  const size_t end = guide.find("```\n", start + 8);
  ASSERT_NE(end, std::string::npos);
  const std::string rules = guide.substr(start + 8, end - start - 8);
  ocop::testing::TempDir dir;
  {
    std::ofstream out(dir.File("rules.yml"));
    out << rules;
  }
  const std::string checked =
      ocop::testing::RunCommand("promtool check rules '" + dir.File("rules.yml") + "' 2>&1; echo \"exit $?\"");
  EXPECT_TRUE(absl::EndsWith(checked, "exit 0\n")) << checked;
  EXPECT_NE(checked.find("SUCCESS"), std::string::npos) << checked;
}

}  // namespace
}  // namespace ocop::metrics
