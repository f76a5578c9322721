// The whole flow end to end: redis-server and the four service binaries run as separate
// processes on ports chosen at run time; the test drives them over gRPC and HTTP.
#include <gtest/gtest.h>
#include <iterator>
#include <random>
#include <regex>
#include <set>

#include <filesystem>
#include <sys/stat.h>

#include <fstream>
#include <cstdio>
#include <algorithm>
#include <map>
#include <sstream>
#include <atomic>
#include <mutex>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "nlohmann/json.hpp"
#include "absl/strings/str_cat.h"
#include "common/grpc/client.h"
#include "common/grpc/proto_time.h"
#include "common/keys/key_store.h"
#include "common/keys/secret_files.h"
#include "common/token/base32.h"
#include "common/token/token.h"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "ocop/lookup/v1/lookup.grpc.pb.h"
#include "ocop/registry/v1/evaluation.grpc.pb.h"
#include "ocop/registry/v1/identity.grpc.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "ocop/stamp/v1/stamp.grpc.pb.h"
#include "tests/support/deployment.h"
#include "tests/support/processes.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_ca.h"

namespace ocop {
namespace {

using ::ocop::testing::ChildProcess;
using ::ocop::testing::IsOk;

constexpr char kServicesDir[] = OCOP_SERVICES_DIR;

// The bootstrap admin's access token, from a real login in SetUp().
std::string admin_token;

// A 10 s deadline and `token` (default: the admin's) as the caller's credential.
std::unique_ptr<grpc::ClientContext> Context(const std::string& token = admin_token) {
  auto context = std::make_unique<grpc::ClientContext>();
  grpcutil::PrepareContext(*context, absl::Seconds(10));
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

std::string Address(int port) { return ocop::testing::Deployment::LoopbackAddress(port); }

class EndToEndTest : public ::testing::Test {
 protected:
  using Person = ocop::testing::Deployment::Person;

  void SetUp() override {
    ocop::testing::DeploymentOptions options;
    options.services_dir = kServicesDir;
    options.stamp_flags = {"--max_roll_count=1000"};
    // Every test client is 127.0.0.1; the polling tests stay under this.
    options.lookup_flags = {"--rate_limit_per_s=20", "--rate_limit_burst=100", "--scan_history_interval_s=1"};
    ASSERT_THAT(system_.Start(options), IsOk());
    admin_token = system_.admin_token();
    http_port_ = system_.http_port();
    identity_ = registry::v1::IdentityService::NewStub(grpcutil::MakeChannel(Address(ports_["registry"])));
    registry_ = registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(Address(ports_["registry"])));
    batches_ = batch::v1::BatchService::NewStub(grpcutil::MakeChannel(Address(ports_["batch"])));
    stamp_ = stamp::v1::StampService::NewStub(grpcutil::MakeChannel(Address(ports_["stamp"])));
    lookup_ = lookup::v1::LookupService::NewStub(grpcutil::MakeChannel(Address(ports_["lookup"])));
  }

  // A person with `role` (and scope), created by the admin and logged in with a password.
  Person SignIn(const std::string& username, const std::string& role, const std::string& producer = "",
                const std::string& province = "") {
    absl::StatusOr<Person> person = system_.SignIn(username, role, producer, province);
    EXPECT_THAT(person, IsOk());
    return person.ok() ? *person : Person{};
  }

  void TearDown() override {
    // On failure, the services' own words are the quickest way to the cause.
    if (!HasFailure()) return;
    for (const char* name : {"registry", "batch", "stamp", "lookup", "lookup2"}) {
      std::ifstream log(dir_.File(std::string(name) + ".log"));
      std::stringstream text;
      text << log.rdbuf();
      std::fprintf(stderr, "----- %s.log -----\n%s\n", name, text.str().c_str());
    }
  }

  std::vector<std::string> LookupFlags(const std::string& name) { return system_.LookupFlags(name); }

  // Starts build/services/{binary}/{binary} (default: `name`) on port 0 and returns the port it
  // bound; its files are named after `name`.
  int Launch(const std::string& name, std::vector<std::string> flags, std::string binary = "") {
    absl::StatusOr<int> port = system_.Launch(name, std::move(flags), std::move(binary));
    EXPECT_THAT(port, IsOk());
    return port.ok() ? *port : 0;
  }

  void StopService(const std::string& name) { system_.Stop(name); }

  // Stops `name` and starts it again on the same port with `extra_flags` added.
  void RestartService(const std::string& name, const std::vector<std::string>& extra_flags) {
    ASSERT_THAT(system_.Restart(name, extra_flags), IsOk());
  }

  // Registers the demo tea cooperative, its 4-star tea, a batch with one event and a roll of 10.
  void RegisterTeaWithStamps() {
    registry::v1::CreateProducerRequest producer_request;
    producer_request.set_request_id("e2e-producer");
    registry::v1::Producer* producer = producer_request.mutable_producer();
    producer->set_display_name("HTX Chè Tân Cương");
    producer->set_kind(registry::v1::PRODUCER_KIND_COOPERATIVE);
    producer->mutable_address()->set_province_code("19");
    producer->mutable_address()->set_province_name("Tỉnh Thái Nguyên");
    producer->mutable_address()->set_commune_code("05503");
    producer->mutable_address()->set_commune_name("Xã Tân Cương");
    ASSERT_TRUE(registry_->CreateProducer(Context().get(), producer_request, &producer_).ok());

    registry::v1::CreateProductRequest product_request;
    product_request.mutable_product()->set_producer(producer_.name());
    product_request.mutable_product()->set_display_name("Chè Tân Cương đặc biệt");
    product_request.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
    registry::v1::OcopRating* rating = product_request.mutable_product()->mutable_rating();
    rating->set_score(78);
    rating->set_stars(4);
    rating->set_certificate_number("TN-OCOP-2025-001");
    rating->set_valid_until("2099-06-30");
    rating->set_council_level(registry::v1::COUNCIL_LEVEL_PROVINCE);
    rating->set_decision_number("123/QĐ-UBND");
    rating->set_decision_date("2020-06-30");
    ASSERT_TRUE(registry_->CreateProduct(Context().get(), product_request, &product_).ok());

    batch::v1::CreateBatchRequest batch_request;
    batch_request.mutable_batch()->set_product(product_.name());
    batch_request.mutable_batch()->set_lot_code("TC-2026-03-A");
    batch_request.mutable_batch()->set_harvest_date("2026-03-14");
    batch_request.mutable_batch()->set_quantity(250);
    batch_request.mutable_batch()->set_unit("kg");
    ASSERT_TRUE(batches_->CreateBatch(Context().get(), batch_request, &batch_).ok());
    AppendEvent("ocop:harvesting");

    stamp::v1::IssueRollRequest roll_request;
    roll_request.mutable_roll()->set_batch(batch_.name());
    roll_request.mutable_roll()->set_count(10);
    ASSERT_TRUE(stamp_->IssueRoll(Context().get(), roll_request, &roll_).ok());
    ActivateStamps(roll_, roll_.first_serial(), 10);
    stamp::v1::StreamStampsRequest stream_request;
    stream_request.set_roll(roll_.name());
    stream_request.set_format(stamp::v1::IMAGE_FORMAT_SVG);
    stream_request.set_count(2);
    stream_request.set_printer("e2e-printer");
    // Stamps (tokens, PINs) stream only to the producer or the printer the roll is assigned to.
    producer_user_ = SignIn("htx-tancuong", "producer", producer_.name());
    auto context = Context(producer_user_.token);
    auto reader = stamp_->StreamStamps(context.get(), stream_request);
    stamp::v1::RenderedStamp stamp;
    while (reader->Read(&stamp)) urls_.push_back(stamp.url());
    ASSERT_TRUE(reader->Finish().ok());
    ASSERT_EQ(urls_.size(), 2u);
  }

  void ActivateStamps(stamp::v1::Roll& roll, uint64_t first_serial, int64_t count) {
    stamp::v1::ChangeStampsRequest request;
    request.set_roll(roll.name());
    request.set_first_serial(first_serial);
    request.set_count(count);
    ASSERT_TRUE(stamp_->ActivateStamps(Context().get(), request, &roll).ok());
  }

  void AppendEvent(const std::string& step) {
    batch::v1::AppendEventRequest request;
    request.set_parent(batch_.name());
    request.mutable_event()->set_type(batch::v1::EVENT_TYPE_OBJECT);
    request.mutable_event()->set_biz_step(step);
    grpcutil::ToProtoTime(absl::Now() - absl::Minutes(5), request.mutable_event()->mutable_event_time());
    batch::v1::BatchEvent event;
    ASSERT_TRUE(batches_->AppendEvent(Context().get(), request, &event).ok());
  }

  // A new product of the tea cooperative rated `score` (stars from the official bands) with a
  // certificate valid until `valid_until` (suspended when asked), a lot of it and one activated
  // stamp: returns the stamp's token.
  std::string NewProductStamp(const std::string& display_name, int score, const std::string& valid_until,
                              bool suspend) {
    registry::v1::CreateProductRequest create;
    create.mutable_product()->set_producer(producer_.name());
    create.mutable_product()->set_display_name(display_name);
    create.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_FOOD);
    registry::v1::OcopRating* rating = create.mutable_product()->mutable_rating();
    rating->set_score(score);
    rating->set_council_level(registry::v1::COUNCIL_LEVEL_PROVINCE);
    rating->set_decision_date("2019-06-30");
    rating->set_valid_until(valid_until);
    if (score >= 50) {
      rating->set_certificate_number("TN-" + display_name);
      rating->set_decision_number("77/QĐ-UBND");
    }
    registry::v1::Product product;
    grpc::Status status = registry_->CreateProduct(Context().get(), create, &product);
    EXPECT_TRUE(status.ok()) << status.error_message();
    if (suspend) {
      registry::v1::UpdateProductRequest update;
      update.mutable_product()->set_name(product.name());
      update.mutable_product()->set_status(registry::v1::PRODUCT_STATUS_SUSPENDED);
      update.mutable_update_mask()->add_paths("status");
      EXPECT_TRUE(registry_->UpdateProduct(Context().get(), update, &product).ok());
    }
    batch::v1::CreateBatchRequest lot;
    lot.mutable_batch()->set_product(product.name());
    lot.mutable_batch()->set_lot_code("LOT-1");
    lot.mutable_batch()->set_harvest_date("2026-03-14");
    lot.mutable_batch()->set_quantity(5);
    lot.mutable_batch()->set_unit("kg");
    batch::v1::Batch batch;
    EXPECT_TRUE(batches_->CreateBatch(Context().get(), lot, &batch).ok());
    stamp::v1::IssueRollRequest issue;
    issue.mutable_roll()->set_batch(batch.name());
    issue.mutable_roll()->set_count(1);
    stamp::v1::Roll roll;
    EXPECT_TRUE(stamp_->IssueRoll(Context().get(), issue, &roll).ok());
    ActivateStamps(roll, roll.first_serial(), 1);
    stamp::v1::GetStampRequest get;
    get.set_name(absl::StrCat("stamps/", roll.first_serial()));
    stamp::v1::Stamp stamp;
    EXPECT_TRUE(stamp_->GetStamp(Context(producer_user_.token).get(), get, &stamp).ok());
    return stamp.token();
  }

  grpc::Status Resolve(const std::string& code, lookup::v1::ResolveResponse* response) {
    lookup::v1::ResolveRequest request;
    request.set_code(code);
    return lookup_->Resolve(Context().get(), request, response);
  }

  static std::string TokenOf(const std::string& url) { return url.substr(url.rfind('/') + 1); }

  // Every event of the test's lot, page by page, in sequence order.
  void ListAllEvents(std::vector<batch::v1::BatchEvent>* events) {
    batch::v1::ListEventsRequest list;
    list.set_parent(batch_.name());
    list.set_page_size(1000);
    do {
      batch::v1::ListEventsResponse page;
      ASSERT_TRUE(batches_->ListEvents(Context().get(), list, &page).ok());
      events->insert(events->end(), page.events().begin(), page.events().end());
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
  }

  ocop::testing::Deployment system_;
  const ocop::testing::TempDir& dir_ = system_.dir();
  std::unique_ptr<ocop::testing::RedisServer>& redis_ = system_.redis;
  std::map<std::string, std::unique_ptr<ChildProcess>>& processes_ = system_.processes;
  std::map<std::string, std::vector<std::string>>& argv_ = system_.argv;
  std::map<std::string, int>& ports_ = system_.ports;
  int http_port_ = 0;
  std::unique_ptr<registry::v1::RegistryService::Stub> registry_;
  std::unique_ptr<batch::v1::BatchService::Stub> batches_;
  std::unique_ptr<stamp::v1::StampService::Stub> stamp_;
  std::unique_ptr<lookup::v1::LookupService::Stub> lookup_;
  std::unique_ptr<registry::v1::IdentityService::Stub> identity_;
  Person producer_user_;
  registry::v1::Producer producer_;
  registry::v1::Product product_;
  batch::v1::Batch batch_;
  stamp::v1::Roll roll_;
  std::vector<std::string> urls_;
};

TEST_F(EndToEndTest, RegisterBatchStampScanOverGrpcAndHttp) {
  RegisterTeaWithStamps();
  EXPECT_TRUE(urls_[0].starts_with("HTTPS://OCOP.TN.GOV.VN/S/"));
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE);
  EXPECT_EQ(result.stamp().batch(), batch_.name());
  EXPECT_EQ(result.batch().lot_code(), "TC-2026-03-A");
  EXPECT_EQ(result.product().ocop().stars(), 4);
  EXPECT_EQ(result.producer().name(), producer_.name());
  ASSERT_EQ(result.events_size(), 1);

  ocop::testing::HttpResult page = ocop::testing::HttpGet(http_port_, "/s/" + absl::AsciiStrToLower(TokenOf(urls_[1])));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Tem chính hãng"), std::string::npos);
  EXPECT_NE(page.body.find("Chè Tân Cương đặc biệt"), std::string::npos);
  EXPECT_NE(page.body.find("Xã Tân Cương"), std::string::npos);
  EXPECT_NE(page.headers.find("Cache-Control: no-store"), std::string::npos);

  ocop::testing::HttpResult json = ocop::testing::HttpGet(http_port_, "/v1/resolve/" + TokenOf(urls_[0]));
  EXPECT_EQ(json.status, 200);
  EXPECT_NE(json.body.find("\"verdict\":\"VERDICT_GENUINE\""), std::string::npos);
  EXPECT_NE(json.body.find("\"lotCode\":\"TC-2026-03-A\""), std::string::npos);
}

TEST_F(EndToEndTest, EveryServiceServesMetricsThatPromtoolAcceptsAndThatCountWhatHappened) {
  RegisterTeaWithStamps();
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  ASSERT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE);
  ASSERT_EQ(ocop::testing::HttpGet(http_port_, "/s/" + TokenOf(urls_[1])).status, 200);
  ASSERT_EQ(ocop::testing::HttpGet(http_port_, "/s/NOT-A-TOKEN").status, 400);
  // A forged stamp: a real token with a bit of its signature flipped.
  std::string bytes = *token::Base32Decode(TokenOf(urls_[1]));
  bytes[30] ^= 0x04;
  const std::string forged = token::Base32Encode(bytes);
  ASSERT_TRUE(Resolve("HTTPS://OCOP.TN.GOV.VN/S/" + forged, &result).ok());
  ASSERT_EQ(result.verdict(), lookup::v1::VERDICT_NOT_GENUINE);

  using ocop::testing::MetricSum;
  std::map<std::string, std::string> scraped;
  for (const char* service : {"registry", "batch", "stamp", "lookup"}) {
    scraped[service] = system_.Metrics(service);
    ASSERT_FALSE(scraped[service].empty()) << service << " serves no /metrics";
    EXPECT_THAT(ocop::testing::PromtoolCheck(scraped[service]), IsOk()) << service;
    // Every service's writes or reads went through its database; every one answered gRPC calls.
    EXPECT_GT(MetricSum(scraped[service], "grpc_server_handled_total", {"grpc_code=\"OK\""}).value_or(0), 0)
        << service;
  }
  for (const char* service : {"registry", "batch", "stamp"}) {
    EXPECT_GT(MetricSum(scraped[service], "ocop_db_transaction_seconds_count", {"kind=\"write\""}).value_or(0), 0)
        << service;
  }
  EXPECT_EQ(MetricSum(scraped["registry"], "grpc_server_handled_total",
                      {"grpc_method=\"CreateProduct\"", "grpc_code=\"OK\""}),
            1);
  EXPECT_EQ(MetricSum(scraped["stamp"], "grpc_server_handled_total", {"grpc_method=\"IssueRoll\"", "grpc_code=\"OK\""}),
            1);

  const std::string& lookup = scraped["lookup"];
  EXPECT_EQ(MetricSum(lookup, "ocop_lookup_scans_total", {"verdict=\"genuine\""}), 2) << lookup;
  EXPECT_EQ(MetricSum(lookup, "ocop_lookup_scans_total", {"verdict=\"not_genuine\""}), 1);
  EXPECT_EQ(MetricSum(lookup, "ocop_lookup_scans_total", {"verdict=\"unreadable\""}), 1);
  EXPECT_EQ(MetricSum(lookup, "ocop_http_requests_total", {"route=\"scan_page\"", "code=\"2xx\""}), 1);
  EXPECT_EQ(MetricSum(lookup, "ocop_http_requests_total", {"route=\"scan_page\"", "code=\"4xx\""}), 1);
  EXPECT_EQ(MetricSum(lookup, "grpc_server_handled_total", {"grpc_method=\"Resolve\"", "grpc_code=\"OK\""}), 2);
  // The first scan fetched the roll from the stamp service; the second found it in memory.
  EXPECT_GE(MetricSum(lookup, "ocop_lookup_cache_lookups_total", {"entity=\"roll\"", "level=\"backend\""}), 1);
  EXPECT_GE(MetricSum(lookup, "ocop_lookup_cache_lookups_total", {"entity=\"roll\"", "level=\"memory\""}), 1);
  for (const char* feed : {"registry", "batch", "stamp"}) {
    EXPECT_EQ(MetricSum(lookup, "ocop_feed_follower_connected", {absl::StrCat("feed=\"", feed, "\"")}), 1) << feed;
  }
  EXPECT_TRUE(MetricSum(lookup, "ocop_lookup_scan_queue_depth").has_value());
  EXPECT_TRUE(MetricSum(lookup, "ocop_http_open_connections").has_value());
  // Every metric the example alert rules of docs/operations.md use is one a service serves (the
  // PostgreSQL pool's only on PostgreSQL; this deployment runs SQLite).
  std::ifstream guide_file(std::string(OCOP_SOURCE_DIR) + "/docs/operations.md");
  const std::string guide((std::istreambuf_iterator<char>(guide_file)), std::istreambuf_iterator<char>());
  const size_t rules_start = guide.find("```yaml");
  ASSERT_NE(rules_start, std::string::npos);
  const std::string rules = guide.substr(rules_start, guide.find("```\n", rules_start + 7) - rules_start);
  const std::regex metric_name("\\b(ocop|grpc_server)_[a-z_]+");  // not labels such as grpc_code
  int names = 0;
  for (auto it = std::sregex_iterator(rules.begin(), rules.end(), metric_name); it != std::sregex_iterator(); ++it) {
    std::string name = it->str();
    if (name.ends_with("_bucket")) name.resize(name.size() - 7);
    if (name.starts_with("ocop_db_pool_")) continue;
    ++names;
    EXPECT_TRUE(std::any_of(scraped.begin(), scraped.end(), [&](const auto& entry) {
      return entry.second.find("# TYPE " + name + " ") != std::string::npos;
    })) << name << " is in the alert rules but no service serves it";
  }
  EXPECT_GE(names, 10);
  // Nothing on /metrics names a stamp, a producer or a lot: labels are methods, codes, routes.
  for (const auto& [service, text] : scraped) {
    EXPECT_EQ(text.find(TokenOf(urls_[0])), std::string::npos) << service;
    EXPECT_EQ(text.find(producer_.name()), std::string::npos) << service;
    EXPECT_EQ(text.find(batch_.name()), std::string::npos) << service;
  }
}

// Every line every service writes is one JSON object, and one scan's request id, made at lookup's
// HTTP edge, is on the lines of every backend the scan reached; ocopctl's id likewise. (The
// deployment runs with --access_log_sample=1: every request gets its access line.)
TEST_F(EndToEndTest, OneRequestIdFollowsAScanThroughEveryServiceAndEveryLogLineIsJson) {
  RegisterTeaWithStamps();
  // A first scan: nothing cached, so lookup asks the stamp, batch and registry services.
  const ocop::testing::HttpResult page = ocop::testing::HttpGet(http_port_, "/s/" + TokenOf(urls_[1]));
  ASSERT_EQ(page.status, 200);
  std::smatch found;
  ASSERT_TRUE(std::regex_search(page.headers, found, std::regex("X-Request-Id: ([0-9a-f]{16})\r\n")))
      << page.headers;
  const std::string scan_id = found[1];
  // An id sent by a client that is not a trusted proxy is not taken.
  const ocop::testing::HttpResult chosen =
      ocop::testing::HttpGet(http_port_, "/s/" + TokenOf(urls_[1]), "X-Request-Id: chosen-by-me\r\n");
  EXPECT_EQ(chosen.headers.find("chosen-by-me"), std::string::npos) << chosen.headers;
  EXPECT_NE(chosen.headers.find("X-Request-Id: "), std::string::npos) << chosen.headers;

  // ocopctl makes an id of its own, prints it with the error, and sends it along.
  const std::string ocopctl = ocop::testing::RunCommand(absl::StrCat(
      "'", OCOP_OCOPCTL, "' resolve NOT-A-STAMP --lookup=", system_.Address("lookup"), " 2>&1"));
  ASSERT_TRUE(std::regex_search(ocopctl, found, std::regex("\\(request id ([0-9a-f]{16})\\)"))) << ocopctl;
  const std::string ocopctl_id = found[1];

  // Lines are written as requests end; the services have answered, so their lines are out.
  std::map<std::string, std::vector<nlohmann::json>> lines;
  for (const char* service : {"registry", "batch", "stamp", "lookup"}) {
    std::ifstream log(dir_.File(std::string(service) + ".log"));
    std::string line;
    while (std::getline(log, line)) {
      nlohmann::json parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      ASSERT_TRUE(parsed.is_object()) << service << ".log has a line that is not a JSON object: " << line;
      for (const char* key : {"time", "level", "service", "msg"}) {
        ASSERT_TRUE(parsed.contains(key) && parsed[key].is_string()) << service << ": no " << key << ": " << line;
      }
      EXPECT_EQ(parsed["service"], service) << line;
      lines[service].push_back(std::move(parsed));
    }
  }
  auto lines_of = [&](const std::string& service, const std::string& id) {
    std::vector<nlohmann::json> matching;
    for (const nlohmann::json& line : lines[service]) {
      if (line.value("request_id", "") == id) matching.push_back(line);
    }
    return matching;
  };
  // Lookup's access line for the page, and the backends' lines for the calls the scan made.
  bool page_line = false;
  for (const nlohmann::json& line : lines_of("lookup", scan_id)) {
    if (line["msg"] == "http" && line.value("status", 0) == 200 && line.value("method", "") == "GET") {
      page_line = true;
      EXPECT_EQ(line.value("path", ""), "/s/" + TokenOf(urls_[1]));
      EXPECT_TRUE(line.contains("ms") && line["ms"].is_number()) << line;
    }
  }
  EXPECT_TRUE(page_line) << "lookup logged no access line with the page's request id " << scan_id;
  for (const char* backend : {"stamp", "batch", "registry"}) {
    std::vector<nlohmann::json> reached = lines_of(backend, scan_id);
    ASSERT_FALSE(reached.empty()) << backend << " logged nothing with the scan's request id " << scan_id;
    EXPECT_EQ(reached.front()["msg"], "rpc") << reached.front();
    EXPECT_EQ(reached.front().value("code", ""), "OK") << reached.front();
    EXPECT_TRUE(absl::StartsWith(reached.front().value("method", ""), "/ocop.")) << reached.front();
  }
  // Nowhere else: the id is the scan's own.
  size_t other_ids = 0;
  for (const auto& [service, service_lines] : lines) {
    for (const nlohmann::json& line : service_lines) {
      if (line.contains("request_id") && line["request_id"] != scan_id) ++other_ids;
    }
  }
  EXPECT_GT(other_ids, 0u);  // the setup's calls have ids of their own
  const std::vector<nlohmann::json> refused = lines_of("lookup", ocopctl_id);
  ASSERT_EQ(refused.size(), 1u) << "lookup's lines for ocopctl's id " << ocopctl_id;
  EXPECT_EQ(refused[0]["msg"], "rpc");
  EXPECT_EQ(refused[0].value("method", ""), "/ocop.lookup.v1.LookupService/Resolve");
  EXPECT_EQ(refused[0].value("code", ""), "INVALID_ARGUMENT");
}

TEST_F(EndToEndTest, ARevokedStampShowsOnTheNextScanWithinASecond) {
  RegisterTeaWithStamps();
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[1], &result).ok());
  ASSERT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE);  // cached: stamp, roll, batch, product
  stamp::v1::ChangeStampsRequest revoke;
  revoke.set_roll(roll_.name());
  revoke.set_first_serial(result.stamp().serial());
  revoke.set_count(1);
  revoke.set_reason("reported stolen");
  stamp::v1::Roll roll;
  ASSERT_TRUE(stamp_->RevokeStamps(Context().get(), revoke, &roll).ok());
  absl::Time revoked = absl::Now();
  absl::Duration seen_after = absl::InfiniteDuration();
  while (absl::Now() - revoked < absl::Seconds(5)) {
    ASSERT_TRUE(Resolve(urls_[1], &result).ok());
    if (result.verdict() == lookup::v1::VERDICT_REVOKED) {
      seen_after = absl::Now() - revoked;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT(seen_after, absl::Seconds(1));
  ocop::testing::HttpResult page = ocop::testing::HttpGet(http_port_, "/S/" + TokenOf(urls_[1]));
  EXPECT_NE(page.body.find("Tem đã bị thu hồi"), std::string::npos);
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE);  // its neighbour is untouched
}

TEST_F(EndToEndTest, ARecallOfAnAncestorLotShowsOnTheNextScanWithinASecond) {
  RegisterTeaWithStamps();
  // A blend of the stamped lot's parent: the stamps are on a child of a child of the recalled lot.
  batch::v1::SplitBatchRequest split;
  split.set_parent(batch_.name());
  for (const auto& [code, quantity] : std::vector<std::pair<std::string, double>>{{"TC-A1", 200}, {"TC-A2", 50}}) {
    batch::v1::Batch* child = split.add_children();
    child->set_lot_code(code);
    child->set_quantity(quantity);
  }
  batch::v1::SplitBatchResponse children;
  ASSERT_TRUE(batches_->SplitBatch(Context().get(), split, &children).ok());
  stamp::v1::IssueRollRequest roll_request;
  roll_request.mutable_roll()->set_batch(children.children(1).name());
  roll_request.mutable_roll()->set_count(5);
  stamp::v1::Roll roll;
  ASSERT_TRUE(stamp_->IssueRoll(Context().get(), roll_request, &roll).ok());
  ActivateStamps(roll, roll.first_serial(), 5);
  stamp::v1::StreamStampsRequest stream_request;
  stream_request.set_roll(roll.name());
  stream_request.set_format(stamp::v1::IMAGE_FORMAT_SVG);
  stream_request.set_count(1);
  stream_request.set_printer("e2e-printer");
  auto context = Context(producer_user_.token);
  auto reader = stamp_->StreamStamps(context.get(), stream_request);
  stamp::v1::RenderedStamp stamp;
  ASSERT_TRUE(reader->Read(&stamp));
  while (reader->Read(&stamp)) {
  }
  ASSERT_TRUE(reader->Finish().ok());

  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(stamp.url(), &result).ok());
  ASSERT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE);  // cached now
  ASSERT_EQ(result.ancestors_size(), 1);
  ASSERT_EQ(result.events_size(), 2);  // the parent's harvest and its split
  EXPECT_TRUE(result.ancestors(0).has_checkpoint());  // the child itself has no events yet

  batch::v1::RecallBatchRequest recall;
  recall.set_name(batch_.name());
  recall.set_reason("Phát hiện nấm mốc trong kho");
  batch::v1::RecallBatchResponse recalled;
  ASSERT_TRUE(batches_->RecallBatch(Context().get(), recall, &recalled).ok());
  absl::Time recalled_at = absl::Now();
  absl::Duration seen_after = absl::InfiniteDuration();
  while (absl::Now() - recalled_at < absl::Seconds(5)) {
    ASSERT_TRUE(Resolve(stamp.url(), &result).ok());
    if (result.verdict() == lookup::v1::VERDICT_RECALLED) {
      seen_after = absl::Now() - recalled_at;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT(seen_after, absl::Seconds(1));
  ocop::testing::HttpResult page = ocop::testing::HttpGet(http_port_, "/s/" + absl::AsciiStrToLower(TokenOf(stamp.url())));
  EXPECT_NE(page.body.find("Lô hàng đã bị thu hồi"), std::string::npos);
  EXPECT_NE(page.body.find("Phát hiện nấm mốc trong kho"), std::string::npos);
  EXPECT_NE(page.headers.find("Cache-Control: no-store"), std::string::npos);
}

TEST_F(EndToEndTest, ScansOfAGenuineStampReachTheStampServicesHistoryWithoutAddresses) {
  RegisterTeaWithStamps();
  for (int i = 0; i < 3; ++i) {
    ocop::testing::HttpResult page = ocop::testing::HttpGet(http_port_, "/S/" + TokenOf(urls_[0]));
    ASSERT_EQ(page.status, 200);
  }
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  stamp::v1::GetScanStatsRequest stats;
  stats.set_producer(producer_.name());
  stats.set_group_by(stamp::v1::SCAN_GROUP_BY_STAMP);
  stamp::v1::GetScanStatsResponse response;
  absl::Time start = absl::Now();
  while (absl::Now() - start < absl::Seconds(5)) {
    response.Clear();
    ASSERT_TRUE(stamp_->GetScanStats(Context("").get(), stats, &response).error_code() ==
                grpc::StatusCode::UNAUTHENTICATED);  // statistics are not public
    ASSERT_TRUE(stamp_->GetScanStats(Context(producer_user_.token).get(), stats, &response).ok());
    if (response.rows_size() == 1 && response.rows(0).scans() == 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(response.rows_size(), 1);
  EXPECT_EQ(response.rows(0).key(), absl::StrCat(result.stamp().serial()));
  EXPECT_EQ(response.rows(0).scans(), 4);
  EXPECT_EQ(response.rows(0).distinct_clients(), 1);  // every test client is 127.0.0.1
  struct stat salt;
  ASSERT_EQ(stat(dir_.File("secrets/scan-salt").c_str(), &salt), 0);
  EXPECT_EQ(salt.st_mode & 0777, 0600);
}

// A person's view: Debian's chromium renders the scan page at a phone's size (tests/js/check-scan-page.js):
// the verdict on the first screen, the product and the lot visible, no horizontal scroll, nothing
// loaded but the page itself. The screenshots stay in build/test-artifacts/.
TEST_F(EndToEndTest, TheScanPageReadsWellInAPhoneBrowser) {
  RegisterTeaWithStamps();
  std::filesystem::create_directories(OCOP_ARTIFACT_DIR);
  const std::string script = std::string(OCOP_SOURCE_DIR) + "/tests/js/check-scan-page.js";
  const std::string page = absl::StrCat("http://127.0.0.1:", http_port_, "/s/", absl::AsciiStrToLower(TokenOf(urls_[0])));
  std::string vietnamese = ocop::testing::RunCommand(absl::StrCat(
      "node '", script, "' '", page, "' '", OCOP_ARTIFACT_DIR, "/scan-page-vi.png' 'Tem chính hãng' "
      "'Chè Tân Cương đặc biệt' 'TC-2026-03-A' 'Xã Tân Cương' 2>&1"));
  EXPECT_NE(vietnamese.find("\"ok\":true"), std::string::npos) << vietnamese;
  std::string english = ocop::testing::RunCommand(absl::StrCat(
      "node '", script, "' '", page, "?lang=en' '", OCOP_ARTIFACT_DIR, "/scan-page-en.png' 'Genuine stamp' "
      "'From the field' 2>&1"));
  EXPECT_NE(english.find("\"ok\":true"), std::string::npos) << english;
  std::string forged = ocop::testing::RunCommand(absl::StrCat(
      "node '", script, "' 'http://127.0.0.1:", http_port_, "/s/", std::string(90, 'a'), "' '", OCOP_ARTIFACT_DIR,
      "/scan-page-invalid.png' 'Mã không hợp lệ' 2>&1"));
  EXPECT_NE(forged.find("\"ok\":true"), std::string::npos) << forged;
}

// The product's OCOP standing in words, as a phone shows it: stars only when certified that day;
// an expired certificate, a 2-star rating and a suspended product say so without stars; and an
// outage shows the calm "cannot check right now" page, never "counterfeit".
TEST_F(EndToEndTest, ThePageStatesTheOcopStandingInWordsAndAnOutageCalmly) {
  RegisterTeaWithStamps();
  const std::string expired = NewProductStamp("Mật ong Định Hoá", 78, "2020-01-31", false);
  const std::string two_stars = NewProductStamp("Miến dong Bắc Kạn", 40, "2099-12-31", false);
  const std::string suspended = NewProductStamp("Rượu men lá Ba Bể", 78, "2099-12-31", true);
  const std::string outage = NewProductStamp("Chè búp khô", 78, "2099-12-31", false);
  // Warm every view but the outage stamp's, then take the batch service away.
  lookup::v1::ResolveResponse result;
  for (const std::string& token : {TokenOf(urls_[0]), expired, two_stars, suspended}) {
    ASSERT_TRUE(Resolve(token, &result).ok());
  }
  EXPECT_EQ(result.product().ocop().state(), lookup::v1::OCOP_MARK_STATE_SUSPENDED);
  EXPECT_EQ(result.product().ocop().stars(), 0);
  StopService("batch");
  EXPECT_EQ(ocop::testing::HttpGet(http_port_, "/s/" + outage).status, 503);

  std::filesystem::create_directories(OCOP_ARTIFACT_DIR);
  const std::string base = absl::StrCat("http://127.0.0.1:", http_port_, "/s/");
  auto page = [&](const std::string& token, const std::string& name, std::vector<std::string> expected,
                  std::vector<std::string> absent) {
    nlohmann::json spec = {{"url", base + token},
                           {"screenshot", absl::StrCat(OCOP_ARTIFACT_DIR, "/scan-page-", name, ".png")},
                           {"expected", expected},
                           {"absent", absent}};
    return spec;
  };
  nlohmann::json pages = nlohmann::json::array({
      page(TokenOf(urls_[0]), "certified", {"★★★★☆", "Sản phẩm OCOP 4 sao, chứng nhận còn hiệu lực đến 2099-06-30"}, {}),
      page(expired, "expired", {"Chứng nhận OCOP đã hết hạn ngày 2020-01-31"}, {"★", "Sản phẩm OCOP 4 sao"}),
      page(two_stars, "not-certified", {"Tem chính hãng", "Sản phẩm chưa được công nhận OCOP", "Not OCOP-certified"},
           {"★", "OCOP 2 sao"}),
      page(suspended, "suspended", {"Tem chính hãng", "Chứng nhận OCOP của sản phẩm đang bị tạm dừng"},
           {"★", "OCOP 4 sao"}),
      page(outage, "outage", {"Chưa kiểm tra được tem lúc này", "This stamp cannot be checked right now"},
           {"Tem không hợp lệ"}),
  });
  const std::string spec = dir_.File("pages.json");
  std::ofstream(spec) << pages.dump();
  std::string output = ocop::testing::RunCommand(
      absl::StrCat("node '", OCOP_SOURCE_DIR, "/tests/js/check-scan-page.js' '", spec, "' 2>&1"));
  for (const char* name : {"certified", "expired", "not-certified", "suspended", "outage"}) {
    EXPECT_NE(output.find(absl::StrCat("/scan-page-", name)), std::string::npos);
  }
  EXPECT_EQ(output.find("\"ok\":false"), std::string::npos) << output;
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 5) << output;
}

TEST_F(EndToEndTest, AForgedTokenIsRejectedWhileEveryBackendIsStopped) {
  RegisterTeaWithStamps();
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());  // lookup has the public keys by now
  StopService("registry");
  StopService("batch");
  StopService("stamp");
  redis_->Stop();

  std::string bytes = *token::Base32Decode(TokenOf(urls_[0]));
  bytes[30] ^= 0x04;  // a signature bit
  std::string forged = token::Base32Encode(bytes);
  ASSERT_TRUE(Resolve("HTTPS://OCOP.TN.GOV.VN/S/" + forged, &result).ok());
  EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_NOT_GENUINE);
  EXPECT_EQ(result.reason(), "signature does not verify");
  ocop::testing::HttpResult page = ocop::testing::HttpGet(http_port_, "/S/" + forged);
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Tem không hợp lệ"), std::string::npos);
  EXPECT_NE(page.body.find("Not a genuine stamp"), std::string::npos);
}

TEST_F(EndToEndTest, ANewBatchEventShowsOnTheNextLookupWithinASecond) {
  RegisterTeaWithStamps();
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  ASSERT_EQ(result.events_size(), 1);  // now cached in Redis and in memory
  AppendEvent("packing");
  absl::Time appended = absl::Now();
  absl::Duration seen_after = absl::InfiniteDuration();
  while (absl::Now() - appended < absl::Seconds(5)) {
    ASSERT_TRUE(Resolve(urls_[0], &result).ok());
    if (result.events_size() == 2) {
      seen_after = absl::Now() - appended;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT(seen_after, absl::Seconds(1));
  EXPECT_EQ(result.events(1).biz_step(), "packing");
}

TEST_F(EndToEndTest, AClosedEvaluationRoundShowsOnTheScanPageWithinASecond) {
  RegisterTeaWithStamps();
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  ASSERT_EQ(result.product().ocop().stars(), 4);  // cached now
  auto evaluation = registry::v1::EvaluationService::NewStub(grpcutil::MakeChannel(Address(ports_["registry"])));
  const Person office_user = SignIn("office-1", "office", "", "19");
  const Person council_member = SignIn("tw-1", "council");
  auto office = [&] { return Context(office_user.token); };
  registry::v1::CreateRoundRequest round_request;
  registry::v1::EvaluationRound* round = round_request.mutable_round();
  round->set_display_name("Hội đồng Trung ương");
  round->set_province_code("19");
  round->set_year(2026);
  round->set_council_level(registry::v1::COUNCIL_LEVEL_CENTRAL);
  round->set_criteria_set("criteriaSets/ocop-2023");
  round->add_council_members(council_member.name);
  round->set_certificate_prefix("TW-OCOP-2026-");
  registry::v1::EvaluationRound created;
  ASSERT_TRUE(evaluation->CreateRound(office().get(), round_request, &created).ok());
  registry::v1::CreateDossierRequest dossier_request;
  dossier_request.mutable_dossier()->set_round(created.name());
  dossier_request.mutable_dossier()->set_product(product_.name());
  registry::v1::DossierDocument* document = dossier_request.mutable_dossier()->add_documents();
  document->set_kind(registry::v1::DOCUMENT_KIND_PRODUCT_STORY);
  document->set_uri("https://ocop.example.vn/ho-so/cau-chuyen.pdf");
  document->set_sha256(std::string(64, 'a'));
  registry::v1::Dossier dossier;
  ASSERT_TRUE(evaluation->CreateDossier(office().get(), dossier_request, &dossier).ok());
  for (auto to : {registry::v1::DOSSIER_STATE_SUBMITTED, registry::v1::DOSSIER_STATE_ACCEPTED}) {
    registry::v1::TransitionDossierRequest move;
    move.set_name(dossier.name());
    move.set_to(to);
    ASSERT_TRUE(evaluation->TransitionDossier(office().get(), move, &dossier).ok());
  }
  registry::v1::SubmitScoreSheetRequest sheet;
  sheet.mutable_sheet()->set_dossier(dossier.name());
  for (auto [id, points] : std::vector<std::pair<std::string, int>>{
           {"A1", 20}, {"A2", 20}, {"A3", 0}, {"B1", 25}, {"B2", 0}, {"C1", 30}, {"C2", 0}, {"C3", 0}}) {
    registry::v1::ScoreEntry* entry = sheet.mutable_sheet()->add_entries();
    entry->set_criterion(id);
    entry->set_points(points);
  }
  registry::v1::ScoreSheet scored;
  ASSERT_TRUE(evaluation->SubmitScoreSheet(Context(council_member.token).get(), sheet, &scored).ok());
  registry::v1::CloseRoundRequest close;
  close.set_name(created.name());
  close.set_decision_number("123/QĐ-BNN");
  // Decided today (Vietnam): the new certificate is valid whenever this test runs.
  close.set_decision_date(absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600))));
  registry::v1::RoundResult outcome;
  grpc::Status status = evaluation->CloseRound(office().get(), close, &outcome);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(outcome.rows(0).stars(), 5);

  absl::Time closed = absl::Now();
  absl::Duration seen_after = absl::InfiniteDuration();
  while (absl::Now() - closed < absl::Seconds(5)) {
    ASSERT_TRUE(Resolve(urls_[0], &result).ok());
    if (result.product().ocop().stars() == 5) {
      seen_after = absl::Now() - closed;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_LT(seen_after, absl::Seconds(1));
  EXPECT_EQ(result.product().ocop().certificate_number(), "TW-OCOP-2026-0001");
  ocop::testing::HttpResult page = ocop::testing::HttpGet(http_port_, "/S/" + TokenOf(urls_[0]));
  EXPECT_NE(page.body.find("Sản phẩm OCOP 5 sao"), std::string::npos);
  EXPECT_NE(page.body.find("TW-OCOP-2026-0001"), std::string::npos);
}

// No secret reaches a log or an error message. The flow handles every kind there is (passwords,
// session secrets, API keys, access tokens, scratch PINs, private keys), gets things wrong on
// purpose (wrong passwords, a mistyped API key, a tampered token, wrong PINs, a revoked session),
// then reads every service's log and every error text it received.
TEST_F(EndToEndTest, NoSecretReachesALogOrAnErrorMessage) {
  RegisterTeaWithStamps();
  std::vector<std::string> secrets = {ocop::testing::Deployment::AdminPassword(), "password of htx-tancuong", admin_token,
                                      producer_user_.token};
  for (const char* service : {"batch", "stamp", "lookup"}) {
    std::ifstream key(dir_.File(std::string("secrets/") + service + ".key"));
    std::string text((std::istreambuf_iterator<char>(key)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(text.empty());
    secrets.push_back(text);
  }
  std::vector<std::string> errors;
  auto note = [&errors](const grpc::Status& status) { errors.push_back(status.error_message()); };

  // Sign-ins, right and wrong; a session and an API key, used and misused.
  registry::v1::LoginRequest login;
  login.set_username("htx-tancuong");
  login.set_password("mật khẩu sai 2026");
  secrets.push_back(login.password());
  registry::v1::LoginResponse session;
  note(identity_->Login(Context("").get(), login, &session));
  login.set_password("password of htx-tancuong");
  ASSERT_TRUE(identity_->Login(Context("").get(), login, &session).ok());
  secrets.push_back(session.session_secret());
  secrets.push_back(session.access_token().token());
  registry::v1::CreateApiKeyRequest key_request;
  key_request.set_user(producer_user_.name);
  key_request.set_display_name("máy in xưởng");
  registry::v1::CreateApiKeyResponse key;
  ASSERT_TRUE(identity_->CreateApiKey(Context().get(), key_request, &key).ok());
  secrets.push_back(key.key());
  registry::v1::MintAccessTokenRequest mint;
  mint.set_api_key(key.key() + "x");  // mistyped
  registry::v1::AccessToken minted;
  note(identity_->MintAccessToken(Context("").get(), mint, &minted));
  std::string tampered = session.access_token().token();
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  secrets.push_back(tampered);
  registry::v1::ListProductsRequest list;
  registry::v1::ListProductsResponse listed;
  note(registry_->ListProducts(Context(tampered).get(), list, &listed));
  registry::v1::RevokeCredentialRequest revoke;
  revoke.set_name(session.session());
  revoke.set_reason("lost phone");
  registry::v1::RevokeCredentialResponse revoked;
  ASSERT_TRUE(identity_->RevokeCredential(Context().get(), revoke, &revoked).ok());
  batch::v1::ListBatchesResponse lots;
  grpc::Status refused;
  for (int attempt = 0; attempt < 100 && refused.ok(); ++attempt) {  // the revocation travels the feed
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    refused = batches_->ListBatches(Context(session.access_token().token()).get(), batch::v1::ListBatchesRequest(),
                                    &lots);
  }
  EXPECT_EQ(refused.error_message(), "credential " + session.session() + " was revoked");
  note(refused);

  // Scratch PINs: printed once, checked wrong and right through the public side.
  stamp::v1::IssueRollRequest roll_request;
  roll_request.mutable_roll()->set_batch(batch_.name());
  roll_request.mutable_roll()->set_count(2);
  roll_request.mutable_roll()->set_scratch_pins(true);
  stamp::v1::Roll pin_roll;
  ASSERT_TRUE(stamp_->IssueRoll(Context(producer_user_.token).get(), roll_request, &pin_roll).ok());
  ActivateStamps(pin_roll, pin_roll.first_serial(), 2);
  stamp::v1::StreamStampsRequest stream;
  stream.set_roll(pin_roll.name());
  stream.set_format(stamp::v1::IMAGE_FORMAT_SVG);
  stream.set_printer("e2e-printer");
  auto context = Context(producer_user_.token);
  auto reader = stamp_->StreamStamps(context.get(), stream);
  std::vector<std::pair<std::string, std::string>> printed;  // url, pin
  stamp::v1::RenderedStamp rendered;
  while (reader->Read(&rendered)) printed.emplace_back(rendered.url(), rendered.pin());
  ASSERT_TRUE(reader->Finish().ok());
  ASSERT_EQ(printed.size(), 2u);
  std::vector<std::string> pins;
  for (const auto& [url, pin] : printed) {
    ASSERT_EQ(pin.size(), 8u);
    pins.push_back(pin);
    lookup::v1::VerifyPinRequest check;
    check.set_code(url);
    check.set_pin(pin == "00000000" ? "11111111" : "00000000");  // wrong
    stamp::v1::VerifyPinResponse answer;
    grpc::Status status = lookup_->VerifyPin(Context("").get(), check, &answer);
    if (!status.ok()) note(status);
    check.set_pin(pin);
    EXPECT_TRUE(lookup_->VerifyPin(Context("").get(), check, &answer).ok());
  }

  // Every service writes out what it logs on the way down.
  for (const char* name : {"lookup", "stamp", "batch", "registry"}) StopService(name);
  std::vector<std::pair<std::string, std::string>> texts;  // where, text
  for (const auto& entry : std::filesystem::directory_iterator(dir_.File(""))) {
    if (entry.path().extension() != ".log") continue;
    std::ifstream file(entry.path());
    texts.emplace_back(entry.path().filename().string(),
                       std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>()));
  }
  ASSERT_GE(texts.size(), 4u);
  for (size_t i = 0; i < errors.size(); ++i) texts.emplace_back(absl::StrCat("error ", i), errors[i]);
  ASSERT_GE(errors.size(), 4u);
  for (const auto& [where, text] : texts) {
    for (const std::string& secret : secrets) {
      const std::string trimmed(absl::StripAsciiWhitespace(secret));
      EXPECT_EQ(text.find(trimmed), std::string::npos) << where << " holds a secret (" << trimmed.size() << " chars)";
    }
    EXPECT_EQ(text.find("PRIVATE KEY"), std::string::npos) << where << " holds key material";
    for (const std::string& pin : pins) {
      // A PIN as a number of its own (not inside a longer run of digits such as a timestamp).
      for (size_t at = text.find(pin); at != std::string::npos; at = text.find(pin, at + 1)) {
        const bool digit_before = at > 0 && absl::ascii_isdigit(text[at - 1]);
        const bool digit_after = at + pin.size() < text.size() && absl::ascii_isdigit(text[at + pin.size()]);
        EXPECT_TRUE(digit_before || digit_after) << where << " holds a scratch PIN";
      }
    }
  }
}

// With certificate files every gRPC port speaks TLS only, and our services call each other over
// mutual TLS: a plaintext client is refused; a client with a certificate from the CA runs the
// whole flow, lookup still resolves through the other services, and its scan page is HTTPS.
TEST_F(EndToEndTest, EveryGrpcPortSpeaksMutualTlsWhenGivenCertificates) {
  auto ca = ocop::testing::TestCa::Create("ocop-trace e2e CA");
  ASSERT_THAT(ca, IsOk());
  auto service_certificate = ca->Issue("127.0.0.1");
  auto client_certificate = ca->Issue("e2e-client");
  ASSERT_THAT(service_certificate, IsOk());
  ASSERT_THAT(client_certificate, IsOk());
  ASSERT_THAT(keys::WriteSecretFile(dir_.File("secrets/service.key"), service_certificate->private_key), IsOk());
  std::ofstream(dir_.File("service.pem")) << service_certificate->certificate;
  std::ofstream(dir_.File("ca.pem")) << ca->certificate();
  const std::vector<std::string> tls = {
      "--tls_cert_file=" + dir_.File("service.pem"), "--tls_key_file=" + dir_.File("secrets/service.key"),
      "--tls_client_ca_file=" + dir_.File("ca.pem"), "--tls_ca_file=" + dir_.File("ca.pem")};
  std::remove(dir_.File("lookup-http.port").c_str());
  for (const char* name : {"registry", "batch", "stamp"}) ASSERT_NO_FATAL_FAILURE(RestartService(name, tls));
  std::vector<std::string> lookup_tls = tls;  // and its public port as HTTPS
  lookup_tls.push_back("--http_tls_cert_file=" + dir_.File("service.pem"));
  lookup_tls.push_back("--http_tls_key_file=" + dir_.File("secrets/service.key"));
  ASSERT_NO_FATAL_FAILURE(RestartService("lookup", lookup_tls));

  registry::v1::ListProductsRequest list;
  registry::v1::ListProductsResponse listed;
  grpc::Status plaintext = registry_->ListProducts(Context().get(), list, &listed);
  EXPECT_EQ(plaintext.error_code(), grpc::StatusCode::UNAVAILABLE) << plaintext.error_message();

  grpcutil::SetClientTls({ca->certificate(), client_certificate->certificate, client_certificate->private_key});
  registry_ = registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(Address(ports_["registry"])));
  identity_ = registry::v1::IdentityService::NewStub(grpcutil::MakeChannel(Address(ports_["registry"])));
  batches_ = batch::v1::BatchService::NewStub(grpcutil::MakeChannel(Address(ports_["batch"])));
  stamp_ = stamp::v1::StampService::NewStub(grpcutil::MakeChannel(Address(ports_["stamp"])));
  lookup_ = lookup::v1::LookupService::NewStub(grpcutil::MakeChannel(Address(ports_["lookup"])));
  system_.Reconnect();
  grpcutil::SetClientTls({});  // the channels above keep their credentials
  RegisterTeaWithStamps();
  lookup::v1::ResolveResponse result;
  grpc::Status resolved = Resolve(urls_[0], &result);
  ASSERT_TRUE(resolved.ok()) << resolved.error_message();
  EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE);
  auto http_port = ocop::testing::WaitForPortFile(dir_.File("lookup-http.port"), absl::Seconds(10));
  ASSERT_THAT(http_port, IsOk());
  const std::string page = ocop::testing::RunCommand(
      absl::StrCat("curl -sS --max-time 10 -o /dev/null -w '%{http_code}' --cacert ", dir_.File("ca.pem"),
                   " https://127.0.0.1:", *http_port, "/s/", TokenOf(urls_[0]), " 2>&1"));
  EXPECT_EQ(page, "200");
  EXPECT_NE(ocop::testing::HttpGet(*http_port, "/s/" + TokenOf(urls_[0])).status, 200);  // plain HTTP: no
}

TEST_F(EndToEndTest, AClientOverItsRateLimitGets429AndRetryAfter) {
  int ok = 0, limited = 0;
  std::string retry_after_header;
  for (int i = 0; i < 1000 && limited == 0; ++i) {
    ocop::testing::HttpResult result = ocop::testing::HttpGet(http_port_, "/healthz");
    if (result.status == 200) ++ok;
    if (result.status == 429) {
      ++limited;
      retry_after_header = result.headers;
      EXPECT_NE(result.body.find("Too many requests"), std::string::npos);
    }
  }
  EXPECT_GE(ok, 100);  // the burst
  EXPECT_EQ(limited, 1);
  EXPECT_NE(retry_after_header.find("Retry-After: 1"), std::string::npos) << retry_after_header;
  // gRPC shares the client's bucket (which refills 20 tokens a second meanwhile): calls are refused
  // as soon as those are spent, naming the wait.
  lookup::v1::ResolveResponse result;
  grpc::Status status;
  int calls = 0;
  for (; calls < 500 && status.error_code() != grpc::StatusCode::RESOURCE_EXHAUSTED; ++calls) {
    status = Resolve("HTTPS://OCOP.TN.GOV.VN/S/AAAA", &result);
  }
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_LT(calls, 100);
  EXPECT_NE(status.error_message().find("retry in"), std::string::npos);
  // Operators see each refusal, by where it happened.
  const std::string metrics = system_.Metrics("lookup");
  EXPECT_EQ(ocop::testing::MetricSum(metrics, "ocop_rate_limit_rejections_total", {"limit=\"lookup_http\""}), 1);
  EXPECT_EQ(ocop::testing::MetricSum(metrics, "ocop_rate_limit_rejections_total", {"limit=\"lookup_grpc\""}), 1);
  EXPECT_EQ(ocop::testing::MetricSum(metrics, "ocop_http_requests_total", {"route=\"health\"", "code=\"4xx\""}), 1);
}

TEST_F(EndToEndTest, ACachedStampStillResolvesWhileTheBatchServiceIsDown) {
  RegisterTeaWithStamps();
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  // A second lot, never looked up, so nothing of it is cached.
  batch::v1::CreateBatchRequest batch_request;
  batch_request.mutable_batch()->set_product(product_.name());
  batch_request.mutable_batch()->set_lot_code("TC-2026-04-B");
  batch_request.mutable_batch()->set_harvest_date("2026-04-02");
  batch_request.mutable_batch()->set_quantity(80);
  batch_request.mutable_batch()->set_unit("kg");
  batch::v1::Batch second_lot;
  ASSERT_TRUE(batches_->CreateBatch(Context().get(), batch_request, &second_lot).ok());
  stamp::v1::IssueRollRequest roll_request;
  roll_request.mutable_roll()->set_batch(second_lot.name());
  roll_request.mutable_roll()->set_count(1);
  stamp::v1::Roll second_roll;
  ASSERT_TRUE(stamp_->IssueRoll(Context().get(), roll_request, &second_roll).ok());
  ActivateStamps(second_roll, second_roll.first_serial(), 1);
  stamp::v1::GetStampRequest get;
  get.set_name(absl::StrCat("stamps/", second_roll.first_serial()));
  stamp::v1::Stamp uncached;
  ASSERT_TRUE(stamp_->GetStamp(Context(producer_user_.token).get(), get, &uncached).ok());

  StopService("batch");
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE);
  EXPECT_EQ(result.batch().lot_code(), "TC-2026-03-A");
  EXPECT_EQ(result.events_size(), 1);
  // A stamp whose lot is not cached needs the batch service: a clear, retryable answer, not a hang.
  grpc::Status status = Resolve(uncached.url(), &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  ocop::testing::HttpResult page = ocop::testing::HttpGet(http_port_, "/S/" + uncached.token());
  EXPECT_EQ(page.status, 503);
  EXPECT_NE(page.headers.find("Retry-After:"), std::string::npos);
}

// Tried as a new user would: the stamp service is down when a second lookup starts. It cannot
// fetch the stamp keys, so it cannot check the demo's genuine stamp: it says so (503, UNAVAILABLE)
// and never "not genuine"; once the stamp service is back, the same stamp is genuine.
// Crash consistency: writers keep writing while the service is killed with SIGKILL at a random
// moment, many times. After each restart every acknowledged write is there, once; the request in
// flight at the kill, retried with its request id, applies once; the chain verifies; no serial is
// issued twice.
TEST_F(EndToEndTest, AcknowledgedWritesSurviveSigkillAndRetriesApplyOnce) {
  ASSERT_NO_FATAL_FAILURE(RegisterTeaWithStamps());
  std::mt19937 random(20261204);
  std::map<std::string, std::string> acknowledged;  // request id -> event name
  std::set<std::string> unacknowledged;
  int next_request = 0;
  // A retry sends the very same request (another body under the same request id is refused).
  const absl::Time event_time = absl::Now() - absl::Minutes(30);
  const auto append = [&](const std::string& request_id, absl::Duration deadline) {
    batch::v1::AppendEventRequest request;
    request.set_parent(batch_.name());
    request.set_request_id(request_id);
    request.mutable_event()->set_type(batch::v1::EVENT_TYPE_OBJECT);
    request.mutable_event()->set_biz_step("receiving");
    (*request.mutable_event()->mutable_details())["request"] = request_id;
    grpcutil::ToProtoTime(event_time, request.mutable_event()->mutable_event_time());
    auto context = Context();
    context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    batch::v1::BatchEvent event;
    grpc::Status status = batches_->AppendEvent(context.get(), request, &event);
    if (!status.ok() && deadline > absl::Seconds(5)) ADD_FAILURE() << request_id << ": " << status.error_message();
    return status.ok() ? event.name() : std::string();
  };
  for (int round = 0; round < 8; ++round) {
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      while (!stop) {
        const std::string id = absl::StrCat("crash-", next_request++);
        const std::string name = append(id, absl::Seconds(2));
        if (name.empty()) {
          unacknowledged.insert(id);  // sent or not, applied or not: the retry will tell
          return;
        }
        acknowledged[id] = name;
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 200));
    processes_["batch"]->Kill();
    stop = true;
    writer.join();
    ASSERT_NO_FATAL_FAILURE(RestartService("batch", {}));
    for (const std::string& id : unacknowledged) {
      const std::string name = append(id, absl::Seconds(10));
      ASSERT_FALSE(name.empty()) << id;
      acknowledged[id] = name;
    }
    unacknowledged.clear();
  }
  ASSERT_GT(acknowledged.size(), 8u);
  // Every acknowledged event once, in a gap-free chain that verifies.
  std::vector<batch::v1::BatchEvent> events;
  ASSERT_NO_FATAL_FAILURE(ListAllEvents(&events));
  std::map<std::string, std::string> stored;  // request id -> event name
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].sequence(), static_cast<int64_t>(i + 1));
    auto request = events[i].details().find("request");
    if (request == events[i].details().end()) continue;  // the harvest before the test
    EXPECT_TRUE(stored.emplace(request->second, events[i].name()).second) << "twice: " << request->second;
  }
  EXPECT_EQ(stored, acknowledged);
  batch::v1::VerifyChainRequest verify;
  verify.set_chain(batch_.name());
  batch::v1::VerifyChainResponse verified;
  ASSERT_TRUE(batches_->VerifyChain(Context().get(), verify, &verified).ok());
  EXPECT_TRUE(verified.intact()) << verified.problem();
  EXPECT_EQ(verified.event_count(), static_cast<int64_t>(events.size()));

  // Rolls: issued under kills, retried by request id; no serial twice.
  std::map<std::string, stamp::v1::Roll> rolls;  // request id -> roll
  std::set<std::string> unissued;
  int next_roll = 0;
  const auto issue = [&](const std::string& request_id, absl::Duration deadline, stamp::v1::Roll* roll) {
    stamp::v1::IssueRollRequest request;
    request.set_request_id(request_id);
    request.mutable_roll()->set_batch(batch_.name());
    request.mutable_roll()->set_count(7);
    auto context = Context();
    context->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
    return stamp_->IssueRoll(context.get(), request, roll).ok();
  };
  for (int round = 0; round < 5; ++round) {
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      while (!stop) {
        const std::string id = absl::StrCat("roll-", next_roll++);
        stamp::v1::Roll roll;
        if (!issue(id, absl::Seconds(2), &roll)) {
          unissued.insert(id);
          return;
        }
        rolls[id] = roll;
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 200));
    processes_["stamp"]->Kill();
    stop = true;
    writer.join();
    ASSERT_NO_FATAL_FAILURE(RestartService("stamp", {}));
    for (const std::string& id : unissued) {
      stamp::v1::Roll roll;
      ASSERT_TRUE(issue(id, absl::Seconds(10), &roll)) << id;
      rolls[id] = roll;
    }
    unissued.clear();
    // An acknowledged roll is still there, as it was.
    for (const auto& [id, roll] : rolls) {
      stamp::v1::Roll again;
      ASSERT_TRUE(issue(id, absl::Seconds(10), &again)) << id;
      EXPECT_EQ(again.name(), roll.name());
      EXPECT_EQ(again.first_serial(), roll.first_serial());
    }
  }
  std::map<uint64_t, uint64_t> ranges = {{roll_.first_serial(), roll_.first_serial() + roll_.count()}};
  for (const auto& [id, roll] : rolls) {
    ASSERT_TRUE(ranges.emplace(roll.first_serial(), roll.first_serial() + roll.count()).second) << id;
  }
  uint64_t end = 0;
  for (const auto& [first, past] : ranges) {
    EXPECT_GE(first, end) << "serials issued twice";
    end = past;
  }
}

// Faults under scans: Redis hung (SIGSTOP), killed and restarted; the stamp service hung. A scan
// lookup holds in memory is answered 200 throughout; one it must fetch is answered 503 with
// Retry-After while the stamp service hangs (never "not genuine"), and genuine again after; no
// answer takes longer than its deadlines allow.
TEST_F(EndToEndTest, ScansKeepAnsweringWhileRedisAndTheStampServiceMisbehave) {
  ASSERT_NO_FATAL_FAILURE(RegisterTeaWithStamps());
  const std::string cached = "/S/" + TokenOf(urls_[0]);
  ASSERT_EQ(ocop::testing::HttpGet(http_port_, cached).status, 200);  // now in lookup's memory
  // A stamp of a new roll that lookup has never seen (a stamp of a known roll is answered from
  // memory without the stamp service).
  const auto fresh_stamp = [&]() -> std::string {
    stamp::v1::IssueRollRequest issue;
    issue.mutable_roll()->set_batch(batch_.name());
    issue.mutable_roll()->set_count(1);
    stamp::v1::Roll fresh;
    EXPECT_TRUE(stamp_->IssueRoll(Context().get(), issue, &fresh).ok());
    ActivateStamps(fresh, fresh.first_serial(), 1);
    stamp::v1::StreamStampsRequest render;
    render.set_roll(fresh.name());
    render.set_format(stamp::v1::IMAGE_FORMAT_SVG);
    render.set_count(1);
    render.set_printer("e2e-printer");
    auto context = Context(producer_user_.token);
    auto reader = stamp_->StreamStamps(context.get(), render);
    stamp::v1::RenderedStamp stamp;
    std::string path;
    while (reader->Read(&stamp)) path = "/S/" + TokenOf(stamp.url());
    EXPECT_TRUE(reader->Finish().ok());
    return path;
  };
  const std::string fresh_during_redis_hang = fresh_stamp();
  const std::string fresh_during_stamp_hang = fresh_stamp();
  ASSERT_FALSE(fresh_during_redis_hang.empty() || fresh_during_stamp_hang.empty());

  // One scan, timed: the status, and whether it came within `limit`.
  const auto scan = [&](const std::string& path, absl::Duration limit) {
    const absl::Time start = absl::Now();
    ocop::testing::HttpResult page = ocop::testing::HttpGet(http_port_, path);
    EXPECT_LT(absl::Now() - start, limit) << path;
    return page;
  };
  // Redis hangs: reads give up after the 200 ms command timeout, then fail fast while backing off.
  redis_->Pause();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(scan(cached, absl::Seconds(2)).status, 200);
  ocop::testing::HttpResult first = scan(fresh_during_redis_hang, absl::Seconds(3));  // from the backends
  EXPECT_EQ(first.status, 200);
  EXPECT_NE(first.body.find("Tem chính hãng"), std::string::npos);
  redis_->Resume();
  // Redis killed, then back with its data (AOF).
  redis_->Stop();
  for (int i = 0; i < 5; ++i) EXPECT_EQ(scan(cached, absl::Seconds(2)).status, 200);
  ASSERT_THAT(redis_->Restart(), IsOk());
  EXPECT_EQ(scan(cached, absl::Seconds(2)).status, 200);

  // The stamp service hangs: cached scans still 200; a stamp lookup must ask about is 503 with
  // Retry-After within the backend deadline (1 s), never "not genuine".
  processes_["stamp"]->Pause();
  EXPECT_EQ(scan(cached, absl::Seconds(2)).status, 200);
  ocop::testing::HttpResult hung = scan(fresh_during_stamp_hang, absl::Seconds(4));
  processes_["stamp"]->Resume();
  EXPECT_EQ(hung.status, 503) << hung.body;
  EXPECT_NE(hung.headers.find("Retry-After"), std::string::npos) << hung.headers;
  EXPECT_EQ(hung.body.find("Tem không hợp lệ"), std::string::npos);
  ocop::testing::HttpResult back;
  for (int i = 0; i < 50; ++i) {  // the backend answers again (its channel may reconnect first)
    back = scan(fresh_during_stamp_hang, absl::Seconds(4));
    if (back.status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(back.status, 200);
  EXPECT_NE(back.body.find("Tem chính hãng"), std::string::npos);
}

// The batch service's disk fills up (a file-size limit just above its files): appends are refused
// with RESOURCE_EXHAUSTED naming the cause, the service keeps running, nothing is half-written (the
// chain verifies with exactly the acknowledged events), and with room again appends go on.
TEST_F(EndToEndTest, AFullDiskRefusesWritesCleanlyAndLosesNothing) {
  ASSERT_NO_FATAL_FAILURE(RegisterTeaWithStamps());
  std::uintmax_t largest = 0;
  for (const char* file : {"batch.db", "batch.db-wal"}) {
    std::error_code error;
    largest = std::max(largest, std::filesystem::file_size(dir_.File(file), error));
  }
  std::vector<std::string> argv = argv_["batch"];
  for (std::string& arg : argv) {
    if (arg.starts_with("--listen=")) arg = "--listen=" + Address(ports_["batch"]);
  }
  argv.insert(argv.begin(), {"prlimit", absl::StrCat("--fsize=", largest + (256 << 10))});
  StopService("batch");
  std::remove(dir_.File("batch.port").c_str());
  auto limited = ChildProcess::Start(argv, dir_.File("batch.log"));
  ASSERT_THAT(limited, IsOk());
  processes_["batch"] = std::move(*limited);
  ASSERT_THAT(ocop::testing::WaitForPortFile(dir_.File("batch.port"), absl::Seconds(10)), IsOk());

  int acknowledged = 0;
  grpc::Status refused;
  for (int i = 0; i < 200 && refused.ok(); ++i) {
    batch::v1::AppendEventRequest request;
    request.set_parent(batch_.name());
    request.mutable_event()->set_type(batch::v1::EVENT_TYPE_OBJECT);
    request.mutable_event()->set_biz_step("storing");
    for (int d = 0; d < 40; ++d) (*request.mutable_event()->mutable_details())[absl::StrCat("note_", d)] = std::string(900, 'n');
    grpcutil::ToProtoTime(absl::Now() - absl::Minutes(5), request.mutable_event()->mutable_event_time());
    batch::v1::BatchEvent event;
    refused = batches_->AppendEvent(Context().get(), request, &event);
    if (refused.ok()) ++acknowledged;
  }
  ASSERT_FALSE(refused.ok()) << "the file-size limit was never reached";
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << refused.error_message();
  EXPECT_NE(refused.error_message().find("disk full"), std::string::npos) << refused.error_message();
  EXPECT_TRUE(processes_["batch"]->running());
  const auto verify = [&] {
    batch::v1::VerifyChainRequest request;
    request.set_chain(batch_.name());
    batch::v1::VerifyChainResponse verified;
    EXPECT_TRUE(batches_->VerifyChain(Context().get(), request, &verified).ok());
    EXPECT_TRUE(verified.intact()) << verified.problem();
    return verified.event_count();
  };
  EXPECT_EQ(verify(), 1 + acknowledged);  // the harvest, then exactly the acknowledged appends

  ASSERT_NO_FATAL_FAILURE(RestartService("batch", {}));  // room again
  AppendEvent("shipping");
  EXPECT_EQ(verify(), 2 + acknowledged);
}

TEST_F(EndToEndTest, ALookupStartedWhileTheStampServiceIsDownSaysCannotCheckNotCounterfeit) {
  RegisterTeaWithStamps();
  StopService("stamp");
  ports_["lookup2"] = Launch("lookup2", LookupFlags("lookup2"), "lookup");
  auto http_port = ocop::testing::WaitForPortFile(dir_.File("lookup2-http.port"), absl::Seconds(10));
  ASSERT_THAT(http_port, IsOk());
  auto second = lookup::v1::LookupService::NewStub(grpcutil::MakeChannel(Address(ports_["lookup2"])));
  lookup::v1::ResolveRequest request;
  request.set_code(urls_[0]);
  lookup::v1::ResolveResponse result;
  grpc::Status status = second->Resolve(Context().get(), request, &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_NE(status.error_message().find("cannot check now"), std::string::npos) << status.error_message();
  ocop::testing::HttpResult page = ocop::testing::HttpGet(*http_port, "/s/" + TokenOf(urls_[0]));
  EXPECT_EQ(page.status, 503);
  EXPECT_NE(page.headers.find("Retry-After:"), std::string::npos);
  EXPECT_NE(page.body.find("Chưa kiểm tra được tem lúc này"), std::string::npos);
  EXPECT_EQ(page.body.find("Tem không hợp lệ"), std::string::npos);

  RestartService("stamp", {});
  bool genuine = false;
  for (int attempt = 0; attempt < 50 && !genuine; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    status = second->Resolve(Context().get(), request, &result);
    genuine = status.ok() && result.verdict() == lookup::v1::VERDICT_GENUINE;
    EXPECT_TRUE(status.ok() || status.error_code() == grpc::StatusCode::UNAVAILABLE) << status.error_message();
  }
  EXPECT_TRUE(genuine) << "the stamp never resolved as genuine after the stamp service came back";
}

TEST_F(EndToEndTest, LookupRefusesToStartWithoutAPublicBaseUrl) {
  std::vector<std::string> argv = {absl::StrCat(kServicesDir, "/lookup/lookup"), "--listen=127.0.0.1:0",
                                   "--http_port=0", "--redis=" + Address(redis_->port())};
  auto process = ChildProcess::Start(argv, dir_.File("lookup3.log"));
  ASSERT_THAT(process, IsOk());
  auto exit_code = (*process)->WaitForExit(absl::Seconds(10));
  ASSERT_THAT(exit_code, IsOk());
  EXPECT_EQ(*exit_code, 1);
  std::ifstream log(dir_.File("lookup3.log"));
  std::stringstream text;
  text << log.rdbuf();
  EXPECT_NE(text.str().find("--public_base_url is required"), std::string::npos) << text.str();
}

TEST_F(EndToEndTest, BadInputGetsClearErrorsAndNothingStoredIsLost) {
  RegisterTeaWithStamps();
  registry::v1::CreateProducerRequest producer_request;
  producer_request.mutable_producer()->set_kind(registry::v1::PRODUCER_KIND_HOUSEHOLD);
  registry::v1::Producer producer;
  grpc::Status status = registry_->CreateProducer(Context().get(), producer_request, &producer);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "producer.display_name: must not be empty");

  // The same request_id with another body.
  producer_request.set_request_id("e2e-producer");
  producer_request.mutable_producer()->set_display_name("Hộ Rượu men lá");
  producer_request.mutable_producer()->mutable_address()->set_province_code("19");
  producer_request.mutable_producer()->mutable_address()->set_commune_code("01906");
  status = registry_->CreateProducer(Context().get(), producer_request, &producer);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(status.error_message().find("request_id"), std::string::npos);

  batch::v1::CreateBatchRequest batch_request;
  batch_request.mutable_batch()->set_product("products/does-not-exist");
  batch_request.mutable_batch()->set_lot_code("X");
  batch_request.mutable_batch()->set_harvest_date("2026-03-14");
  batch_request.mutable_batch()->set_quantity(1);
  batch_request.mutable_batch()->set_unit("kg");
  batch::v1::Batch batch;
  status = batches_->CreateBatch(Context().get(), batch_request, &batch);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "batch.product: products/does-not-exist not found");

  for (int64_t count : {0, 1001}) {
    stamp::v1::IssueRollRequest roll_request;
    roll_request.mutable_roll()->set_batch(batch_.name());
    roll_request.mutable_roll()->set_count(count);
    stamp::v1::Roll roll;
    status = stamp_->IssueRoll(Context().get(), roll_request, &roll);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("roll.count: must be between 1 and 1000"), std::string::npos);
  }

  lookup::v1::ResolveResponse result;
  status = Resolve("HTTPS://OCOP.TN.GOV.VN/S/NOT-A-TOKEN", &result);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(status.error_message().starts_with("code: ")) << status.error_message();

  // Everything stored before is intact and still resolves.
  registry::v1::GetProducerRequest get;
  get.set_name(producer_.name());
  ASSERT_TRUE(registry_->GetProducer(Context().get(), get, &producer).ok());
  EXPECT_EQ(producer.display_name(), "HTX Chè Tân Cương");
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE);
  stamp::v1::IssueRollRequest roll_request;
  roll_request.mutable_roll()->set_batch(batch_.name());
  roll_request.mutable_roll()->set_count(1);
  stamp::v1::Roll next;
  ASSERT_TRUE(stamp_->IssueRoll(Context().get(), roll_request, &next).ok());
  EXPECT_EQ(next.first_serial(), roll_.first_serial() + 10);  // the refused rolls allocated nothing
}

// `ocopctl backup` while events are appended, then every service restarted on a fresh folder that
// holds only the backup: what was acknowledged before the backup began is all there, the chain
// still verifies, issued stamps resolve, and new serials continue past the old ones.
TEST_F(EndToEndTest, ABackupTakenDuringWritesRestoresEverythingAcknowledgedBeforeIt) {
  ASSERT_NO_FATAL_FAILURE(RegisterTeaWithStamps());
  std::mutex mutex;
  std::vector<std::string> acknowledged;  // event names, in order
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      batch::v1::AppendEventRequest request;
      request.set_parent(batch_.name());
      request.set_request_id(absl::StrCat("backup-", i));
      request.mutable_event()->set_type(batch::v1::EVENT_TYPE_OBJECT);
      request.mutable_event()->set_biz_step("storing");
      grpcutil::ToProtoTime(absl::Now() - absl::Minutes(5), request.mutable_event()->mutable_event_time());
      batch::v1::BatchEvent event;
      if (batches_->AppendEvent(Context().get(), request, &event).ok()) {
        std::lock_guard lock(mutex);
        acknowledged.push_back(event.name());
      }
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::vector<std::string> before_backup;
  {
    std::lock_guard lock(mutex);
    before_backup = acknowledged;
  }
  const std::string backup = dir_.File("backup");
  const std::string output = ocop::testing::RunCommand(
      absl::StrCat("'", OCOP_OCOPCTL, "' backup --data_dir='", dir_.path(), "' --backup_dir='", backup, "' 2>&1; echo \"exit $?\""));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // writes go on after it
  stop = true;
  writer.join();
  ASSERT_TRUE(absl::EndsWith(output, "exit 0\n")) << output;
  for (const char* copied : {"database registry.db", "database batch.db", "database stamp.db", "secret keys",
                             "secret pin-secrets", "secret batch-keys", "secret registry-keys", "secret secrets"}) {
    EXPECT_NE(output.find(copied), std::string::npos) << copied << " not in: " << output;
  }
  // Referring stores first: a roll's lot, and a lot's product, are then always in the backup.
  EXPECT_LT(output.find("database stamp.db"), output.find("database batch.db"));
  EXPECT_LT(output.find("database batch.db"), output.find("database registry.db"));
  ASSERT_GE(before_backup.size(), 5u);
  ASSERT_GT(acknowledged.size(), before_backup.size());
  struct stat key_folder {};
  ASSERT_EQ(stat((backup + "/keys").c_str(), &key_folder), 0);
  EXPECT_EQ(key_folder.st_mode & 0777, 0700u);

  // Restore: a fresh folder with the backup's files, and the services pointed at it.
  const std::string fresh = dir_.File("restored");
  ASSERT_EQ(std::system(absl::StrCat("cp -a '", backup, "' '", fresh, "'").c_str()), 0);
  for (const char* service : {"lookup", "stamp", "batch", "registry"}) StopService(service);
  RestartService("registry", {"--db=" + fresh + "/registry.db", "--token_key_dir=" + fresh + "/registry-keys"});
  RestartService("batch", {"--db=" + fresh + "/batch.db", "--key_dir=" + fresh + "/batch-keys",
                           "--api_key_file=" + fresh + "/secrets/batch.key"});
  RestartService("stamp", {"--db=" + fresh + "/stamp.db", "--key_dir=" + fresh + "/keys",
                           "--pin_secret_dir=" + fresh + "/pin-secrets", "--api_key_file=" + fresh + "/secrets/stamp.key"});
  RestartService("lookup", {});

  std::vector<batch::v1::BatchEvent> events;
  ASSERT_NO_FATAL_FAILURE(ListAllEvents(&events));
  std::set<std::string> stored;
  for (const auto& event : events) stored.insert(event.name());
  for (const std::string& name : before_backup) EXPECT_EQ(stored.count(name), 1u) << name << " lost";
  EXPECT_LE(stored.size(), acknowledged.size() + 1);  // the harvest, and no more than was written
  batch::v1::VerifyChainRequest verify;
  verify.set_chain(batch_.name());
  batch::v1::VerifyChainResponse verified;
  ASSERT_TRUE(batches_->VerifyChain(Context().get(), verify, &verified).ok());
  EXPECT_TRUE(verified.intact()) << verified.problem();
  EXPECT_EQ(verified.event_count(), static_cast<int64_t>(stored.size()));

  lookup::v1::ResolveResponse result;
  for (const std::string& url : urls_) {
    ASSERT_TRUE(Resolve(url, &result).ok()) << url;
    EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE) << url;
  }
  stamp::v1::IssueRollRequest issue;
  issue.mutable_roll()->set_batch(batch_.name());
  issue.mutable_roll()->set_count(5);
  stamp::v1::Roll next;
  ASSERT_TRUE(stamp_->IssueRoll(Context().get(), issue, &next).ok());
  EXPECT_GT(next.first_serial(), roll_.first_serial() + roll_.count() - 1);
}

// As Kubernetes mounts a Secret for a pod with an fsGroup: a read-only mount, files 0440. The
// stamp service signs with the key it finds there, adds nothing, and lookup verifies its stamps.
TEST_F(EndToEndTest, StampSignsWithKeysMountedReadOnlyLikeAKubernetesSecret) {
  if (geteuid() != 0) GTEST_SKIP() << "a read-only bind mount needs root (unshare -m)";
  const std::string folder = dir_.File("secret-keys");
  auto made = keys::KeyStore::Open(folder);  // what `ocopctl init-keys` does
  ASSERT_THAT(made, IsOk());
  const uint32_t key_id = (*made)->signing_key_id();
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    ASSERT_EQ(chmod(entry.path().c_str(), 0440), 0);
    files.push_back(entry.path().filename().string());
  }
  ASSERT_EQ(chmod(folder.c_str(), 0755), 0);  // not 0700: the service cannot change it

  StopService("stamp");
  std::vector<std::string> stamp_argv = argv_["stamp"];
  for (std::string& arg : stamp_argv) {
    if (arg.starts_with("--listen=")) arg = "--listen=" + system_.Address("stamp");
  }
  stamp_argv.push_back("--key_dir=" + folder);
  std::string exec = "exec";
  for (const std::string& arg : stamp_argv) exec += " '" + arg + "'";
  std::remove(dir_.File("stamp.port").c_str());
  auto stamp = ChildProcess::Start({"unshare", "-m", "sh", "-c",
                                    "mount --bind '" + folder + "' '" + folder + "' && mount -o remount,ro,bind '" +
                                        folder + "' '" + folder + "' && " + exec},
                                   dir_.File("stamp.log"));
  ASSERT_THAT(stamp, IsOk());
  processes_["stamp"] = std::move(*stamp);
  ASSERT_THAT(ocop::testing::WaitForPortFile(dir_.File("stamp.port"), absl::Seconds(10)), IsOk())
      << "see " << dir_.File("stamp.log");

  RegisterTeaWithStamps();
  EXPECT_EQ(roll_.key_id(), token::KeyIdToHex(key_id));
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());
  EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE);
  std::vector<std::string> after;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) after.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  std::sort(after.begin(), after.end());
  EXPECT_EQ(after, files);
}

TEST_F(EndToEndTest, AfterKeyRotationNewAndOldStampsBothResolve) {
  RegisterTeaWithStamps();
  lookup::v1::ResolveResponse result;
  ASSERT_TRUE(Resolve(urls_[0], &result).ok());  // lookup knows only the first key
  RestartService("stamp", {"--rotate_signing_key"});
  stamp::v1::IssueRollRequest roll_request;
  roll_request.mutable_roll()->set_batch(batch_.name());
  roll_request.mutable_roll()->set_count(1);
  stamp::v1::Roll rotated_roll;
  ASSERT_TRUE(stamp_->IssueRoll(Context().get(), roll_request, &rotated_roll).ok());
  ActivateStamps(rotated_roll, rotated_roll.first_serial(), 1);
  EXPECT_NE(rotated_roll.key_id(), roll_.key_id());
  stamp::v1::GetStampRequest get;
  get.set_name(absl::StrCat("stamps/", rotated_roll.first_serial()));
  stamp::v1::Stamp fresh;
  ASSERT_TRUE(stamp_->GetStamp(Context(producer_user_.token).get(), get, &fresh).ok());
  // Lookup has never seen the new key id: it refreshes its key set (at most once a second), then
  // verifies.
  absl::Time deadline = absl::Now() + absl::Seconds(3);
  do {
    ASSERT_TRUE(Resolve(fresh.url(), &result).ok());
  } while (result.verdict() != lookup::v1::VERDICT_GENUINE && absl::Now() < deadline &&
           (std::this_thread::sleep_for(std::chrono::milliseconds(100)), true));
  EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE) << result.reason();
  EXPECT_EQ(result.stamp().key_id(), rotated_roll.key_id());
  ASSERT_TRUE(Resolve(urls_[1], &result).ok());  // signed with the retired key
  EXPECT_EQ(result.verdict(), lookup::v1::VERDICT_GENUINE) << result.reason();
}

TEST_F(EndToEndTest, EveryServiceStopsPromptlyOnSigterm) {
  RegisterTeaWithStamps();
  // Connected clients (this test's channels) get the shutdown grace (--shutdown_grace_ms=500).
  for (const char* name : {"lookup", "stamp", "batch", "registry"}) {
    absl::Time start = absl::Now();
    EXPECT_EQ(processes_[name]->Stop(absl::Seconds(10)), 0) << name << " did not exit cleanly";
    EXPECT_LT(absl::Now() - start, absl::Milliseconds(3000)) << name;
  }
}

}  // namespace
}  // namespace ocop
