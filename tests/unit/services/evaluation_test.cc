// The OCOP evaluation workflow over real gRPC with a real SQLite file: the dossier state machine,
// score-sheet checks, averaging and the level cap, and a round whose outcome lands in the
// product's rating history and the statistics report.
#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "services/registry/evaluation.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"
#include "tests/support/store_engines.h"

namespace ocop::registry {
namespace {

using ::ocop::testing::IsOk;

std::unique_ptr<grpc::ClientContext> As(const std::string& actor, const std::string& role,
                                        const std::string& producer = "") {
  Actor caller(actor, role, producer);
  if (role == "office") caller.province = "19";  // Thái Nguyên's office, where the tea cooperative is
  return ocop::testing::ContextAs(caller);
}

// Runs on both store engines.
class EvaluationTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "registry.db");
    ASSERT_THAT(location, IsOk());
    registry_location_ = *location;
    auto harness = ocop::testing::RegistryHarness::Start(registry_location_, dir_.File("registry-keys"));
    ASSERT_THAT(harness, IsOk());
    harness_ = std::move(*harness);
    registry_ = harness_->Stub();
    evaluation_ = harness_->EvaluationStub();
    v1::CreateProducerRequest producer;
    *producer.mutable_producer() = ocop::testing::TeaCooperative();
    ASSERT_TRUE(registry_->CreateProducer(As("office-1", "office").get(), producer, &producer_).ok());
    v1::CreateProductRequest product;
    product.mutable_product()->set_producer(producer_.name());
    product.mutable_product()->set_display_name("Chè Tân Cương đặc biệt");
    product.mutable_product()->set_group(v1::PRODUCT_GROUP_BEVERAGES);
    ASSERT_TRUE(registry_->CreateProduct(As("office-1", "office").get(), product, &product_).ok());
  }

  v1::EvaluationRound CreateRound(v1::CouncilLevel level, std::vector<std::string> members) {
    v1::CreateRoundRequest request;
    v1::EvaluationRound* round = request.mutable_round();
    round->set_display_name("Hội đồng đánh giá sản phẩm OCOP tỉnh Thái Nguyên 2026");
    round->set_province_code("19");
    round->set_year(2026);
    round->set_council_level(level);
    round->set_criteria_set("criteriaSets/ocop-2023");
    round->set_certificate_prefix("TN-OCOP-2026-");
    for (const std::string& member : members) round->add_council_members(member);
    v1::EvaluationRound created;
    grpc::Status status = evaluation_->CreateRound(As("office-1", "office").get(), request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created;
  }

  v1::Dossier CreateDossier(const std::string& round, bool with_document = true) {
    v1::CreateDossierRequest request;
    request.mutable_dossier()->set_round(round);
    request.mutable_dossier()->set_product(product_.name());
    request.mutable_dossier()->set_self_assessed_score(80);
    if (with_document) AddDocument(request.mutable_dossier());
    v1::Dossier dossier;
    grpc::Status status =
        evaluation_->CreateDossier(As("htx-tan-cuong", "producer", producer_.name()).get(), request, &dossier);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return dossier;
  }

  static void AddDocument(v1::Dossier* dossier) {
    v1::DossierDocument* document = dossier->add_documents();
    document->set_kind(v1::DOCUMENT_KIND_LAB_TEST);
    document->set_title("Phiếu kết quả kiểm nghiệm");
    document->set_uri("https://ocop.example.vn/ho-so/kiem-nghiem.pdf");
    document->set_sha256(std::string(64, 'c'));
  }

  grpc::Status Move(const std::string& dossier, v1::DossierState to, const std::string& actor, const std::string& role,
                    const std::string& reason = "", v1::Dossier* out = nullptr) {
    v1::TransitionDossierRequest request;
    request.set_name(dossier);
    request.set_to(to);
    request.set_reason(reason);
    v1::Dossier ignored;
    return evaluation_->TransitionDossier(As(actor, role, producer_.name()).get(), request, out ? out : &ignored);
  }

  v1::DossierState StateOf(const std::string& dossier) {
    v1::GetDossierRequest request;
    request.set_name(dossier);
    v1::Dossier out;
    EXPECT_TRUE(evaluation_->GetDossier(As("office-1", "office").get(), request, &out).ok());
    return out.state();
  }

  // A sheet of the 2023 set scoring `total` points (spread over A, B and C within their maxima).
  static v1::SubmitScoreSheetRequest Sheet(const std::string& dossier, int total) {
    v1::SubmitScoreSheetRequest request;
    request.mutable_sheet()->set_dossier(dossier);
    const int a = std::min(total, 40), b = std::min(total - a, 25), c = total - a - b;
    for (auto [id, points] : std::vector<std::pair<std::string, int>>{
             {"A1", a / 2}, {"A2", a - a / 2}, {"A3", 0}, {"B1", b}, {"B2", 0}, {"C1", c}, {"C2", 0}, {"C3", 0}}) {
      v1::ScoreEntry* entry = request.mutable_sheet()->add_entries();
      entry->set_criterion(id);
      entry->set_points(points);
    }
    return request;
  }

  grpc::Status Score(const std::string& member, const v1::SubmitScoreSheetRequest& request) {
    v1::ScoreSheet sheet;
    return evaluation_->SubmitScoreSheet(As(member, "council").get(), request, &sheet);
  }

  void Accept(const std::string& dossier) {
    ASSERT_TRUE(Move(dossier, v1::DOSSIER_STATE_SUBMITTED, "htx-tan-cuong", "producer").ok());
    ASSERT_TRUE(Move(dossier, v1::DOSSIER_STATE_ACCEPTED, "office-1", "office").ok());
  }

  v1::RoundResult Close(const std::string& round, grpc::Status* status_out = nullptr) {
    v1::CloseRoundRequest request;
    request.set_name(round);
    request.set_decision_number("2345/QĐ-UBND");
    request.set_decision_date("2026-11-20");
    v1::RoundResult result;
    grpc::Status status = evaluation_->CloseRound(As("office-1", "office").get(), request, &result);
    if (status_out != nullptr) *status_out = status;
    else EXPECT_TRUE(status.ok()) << status.error_message();
    return result;
  }

  ocop::testing::TempDir dir_;
  std::string registry_location_;
  std::unique_ptr<ocop::testing::RegistryHarness> harness_;
  std::unique_ptr<v1::RegistryService::Stub> registry_;
  std::unique_ptr<v1::EvaluationService::Stub> evaluation_;
  v1::Producer producer_;
  v1::Product product_;
};

INSTANTIATE_TEST_SUITE_P(Engines, EvaluationTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(EvaluationTest, TheDossierStateMachineRefusesEveryIllegalTransition) {
  v1::EvaluationRound round = CreateRound(v1::COUNCIL_LEVEL_PROVINCE, {"member-1"});
  v1::Dossier empty = CreateDossier(round.name(), /*with_document=*/false);
  EXPECT_EQ(empty.state(), v1::DOSSIER_STATE_DRAFT);
  EXPECT_EQ(Move(empty.name(), v1::DOSSIER_STATE_SUBMITTED, "htx-tan-cuong", "producer").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);  // no documents

  // From draft only submitting is allowed.
  for (v1::DossierState to : {v1::DOSSIER_STATE_ACCEPTED, v1::DOSSIER_STATE_RETURNED, v1::DOSSIER_STATE_EVALUATED,
                              v1::DOSSIER_STATE_RATED, v1::DOSSIER_STATE_DRAFT}) {
    grpc::Status status = Move(empty.name(), to, "office-1", "office", "lý do");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << to << ": " << status.error_message();
    EXPECT_EQ(StateOf(empty.name()), v1::DOSSIER_STATE_DRAFT);
  }

  v1::UpdateDossierRequest update;
  update.mutable_dossier()->set_name(empty.name());
  AddDocument(update.mutable_dossier());
  v1::Dossier dossier;
  ASSERT_TRUE(evaluation_->UpdateDossier(As("htx-tan-cuong", "producer", producer_.name()).get(), update, &dossier).ok());
  // Another producer may not touch it; the producer may not accept its own dossier.
  v1::TransitionDossierRequest foreign;
  foreign.set_name(dossier.name());
  foreign.set_to(v1::DOSSIER_STATE_SUBMITTED);
  EXPECT_EQ(evaluation_->TransitionDossier(As("other", "producer", "producers/other").get(), foreign, &dossier)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Move(dossier.name(), v1::DOSSIER_STATE_SUBMITTED, "htx-tan-cuong", "producer").ok());
  EXPECT_EQ(Move(dossier.name(), v1::DOSSIER_STATE_ACCEPTED, "htx-tan-cuong", "producer").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Move(dossier.name(), v1::DOSSIER_STATE_SUBMITTED, "htx-tan-cuong", "producer").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  grpc::Status status = Move(dossier.name(), v1::DOSSIER_STATE_RETURNED, "office-1", "office");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "reason: must not be empty");
  ASSERT_TRUE(Move(dossier.name(), v1::DOSSIER_STATE_RETURNED, "office-1", "office", "Thiếu phiếu kiểm nghiệm").ok());
  ASSERT_TRUE(evaluation_->UpdateDossier(As("htx-tan-cuong", "producer", producer_.name()).get(), update, &dossier).ok());
  ASSERT_TRUE(Move(dossier.name(), v1::DOSSIER_STATE_SUBMITTED, "htx-tan-cuong", "producer").ok());
  ASSERT_TRUE(Move(dossier.name(), v1::DOSSIER_STATE_ACCEPTED, "office-1", "office", "", &dossier).ok());
  EXPECT_EQ(evaluation_->UpdateDossier(As("htx-tan-cuong", "producer", producer_.name()).get(), update, &dossier)
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Move(dossier.name(), v1::DOSSIER_STATE_EVALUATED, "office-1", "office").error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  v1::GetDossierRequest get;
  get.set_name(dossier.name());
  ASSERT_TRUE(evaluation_->GetDossier(As("x", "admin").get(), get, &dossier).ok());
  EXPECT_EQ(dossier.state(), v1::DOSSIER_STATE_ACCEPTED);
  ASSERT_EQ(dossier.history_size(), 5);  // created, submitted, returned, submitted, accepted
  EXPECT_EQ(dossier.history(2).to(), v1::DOSSIER_STATE_RETURNED);
  EXPECT_EQ(dossier.history(2).reason(), "Thiếu phiếu kiểm nghiệm");
  EXPECT_EQ(dossier.history(2).actor(), "office-1");
  EXPECT_EQ(dossier.history(4).to(), v1::DOSSIER_STATE_ACCEPTED);

  // One dossier per product and round.
  v1::CreateDossierRequest again;
  again.mutable_dossier()->set_round(round.name());
  again.mutable_dossier()->set_product(product_.name());
  EXPECT_EQ(evaluation_->CreateDossier(As("office-1", "office").get(), again, &dossier).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
}

// Rounds are listed newest first, in pages; an office sees its province's, a council member only
// those it sits on, an admin every province's (or one asked for); a producer is refused.
TEST_P(EvaluationTest, RoundsAreListedForWhoMayReadThem) {
  const v1::EvaluationRound first = CreateRound(v1::COUNCIL_LEVEL_PROVINCE, {"member-1"});
  const v1::EvaluationRound second = CreateRound(v1::COUNCIL_LEVEL_PROVINCE, {"member-2"});
  const v1::EvaluationRound third = CreateRound(v1::COUNCIL_LEVEL_CENTRAL, {"member-1", "tw-1"});
  v1::CreateRoundRequest elsewhere;
  *elsewhere.mutable_round() = first;
  elsewhere.mutable_round()->clear_name();
  elsewhere.mutable_round()->set_province_code("25");
  elsewhere.mutable_round()->clear_council_members();
  elsewhere.mutable_round()->add_council_members("pt-1");
  v1::EvaluationRound phu_tho;
  ASSERT_TRUE(evaluation_->CreateRound(As("admin-1", "admin").get(), elsewhere, &phu_tho).ok());

  auto names = [&](const v1::ListRoundsResponse& response) {
    std::vector<std::string> out;
    for (const v1::EvaluationRound& round : response.rounds()) out.push_back(round.name());
    return out;
  };
  v1::ListRoundsRequest request;
  v1::ListRoundsResponse response;
  ASSERT_TRUE(evaluation_->ListRounds(As("office-1", "office").get(), request, &response).ok());
  EXPECT_EQ(names(response), (std::vector<std::string>{third.name(), second.name(), first.name()}));
  request.set_page_size(2);
  ASSERT_TRUE(evaluation_->ListRounds(As("office-1", "office").get(), request, &response).ok());
  EXPECT_EQ(names(response), (std::vector<std::string>{third.name(), second.name()}));
  ASSERT_FALSE(response.next_page_token().empty());
  request.set_page_token(response.next_page_token());
  ASSERT_TRUE(evaluation_->ListRounds(As("office-1", "office").get(), request, &response).ok());
  EXPECT_EQ(names(response), (std::vector<std::string>{first.name()}));
  EXPECT_TRUE(response.next_page_token().empty());

  v1::ListRoundsRequest all;
  ASSERT_TRUE(evaluation_->ListRounds(As("member-1", "council").get(), all, &response).ok());
  EXPECT_EQ(names(response), (std::vector<std::string>{third.name(), first.name()}));
  ASSERT_TRUE(evaluation_->ListRounds(As("admin-1", "admin").get(), all, &response).ok());
  EXPECT_EQ(response.rounds_size(), 4);
  all.set_province_code("25");
  ASSERT_TRUE(evaluation_->ListRounds(As("admin-1", "admin").get(), all, &response).ok());
  EXPECT_EQ(names(response), (std::vector<std::string>{phu_tho.name()}));
  EXPECT_EQ(evaluation_->ListRounds(As("office-1", "office").get(), all, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED) << "another province";
  all.set_province_code("1x");
  EXPECT_EQ(evaluation_->ListRounds(As("admin-1", "admin").get(), all, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(evaluation_->ListRounds(As("htx-tan-cuong", "producer", producer_.name()).get(), v1::ListRoundsRequest(),
                                    &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_P(EvaluationTest, ScoreSheetsAreChecked) {
  v1::EvaluationRound round = CreateRound(v1::COUNCIL_LEVEL_PROVINCE, {"member-1", "member-2"});
  v1::Dossier dossier = CreateDossier(round.name());
  ASSERT_TRUE(Move(dossier.name(), v1::DOSSIER_STATE_SUBMITTED, "htx-tan-cuong", "producer").ok());
  EXPECT_EQ(Score("member-1", Sheet(dossier.name(), 70)).error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Move(dossier.name(), v1::DOSSIER_STATE_ACCEPTED, "office-1", "office").ok());

  struct Case {
    std::function<void(v1::SubmitScoreSheetRequest&)> change;
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](auto& r) { r.mutable_sheet()->mutable_entries(0)->set_criterion("Z9"); },
       "sheet.entries[0].criterion: 'Z9' is not in criteriaSets/ocop-2023"},
      {[](auto& r) { r.mutable_sheet()->mutable_entries(1)->set_criterion("A1"); },
       "sheet.entries[1].criterion: A1 is scored twice"},
      {[](auto& r) { r.mutable_sheet()->mutable_entries(0)->set_points(41); },
       "sheet.entries[0].points: 41 is outside 0-40 for A1"},
      {[](auto& r) { r.mutable_sheet()->mutable_entries(2)->set_points(15); },
       "sheet.entries: part A totals 55, over its maximum of 40"},
      {[](auto& r) { r.mutable_sheet()->mutable_entries()->RemoveLast(); },
       "sheet.entries: criterion C3 is not scored"},
  };
  for (const Case& c : cases) {
    v1::SubmitScoreSheetRequest request = Sheet(dossier.name(), 70);
    c.change(request);
    grpc::Status status = Score("member-1", request);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.error;
    EXPECT_EQ(status.error_message(), c.error);
  }
  EXPECT_EQ(Score("outsider", Sheet(dossier.name(), 70)).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Score("member-1", Sheet(dossier.name(), 70)).ok());
  EXPECT_TRUE(Score("member-1", Sheet(dossier.name(), 70)).ok());  // a retry is stored once
  EXPECT_EQ(Score("member-1", Sheet(dossier.name(), 75)).error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(StateOf(dossier.name()), v1::DOSSIER_STATE_ACCEPTED);  // member-2 has not scored

  // Closing now is refused: an accepted dossier lacks a sheet.
  grpc::Status status;
  Close(round.name(), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Score("member-2", Sheet(dossier.name(), 69)).ok());
  EXPECT_EQ(StateOf(dossier.name()), v1::DOSSIER_STATE_EVALUATED);
}

TEST(ScoreOfTotals, RoundsTheAverageDownSoTheBandsMatchTheExactAverage) {
  EXPECT_EQ(ScoreOfTotals({70, 69}), 69);      // 69.5: under 70, so 3 stars
  EXPECT_EQ(ScoreOfTotals({70, 70, 69}), 69);  // 69.67
  EXPECT_EQ(ScoreOfTotals({70, 70}), 70);
  EXPECT_EQ(ScoreOfTotals({90, 89}), 89);      // 89.5: 4 stars
  EXPECT_EQ(ScoreOfTotals({50, 49, 51}), 50);
  EXPECT_EQ(ScoreOfTotals({30, 29}), 29);
  EXPECT_EQ(StarsForScore(ScoreOfTotals({70, 69})), 3);
}

TEST_P(EvaluationTest, AClosedRoundWritesRatingsCappedByTheLevelIntoTheHistoryAndTheReport) {
  v1::EvaluationRound round = CreateRound(v1::COUNCIL_LEVEL_PROVINCE, {"member-1", "member-2", "member-3"});
  v1::Dossier dossier = CreateDossier(round.name());
  Accept(dossier.name());
  ASSERT_TRUE(Score("member-1", Sheet(dossier.name(), 92)).ok());
  ASSERT_TRUE(Score("member-2", Sheet(dossier.name(), 94)).ok());
  ASSERT_TRUE(Score("member-3", Sheet(dossier.name(), 93)).ok());

  v1::RoundResult result = Close(round.name());
  ASSERT_EQ(result.rows_size(), 1);
  const v1::RoundResult::Row& row = result.rows(0);
  EXPECT_EQ(row.member_totals_size(), 3);
  EXPECT_DOUBLE_EQ(row.average(), 93.0);
  EXPECT_EQ(row.score(), 93);
  EXPECT_EQ(row.stars(), 4);  // 5 by the bands, but a province council awards at most 4
  EXPECT_EQ(row.certificate_number(), "TN-OCOP-2026-0001");
  EXPECT_EQ(row.state(), v1::DOSSIER_STATE_RATED);
  EXPECT_EQ(result.round().state(), v1::ROUND_STATE_CLOSED);

  // The rating is in the product's history, as a manual rating would be.
  v1::ListRatingsRequest list;
  list.set_parent(product_.name());
  v1::ListRatingsResponse ratings;
  ASSERT_TRUE(registry_->ListRatings(As("x", "admin").get(), list, &ratings).ok());
  ASSERT_EQ(ratings.ratings_size(), 1);
  EXPECT_EQ(ratings.ratings(0).name(), row.rating());
  EXPECT_EQ(ratings.ratings(0).stars(), 4);
  EXPECT_EQ(ratings.ratings(0).score(), 93);
  EXPECT_EQ(ratings.ratings(0).decision_number(), "2345/QĐ-UBND");
  EXPECT_EQ(ratings.ratings(0).valid_until(), "2029-11-19");
  EXPECT_EQ(ratings.ratings(0).council_level(), v1::COUNCIL_LEVEL_PROVINCE);
  v1::ReportCertifiedProductsRequest report_request;
  report_request.set_as_of("2026-11-20");
  report_request.add_group_by(v1::REPORT_DIMENSION_STARS);
  v1::CertifiedProductsReport report;
  ASSERT_TRUE(registry_->ReportCertifiedProducts(As("x", "admin").get(), report_request, &report).ok());
  ASSERT_EQ(report.rows_size(), 1);
  EXPECT_EQ(report.rows(0).stars(), 4);

  // A closed round changes no more.
  grpc::Status status;
  Close(round.name(), &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Score("member-1", Sheet(dossier.name(), 50)).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // Re-evaluation for an upgrade is the same flow at the central council.
  v1::EvaluationRound central = CreateRound(v1::COUNCIL_LEVEL_CENTRAL, {"tw-1", "tw-2"});
  v1::Dossier upgrade = CreateDossier(central.name());
  Accept(upgrade.name());
  ASSERT_TRUE(Score("tw-1", Sheet(upgrade.name(), 91)).ok());
  ASSERT_TRUE(Score("tw-2", Sheet(upgrade.name(), 90)).ok());
  result = Close(central.name());
  EXPECT_EQ(result.rows(0).stars(), 5);
  v1::GetProductRequest get;
  get.set_name(product_.name());
  v1::Product product;
  ASSERT_TRUE(registry_->GetProduct(As("x", "admin").get(), get, &product).ok());
  EXPECT_EQ(product.rating().stars(), 5);
  EXPECT_EQ(product.rating().council_level(), v1::COUNCIL_LEVEL_CENTRAL);
}

TEST_P(EvaluationTest, BelowWhatTheCentralCouncilAwardsNoRatingIsWritten) {
  v1::EvaluationRound central = CreateRound(v1::COUNCIL_LEVEL_CENTRAL, {"tw-1"});
  v1::Dossier dossier = CreateDossier(central.name());
  Accept(dossier.name());
  ASSERT_TRUE(Score("tw-1", Sheet(dossier.name(), 85)).ok());
  v1::RoundResult result = Close(central.name());
  ASSERT_EQ(result.rows_size(), 1);
  EXPECT_EQ(result.rows(0).stars(), 4);
  EXPECT_TRUE(result.rows(0).rating().empty());
  EXPECT_TRUE(result.rows(0).certificate_number().empty());
  v1::ListRatingsRequest list;
  list.set_parent(product_.name());
  v1::ListRatingsResponse ratings;
  ASSERT_TRUE(registry_->ListRatings(As("x", "admin").get(), list, &ratings).ok());
  EXPECT_EQ(ratings.ratings_size(), 0);
}

// From the renewal worklist to a new certificate: a dossier names the product's current
// certificate, the round's rating records what it renewed, and the dossier says how it ended.
TEST_P(EvaluationTest, ACommunesCandidateBecomesOneDossierAndTheIdeaSaysWhich) {
  auto set_idea = [&](const std::string& id, v1::ProductIdeaStage stage, const std::string& producer,
                      const std::string& province, const std::string& commune, v1::ProductIdea* stored) {
    v1::SetProductIdeaRequest request;
    v1::ProductIdea* idea = request.mutable_product_idea();
    idea->set_name("productIdeas/" + id);
    idea->set_display_name("Chè búp " + id);
    idea->set_sector("Chè");
    idea->set_group(v1::PRODUCT_GROUP_BEVERAGES);
    idea->mutable_address()->set_province_code(province);
    idea->mutable_address()->set_commune_code(commune);
    idea->set_producer(producer);
    idea->set_registered_date("2026-03-01");
    idea->set_stage(stage);
    return registry_->SetProductIdea(As("tester", "admin").get(), request, stored);
  };
  v1::ProductIdea idea;
  ASSERT_TRUE(set_idea("cand", v1::PRODUCT_IDEA_STAGE_CANDIDATE, producer_.name(), "19", "05503", &idea).ok());
  ASSERT_TRUE(set_idea("dropped", v1::PRODUCT_IDEA_STAGE_DROPPED, producer_.name(), "19", "05503", &idea).ok());
  ASSERT_TRUE(set_idea("phu-tho", v1::PRODUCT_IDEA_STAGE_CANDIDATE, "", "25", "05128", &idea).ok());
  v1::CreateProducerRequest other_request;
  *other_request.mutable_producer() = ocop::testing::TeaCooperative();
  other_request.mutable_producer()->set_display_name("HTX Chè La Bằng");
  v1::Producer other;
  ASSERT_TRUE(registry_->CreateProducer(As("office-1", "office").get(), other_request, &other).ok());
  ASSERT_TRUE(set_idea("others", v1::PRODUCT_IDEA_STAGE_CANDIDATE, other.name(), "19", "05503", &idea).ok());
  ASSERT_TRUE(set_idea("communes", v1::PRODUCT_IDEA_STAGE_CANDIDATE, "", "19", "05503", &idea).ok());

  v1::EvaluationRound round = CreateRound(v1::COUNCIL_LEVEL_PROVINCE, {"member-1"});
  auto create = [&](const std::string& product_idea, const std::string& request_id, v1::Dossier* out,
                    bool by_office = false) {
    v1::CreateDossierRequest request;
    request.mutable_dossier()->set_round(round.name());
    request.mutable_dossier()->set_product(product_.name());
    request.mutable_dossier()->set_product_idea(product_idea);
    request.set_request_id(request_id);
    AddDocument(request.mutable_dossier());
    return evaluation_->CreateDossier(
        (by_office ? As("office-1", "office") : As("htx-tan-cuong", "producer", producer_.name())).get(), request,
        out);
  };
  v1::Dossier dossier;
  struct Refused {
    std::string idea;
    grpc::StatusCode code;
    std::string message;
  };
  const std::vector<Refused> refusals = {
      {"salesPoints/x", grpc::StatusCode::INVALID_ARGUMENT, "dossier.product_idea"},
      {"productIdeas/nope", grpc::StatusCode::NOT_FOUND, "dossier.product_idea: productIdeas/nope not found"},
      {"productIdeas/phu-tho", grpc::StatusCode::FAILED_PRECONDITION,
       "dossier.product_idea: productIdeas/phu-tho is registered in province 25"},
      {"productIdeas/others", grpc::StatusCode::FAILED_PRECONDITION,
       "dossier.product_idea: productIdeas/others is " + other.name() + "'s idea"},
      {"productIdeas/dropped", grpc::StatusCode::FAILED_PRECONDITION,
       "dossier.product_idea: productIdeas/dropped was dropped"},
      // The commune's idea, with no producer named, is not the first asking producer's to take.
      {"productIdeas/communes", grpc::StatusCode::PERMISSION_DENIED,
       "dossier.product_idea: productIdeas/communes names no producer: only the office may carry it"},
  };
  for (const Refused& refused : refusals) {
    grpc::Status status = create(refused.idea, "", &dossier);
    EXPECT_EQ(status.error_code(), refused.code) << refused.idea << ": " << status.error_message();
    EXPECT_TRUE(absl::StartsWith(status.error_message(), refused.message)) << status.error_message();
  }
  ASSERT_TRUE(create("productIdeas/cand", "carry-1", &dossier).ok());
  EXPECT_EQ(dossier.product_idea(), "productIdeas/cand");
  v1::Dossier retried;  // a retried create is the same dossier
  ASSERT_TRUE(create("productIdeas/cand", "carry-1", &retried).ok());
  EXPECT_EQ(retried.name(), dossier.name());
  v1::GetProductIdeaRequest get;
  get.set_name("productIdeas/cand");
  ASSERT_TRUE(registry_->GetProductIdea(As("office-1", "office").get(), get, &idea).ok());
  EXPECT_EQ(idea.stage(), v1::PRODUCT_IDEA_STAGE_DOSSIER);
  EXPECT_EQ(idea.dossier(), dossier.name());

  // One idea, one dossier: not again in the next round.
  round = CreateRound(v1::COUNCIL_LEVEL_PROVINCE, {"member-1"});
  grpc::Status again = create("productIdeas/cand", "carry-2", &retried);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(again.error_message(), "dossier.product_idea: productIdeas/cand is already in " + dossier.name());
  // In that round the office carries the commune's idea, which then stands in its dossier too.
  v1::Dossier communes_dossier;
  grpc::Status by_office = create("productIdeas/communes", "carry-communes", &communes_dossier, true);
  ASSERT_TRUE(by_office.ok()) << by_office.error_message();
  EXPECT_EQ(communes_dossier.product_idea(), "productIdeas/communes");
  get.set_name("productIdeas/communes");
  ASSERT_TRUE(registry_->GetProductIdea(As("office-1", "office").get(), get, &idea).ok());
  EXPECT_EQ(idea.stage(), v1::PRODUCT_IDEA_STAGE_DOSSIER);
  EXPECT_EQ(idea.dossier(), communes_dossier.name());
  // The office's file, set again, leaves the idea in its dossier; nobody sets the stage by hand.
  ASSERT_TRUE(set_idea("cand", v1::PRODUCT_IDEA_STAGE_CANDIDATE, producer_.name(), "19", "05503", &idea).ok());
  EXPECT_EQ(idea.stage(), v1::PRODUCT_IDEA_STAGE_DOSSIER);
  EXPECT_EQ(idea.dossier(), dossier.name());
  grpc::Status by_hand = set_idea("dropped", v1::PRODUCT_IDEA_STAGE_DOSSIER, "", "19", "05503", &idea);
  EXPECT_EQ(by_hand.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StartsWith(by_hand.error_message(), "product_idea.stage: the dossier stage"));
  v1::ReportProductIdeasRequest report_request;
  report_request.set_province_code("19");
  v1::ProductIdeasReport report;
  ASSERT_TRUE(registry_->ReportProductIdeas(As("office-1", "office").get(), report_request, &report).ok());
  EXPECT_EQ(report.total(), 4);
  ASSERT_EQ(report.by_stage_size(), 3);
  EXPECT_EQ(report.by_stage(1).stage(), v1::PRODUCT_IDEA_STAGE_DOSSIER);
  EXPECT_EQ(report.by_stage(1).ideas(), 2);
}

TEST_P(EvaluationTest, AReEvaluationRenewsTheCurrentCertificateAndSaysHowItEnded) {
  auto rate = [&](int score, const std::string& date) {
    v1::AddRatingRequest request;
    request.set_parent(product_.name());
    request.mutable_rating()->set_score(score);
    request.mutable_rating()->set_council_level(v1::COUNCIL_LEVEL_DISTRICT);
    request.mutable_rating()->set_decision_date(date);
    request.mutable_rating()->set_decision_number("12/QĐ-UBND");
    request.mutable_rating()->set_certificate_number("TN-" + date);
    v1::OcopRating rating;
    grpc::Status status = registry_->AddRating(As("office-1", "office").get(), request, &rating);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return rating;
  };
  const v1::OcopRating older = rate(45, "2023-03-01");   // 2 stars: no certificate
  const v1::OcopRating current = rate(62, "2024-01-15");  // 3 stars, the district's under Decision 148

  v1::EvaluationRound round = CreateRound(v1::COUNCIL_LEVEL_PROVINCE, {"member-1"});
  auto create = [&](const std::string& renews, v1::Dossier* out) {
    v1::CreateDossierRequest request;
    request.mutable_dossier()->set_round(round.name());
    request.mutable_dossier()->set_product(product_.name());
    request.mutable_dossier()->set_renews(renews);
    AddDocument(request.mutable_dossier());
    return evaluation_->CreateDossier(As("htx-tan-cuong", "producer", producer_.name()).get(), request, out);
  };
  v1::Dossier dossier;
  grpc::Status status = create("products/other/ratings/1", &dossier);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "dossier.renews: products/other/ratings/1 is not a rating of " + product_.name());
  status = create(older.name(), &dossier);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "dossier.renews: " + older.name() + " is not the current rating of " +
                                        product_.name() + " (" + current.name() + " is)");
  ASSERT_TRUE(create(current.name(), &dossier).ok());
  EXPECT_EQ(dossier.renews(), current.name());
  EXPECT_EQ(dossier.renewal_outcome(), v1::RENEWAL_OUTCOME_UNSPECIFIED);

  Accept(dossier.name());
  ASSERT_TRUE(Score("member-1", Sheet(dossier.name(), 78)).ok());
  v1::RoundResult result = Close(round.name());
  ASSERT_EQ(result.rows_size(), 1);
  v1::GetDossierRequest get;
  get.set_name(dossier.name());
  ASSERT_TRUE(evaluation_->GetDossier(As("office-1", "office").get(), get, &dossier).ok());
  EXPECT_EQ(dossier.renewal_outcome(), v1::RENEWAL_OUTCOME_UPGRADED);  // 3 stars to 4
  v1::ListRatingsRequest list;
  list.set_parent(product_.name());
  v1::ListRatingsResponse ratings;
  ASSERT_TRUE(registry_->ListRatings(As("office-1", "office").get(), list, &ratings).ok());
  ASSERT_EQ(ratings.ratings_size(), 3);
  EXPECT_EQ(ratings.ratings(2).stars(), 4);
  EXPECT_EQ(ratings.ratings(2).renews(), current.name());
  EXPECT_TRUE(ratings.ratings(1).renews().empty());

  // A second round renews the 4-star certificate at 3 stars: downgraded.
  v1::EvaluationRound again = CreateRound(v1::COUNCIL_LEVEL_PROVINCE, {"member-1"});
  round = again;
  ASSERT_TRUE(create(ratings.ratings(2).name(), &dossier).ok());
  Accept(dossier.name());
  ASSERT_TRUE(Score("member-1", Sheet(dossier.name(), 60)).ok());
  Close(again.name());
  get.set_name(dossier.name());
  ASSERT_TRUE(evaluation_->GetDossier(As("office-1", "office").get(), get, &dossier).ok());
  EXPECT_EQ(dossier.renewal_outcome(), v1::RENEWAL_OUTCOME_DOWNGRADED);
}

}  // namespace
}  // namespace ocop::registry
