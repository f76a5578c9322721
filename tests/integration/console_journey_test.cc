// The web console as people use it: the whole system runs as separate processes (redis-server,
// the four services, the console) and Debian's chromium walks the journeys at a phone's size and
// at a desktop's (tests/js/check-console.js), keeping screenshots in build/test-artifacts/. What
// the browser produced is then checked from outside: the downloaded PDF's codes, scanned, resolve
// as genuine at the public lookup.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/grpc/client.h"
#include "nlohmann/json.hpp"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "ocop/registry/v1/evaluation.grpc.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "tests/support/deployment.h"
#include "tests/support/processes.h"
#include "tests/support/status_matchers.h"

namespace ocop {
namespace {

using ::ocop::testing::ChildProcess;
using ::ocop::testing::Deployment;
using ::ocop::testing::IsOk;

// Vietnam's day `offset` days from today: the services judge dates by the real clock.
std::string Day(int offset) {
  return absl::FormatCivilTime(absl::ToCivilDay(absl::Now() + absl::Hours(24) * offset, absl::FixedTimeZone(7 * 3600)));
}

class ConsoleJourneyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ocop::testing::DeploymentOptions options;
    options.services_dir = OCOP_SERVICES_DIR;
    ASSERT_THAT(system_.Start(options), IsOk());
    auto registry = registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(system_.Address("registry")));
    auto batches = batch::v1::BatchService::NewStub(grpcutil::MakeChannel(system_.Address("batch")));

    registry::v1::CreateProducerRequest producer_request;
    registry::v1::Producer* producer = producer_request.mutable_producer();
    producer->set_display_name("HTX Chè Tân Cương");
    producer->set_kind(registry::v1::PRODUCER_KIND_COOPERATIVE);
    producer->mutable_address()->set_province_code("19");
    producer->mutable_address()->set_province_name("Tỉnh Thái Nguyên");
    producer->mutable_address()->set_commune_code("05503");
    producer->mutable_address()->set_commune_name("Xã Tân Cương");
    registry::v1::Producer created;
    ASSERT_TRUE(registry->CreateProducer(Admin().get(), producer_request, &created).ok());
    registry::v1::CreateProductRequest product_request;
    product_request.mutable_product()->set_producer(created.name());
    product_request.mutable_product()->set_display_name("Chè Tân Cương đặc biệt");
    product_request.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
    registry::v1::OcopRating* rating = product_request.mutable_product()->mutable_rating();
    rating->set_score(78);
    rating->set_stars(4);
    rating->set_certificate_number("TN-OCOP-2025-001");
    rating->set_council_level(registry::v1::COUNCIL_LEVEL_PROVINCE);
    rating->set_decision_number("123/QĐ-UBND");
    rating->set_decision_date(Day(-100));
    registry::v1::Product product;
    ASSERT_TRUE(registry->CreateProduct(Admin().get(), product_request, &product).ok());
    product_ = product.name();

    batch::v1::CreateGrowingAreaRequest area_request;
    batch::v1::GrowingArea* area = area_request.mutable_growing_area();
    area->set_code("VN-TN-05503-001");
    area->set_producer(created.name());
    area->set_commune_code("05503");
    area->set_area_hectares(3.2);
    area->set_crop("Chè Trung du");
    batch::v1::GrowingArea area_created;
    ASSERT_TRUE(batches->CreateGrowingArea(Admin().get(), area_request, &area_created).ok());
    batch::v1::CreateSeasonRequest season_request;
    season_request.set_parent(area_created.name());
    season_request.mutable_season()->set_label("Vụ đông 2026");
    season_request.mutable_season()->set_start_date(Day(-60));
    batch::v1::Season season;
    ASSERT_TRUE(batches->CreateSeason(Admin().get(), season_request, &season).ok());
    season_ = season.name();
    ASSERT_THAT(system_.SignIn("htx-tancuong", "producer", created.name()), IsOk());

    // The console, as the quickstart starts it, on a port of its own choosing.
    const std::string port_file = system_.dir().File("console-http.port");
    auto console = ChildProcess::Start(
        {absl::StrCat(OCOP_SERVICES_DIR, "/console/console"), "--registry=" + system_.Address("registry"),
         "--batch=" + system_.Address("batch"), "--stamp=" + system_.Address("stamp"), "--http_port=0",
         "--http_port_file=" + port_file, "--access_log_sample=1", "--shutdown_grace_ms=500"},
        system_.dir().File("console.log"));
    ASSERT_THAT(console, IsOk());
    console_ = std::move(*console);
    absl::StatusOr<int> port = ocop::testing::WaitForPortFile(port_file, absl::Seconds(10));
    ASSERT_THAT(port, IsOk());
    console_port_ = *port;
    std::filesystem::create_directories(OCOP_ARTIFACT_DIR);
  }

  void TearDown() override {
    if (!HasFailure()) return;
    for (const char* name : {"console", "registry", "batch", "stamp"}) {
      std::ifstream log(system_.dir().File(std::string(name) + ".log"));
      std::stringstream text;
      text << log.rdbuf();
      std::fprintf(stderr, "----- %s.log (last 4000 bytes) -----\n%s\n", name,
                   text.str().substr(text.str().size() > 4000 ? text.str().size() - 4000 : 0).c_str());
    }
  }

  std::unique_ptr<grpc::ClientContext> Admin() {
    auto context = std::make_unique<grpc::ClientContext>();
    grpcutil::PrepareContext(*context, absl::Seconds(10));
    context->AddMetadata("authorization", "Bearer " + system_.admin_token());
    return context;
  }

  // Runs tests/js/check-console.js with `spec` (named `name`) and returns its report.
  nlohmann::json Walk(const std::string& name, nlohmann::json spec) {
    spec["base"] = absl::StrCat("http://127.0.0.1:", console_port_);
    spec["artifacts"] = OCOP_ARTIFACT_DIR;
    spec["name"] = name;
    const std::string spec_file = system_.dir().File("journey-" + name + ".json");
    std::ofstream(spec_file) << spec.dump();
    const std::string output = ocop::testing::RunCommand(
        absl::StrCat("node '", OCOP_SOURCE_DIR, "/tests/js/check-console.js' '", spec_file, "' 2>&1"));
    // The report is the line that starts {"name": (chromium may print before it).
    const size_t start = output.rfind("{\"name\":");
    const std::string line =
        start == std::string::npos ? "{}" : output.substr(start, output.find('\n', start) - start);
    nlohmann::json report = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(report.is_object() && report.value("ok", false)) << output;
    return report.is_object() ? report : nlohmann::json::object();
  }

  // Runs the producer's journey in chromium at `width` x `height`; returns its report.
  nlohmann::json WalkProducerJourney(const std::string& name, int width, int height, const std::string& lot_code) {
    return Walk(name, {{"journey", "producer"},
                       {"username", "htx-tancuong"},
                       {"password", Deployment::PasswordOf("htx-tancuong")},
                       {"season", season_},
                       {"sprayedAt", Day(-10) + "T16:00"},
                       {"lotCode", lot_code},
                       {"rollCount", 3},
                       {"width", width},
                       {"height", height}});
  }

  Deployment system_;
  std::unique_ptr<ChildProcess> console_;
  int console_port_ = 0;
  std::string season_;
  std::string product_;
};

// A producer, on a phone and then at a desk, records a spraying, harvests a lot, orders and
// downloads its stamps and activates them; the PDF's codes, decoded from the page's pixels, are
// the roll's stamps and each resolves as genuine at the public lookup.
TEST_F(ConsoleJourneyTest, AProducerRecordsAHarvestsAndPrintsStampsThatScanGenuine) {
  for (const auto& [name, width, height] : std::vector<std::tuple<std::string, int, int>>{
           {"phone-360x740", 360, 740}, {"desktop-1366x768", 1366, 768}}) {
    SCOPED_TRACE(name);
    nlohmann::json report =
        WalkProducerJourney(name, width, height, absl::AsciiStrToUpper("TC-WEB-" + name.substr(0, name.find('-'))));
    ASSERT_TRUE(report.contains("pdf")) << report.dump();
    EXPECT_GE(report["steps"].size(), 7u);
    const std::string pdf = report["pdf"];
    std::set<std::string> urls;
    for (const std::string& url : ocop::testing::DecodeEachLabelOfA4Sheet(pdf, 1, 3, system_.dir().path())) {
      EXPECT_FALSE(url.empty());
      urls.insert(url);
    }
    ASSERT_EQ(urls.size(), 3u);
    for (const std::string& url : urls) {
      const std::string token = url.substr(url.rfind('/') + 1);
      ocop::testing::HttpResult scan = ocop::testing::HttpGet(system_.http_port(), "/s/" + token);
      EXPECT_EQ(scan.status, 200) << url;
      EXPECT_NE(scan.body.find("Tem chính hãng"), std::string::npos) << url;
      EXPECT_NE(scan.body.find(absl::AsciiStrToUpper("TC-WEB-" + name.substr(0, name.find('-')))), std::string::npos)
          << "the stamp shows the lot harvested in the browser";
    }
  }
}

// An office, on a phone and then at a desk, accepts a dossier; the council member scores it in a
// browser of their own; the office closes the round and reads the new 5-star rating in the
// report's chart. The rating is then the product's, as the registry says.
TEST_F(ConsoleJourneyTest, AnOfficeClosesARoundAndSeesTheNewRatingInTheReportChart) {
  auto registry = registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(system_.Address("registry")));
  auto evaluation = registry::v1::EvaluationService::NewStub(grpcutil::MakeChannel(system_.Address("registry")));
  ASSERT_THAT(system_.SignIn("vp-ocop-tn", "office", "", "19"), IsOk());
  int round_number = 0;
  for (const auto& [name, width, height] : std::vector<std::tuple<std::string, int, int>>{
           {"office-phone-360x740", 360, 740}, {"office-desktop-1366x768", 1366, 768}}) {
    SCOPED_TRACE(name);
    ++round_number;
    const std::string member_name = absl::StrCat("hoi-dong-", round_number);
    absl::StatusOr<Deployment::Person> member = system_.SignIn(member_name, "council");
    ASSERT_THAT(member, IsOk());
    registry::v1::CreateRoundRequest round_request;
    registry::v1::EvaluationRound* round = round_request.mutable_round();
    round->set_display_name(absl::StrCat("Hội đồng OCOP Trung ương, đợt ", round_number));
    round->set_province_code("19");
    round->set_year(2026);
    round->set_council_level(registry::v1::COUNCIL_LEVEL_CENTRAL);
    round->set_criteria_set("criteriaSets/ocop-2023");
    round->add_council_members(member->name);
    round->set_certificate_prefix(absl::StrCat("TW-OCOP-2026-", round_number, "-"));
    registry::v1::EvaluationRound created;
    ASSERT_TRUE(evaluation->CreateRound(Admin().get(), round_request, &created).ok());
    registry::v1::CreateDossierRequest dossier_request;
    dossier_request.mutable_dossier()->set_round(created.name());
    dossier_request.mutable_dossier()->set_product(product_);
    registry::v1::DossierDocument* document = dossier_request.mutable_dossier()->add_documents();
    document->set_kind(registry::v1::DOCUMENT_KIND_PRODUCT_STORY);
    document->set_uri("https://ocop.example.vn/ho-so/cau-chuyen.pdf");
    document->set_sha256(std::string(64, 'a'));
    registry::v1::Dossier dossier;
    ASSERT_TRUE(evaluation->CreateDossier(Admin().get(), dossier_request, &dossier).ok());
    registry::v1::TransitionDossierRequest submit;
    submit.set_name(dossier.name());
    submit.set_to(registry::v1::DOSSIER_STATE_SUBMITTED);
    ASSERT_TRUE(evaluation->TransitionDossier(Admin().get(), submit, &dossier).ok());

    nlohmann::json report = Walk(name, {{"journey", "office"},
                                        {"office", {{"username", "vp-ocop-tn"},
                                                    {"password", Deployment::PasswordOf("vp-ocop-tn")}}},
                                        {"council", {{"username", member_name},
                                                     {"password", Deployment::PasswordOf(member_name)}}},
                                        {"round", created.name()},
                                        {"dossier", dossier.name()},
                                        {"points", {{"A1", 20}, {"A2", 20}, {"B1", 25}, {"C1", 30}}},
                                        {"decision", absl::StrCat(100 + round_number, "/QĐ-BNN")},
                                        {"certificatePrefix", round->certificate_prefix()},
                                        {"width", width},
                                        {"height", height}});
    EXPECT_EQ(report.value("steps", nlohmann::json::array()).size(), 5u) << report.dump();
    EXPECT_EQ(report.value("starsBars", nlohmann::json::array()),
              nlohmann::json::array({"3 sao / stars: 0", "4 sao / stars: 0", "5 sao / stars: 1"}))
        << "the tea, 4 stars before, is the province's one 5-star product";
    registry::v1::GetProductRequest get;
    get.set_name(product_);
    registry::v1::Product product;
    ASSERT_TRUE(registry->GetProduct(Admin().get(), get, &product).ok());
    EXPECT_EQ(product.rating().stars(), 5);
    EXPECT_EQ(product.rating().certificate_number(), absl::StrCat(round->certificate_prefix(), "0001"));
  }
}

}  // namespace
}  // namespace ocop
