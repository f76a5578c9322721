// Registry reports and plan progress over real gRPC with a real SQLite file: certified as of a
// day (expiry, upgrades, status history), the units of today, expiring certificates, producers by
// kind, plan targets.
#include <gtest/gtest.h>

#include <functional>

#include "absl/strings/match.h"

#include "common/status/grpc_status.h"
#include "services/registry/ratings.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"
#include "tests/support/store_engines.h"

namespace ocop::registry {
namespace {

using ::ocop::testing::Context;
using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

// Runs on both store engines.
class RegistryReportsTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "registry.db");
    ASSERT_THAT(location, IsOk());
    registry_location_ = *location;
    auto harness = ocop::testing::RegistryHarness::Start(registry_location_, dir_.File("registry-keys"));
    ASSERT_THAT(harness, IsOk());
    harness_ = std::move(*harness);
    stub_ = harness_->Stub();

    // A women-led, ethnic-minority tea cooperative in Tân Cương selling in supermarkets.
    v1::Producer coop = ocop::testing::TeaCooperative();
    coop.mutable_representative()->set_gender(v1::GENDER_FEMALE);
    coop.mutable_representative()->set_ethnic_minority(true);
    coop.add_sales_channels(v1::SALES_CHANNEL_SUPERMARKET);
    coop_ = CreateProducer(coop);
    // A household recorded with the old Hoà Bình units (today: Xã Tân Lạc, Phú Thọ).
    v1::Producer household = ocop::testing::TeaCooperative();
    household.set_kind(v1::PRODUCER_KIND_HOUSEHOLD);
    household.mutable_address()->set_units_version("2025-01-04");
    household.mutable_address()->set_province_code("17");
    household.mutable_address()->set_commune_code("05164");
    household_ = CreateProducer(household);
    // An enterprise with no certified product.
    v1::Producer enterprise = ocop::testing::TeaCooperative();
    enterprise.set_kind(v1::PRODUCER_KIND_ENTERPRISE);
    CreateProducer(enterprise);

    a_ = CreateProduct(coop_, v1::PRODUCT_GROUP_BEVERAGES);
    Rate(a_, 60, v1::COUNCIL_LEVEL_PROVINCE, "2021-03-01");  // 3 stars, valid until 2024-02-29
    Rate(a_, 78, v1::COUNCIL_LEVEL_PROVINCE, "2024-06-10");  // upgraded to 4 stars
    b_ = CreateProduct(coop_, v1::PRODUCT_GROUP_FOOD);
    Rate(b_, 75, v1::COUNCIL_LEVEL_PROVINCE, "2023-05-05");  // 4 stars until 2026-05-04
    c_ = CreateProduct(household_, v1::PRODUCT_GROUP_HERBS);
    Rate(c_, 93, v1::COUNCIL_LEVEL_CENTRAL, "2022-11-11");   // 5 stars until 2025-11-10
    d_ = CreateProduct(coop_, v1::PRODUCT_GROUP_FOOD);
    Rate(d_, 55, v1::COUNCIL_LEVEL_PROVINCE, "2025-09-09");  // 3 stars until 2028-09-08
    e_ = CreateProduct(coop_, v1::PRODUCT_GROUP_FOOD);
    Rate(e_, 45, v1::COUNCIL_LEVEL_PROVINCE, "2023-01-01");  // 2 stars: not certified
  }

  std::string CreateProducer(const v1::Producer& producer) {
    v1::CreateProducerRequest request;
    *request.mutable_producer() = producer;
    v1::Producer created;
    grpc::Status status = stub_->CreateProducer(Context().get(), request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.name();
  }

  std::string CreateProduct(const std::string& producer, v1::ProductGroup group) {
    v1::CreateProductRequest request;
    request.mutable_product()->set_producer(producer);
    request.mutable_product()->set_display_name("Sản phẩm");
    request.mutable_product()->set_group(group);
    v1::Product created;
    EXPECT_TRUE(stub_->CreateProduct(Context().get(), request, &created).ok());
    return created.name();
  }

  void Rate(const std::string& product, int score, v1::CouncilLevel level, const std::string& date) {
    v1::AddRatingRequest request;
    request.set_parent(product);
    request.mutable_rating()->set_score(score);
    request.mutable_rating()->set_council_level(level);
    request.mutable_rating()->set_decision_date(date);
    request.mutable_rating()->set_decision_number("1/QĐ");
    request.mutable_rating()->set_certificate_number("C-" + date);
    v1::OcopRating rating;
    grpc::Status status = stub_->AddRating(Context().get(), request, &rating);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  v1::CertifiedProductsReport Report(const std::string& as_of, std::vector<v1::ReportDimension> group_by,
                                     const std::string& province = "") {
    v1::ReportCertifiedProductsRequest request;
    request.set_as_of(as_of);
    request.set_province_code(province);
    for (v1::ReportDimension dimension : group_by) request.add_group_by(dimension);
    v1::CertifiedProductsReport report;
    grpc::Status status = stub_->ReportCertifiedProducts(Context().get(), request, &report);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return report;
  }

  ocop::testing::TempDir dir_;
  std::string registry_location_;
  std::unique_ptr<ocop::testing::RegistryHarness> harness_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
  std::string coop_, household_, a_, b_, c_, d_, e_;
};

INSTANTIATE_TEST_SUITE_P(Engines, RegistryReportsTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(RegistryReportsTest, CountsCertifiedProductsAsOfADay) {
  // 31 March 2024: A's first certificate has expired and its upgrade is not decided yet; E has 2
  // stars; D is not rated yet.
  v1::CertifiedProductsReport march = Report("2024-03-31", {v1::REPORT_DIMENSION_STARS});
  EXPECT_EQ(march.as_of(), "2024-03-31");
  EXPECT_EQ(march.total(), 2);
  ASSERT_EQ(march.rows_size(), 2);
  EXPECT_EQ(march.rows(0).stars(), 4);
  EXPECT_EQ(march.rows(0).products(), 1);  // B
  EXPECT_EQ(march.rows(1).stars(), 5);
  EXPECT_EQ(march.rows(1).products(), 1);  // C

  // 1 October 2025: A (4, since 2024), B (4), C (5, until 2025-11-10), D (3).
  v1::CertifiedProductsReport october = Report("2025-10-01", {v1::REPORT_DIMENSION_STARS});
  EXPECT_EQ(october.total(), 4);
  ASSERT_EQ(october.rows_size(), 3);
  EXPECT_EQ(october.rows(0).stars(), 3);
  EXPECT_EQ(october.rows(1).stars(), 4);
  EXPECT_EQ(october.rows(1).products(), 2);

  // By today's province: C's producer was recorded in Hoà Bình (17), which is part of Phú Thọ (25).
  v1::CertifiedProductsReport provinces = Report("2025-10-01", {v1::REPORT_DIMENSION_PROVINCE});
  ASSERT_EQ(provinces.rows_size(), 2);
  EXPECT_EQ(provinces.rows(0).province_code(), "19");
  EXPECT_EQ(provinces.rows(0).province_name(), "Tỉnh Thái Nguyên");
  EXPECT_EQ(provinces.rows(0).products(), 3);
  EXPECT_EQ(provinces.rows(1).province_code(), "25");
  EXPECT_EQ(provinces.rows(1).province_name(), "Tỉnh Phú Thọ");
  EXPECT_EQ(Report("2025-10-01", {}, "25").total(), 1);

  // By group and year, and by commune.
  v1::CertifiedProductsReport years =
      Report("2025-10-01", {v1::REPORT_DIMENSION_CERTIFICATION_YEAR, v1::REPORT_DIMENSION_PRODUCT_GROUP});
  ASSERT_EQ(years.rows_size(), 4);
  EXPECT_EQ(years.rows(0).certification_year(), 2022);
  EXPECT_EQ(years.rows(0).product_group(), v1::PRODUCT_GROUP_HERBS);
  EXPECT_EQ(years.rows(1).certification_year(), 2023);
  EXPECT_EQ(years.rows(1).product_group(), v1::PRODUCT_GROUP_FOOD);
  EXPECT_EQ(years.rows(2).certification_year(), 2024);
  EXPECT_EQ(years.rows(3).certification_year(), 2025);
  v1::CertifiedProductsReport communes = Report("2025-10-01", {v1::REPORT_DIMENSION_COMMUNE}, "25");
  ASSERT_EQ(communes.rows_size(), 1);
  EXPECT_EQ(communes.rows(0).commune_code(), "05128");
  EXPECT_EQ(communes.rows(0).commune_name(), "Xã Tân Lạc");
}

TEST_P(RegistryReportsTest, CountsCertifiedProductsBySubGroupAndByCategory) {
  auto set_sub_group = [&](const std::string& product, const std::string& sub_group) {
    v1::UpdateProductRequest update;
    update.mutable_product()->set_name(product);
    update.mutable_product()->set_sub_group(sub_group);
    update.mutable_update_mask()->add_paths("sub_group");
    v1::Product updated;
    grpc::Status status = stub_->UpdateProduct(Context().get(), update, &updated);
    EXPECT_TRUE(status.ok()) << status.error_message();
  };
  set_sub_group(b_, "Rau, củ, quả, hạt tươi");
  set_sub_group(d_, "Rau, củ, quả, hạt tươi");
  set_sub_group(e_, "Rau, củ, quả, hạt tươi");  // 2 stars: not counted
  // 1 October 2025: A (beverages), B and D (food, one sub-group), C (herbs); none else has one.
  v1::CertifiedProductsReport report =
      Report("2025-10-01", {v1::REPORT_DIMENSION_PRODUCT_GROUP, v1::REPORT_DIMENSION_SUB_GROUP});
  EXPECT_EQ(report.total(), 4);
  ASSERT_EQ(report.rows_size(), 3);
  EXPECT_EQ(report.rows(0).product_group(), v1::PRODUCT_GROUP_FOOD);
  EXPECT_EQ(report.rows(0).sub_group(), "Rau, củ, quả, hạt tươi");
  EXPECT_EQ(report.rows(0).products(), 2);
  EXPECT_EQ(report.rows(1).product_group(), v1::PRODUCT_GROUP_BEVERAGES);
  EXPECT_EQ(report.rows(1).sub_group(), "");
  EXPECT_EQ(report.rows(1).products(), 1);

  // By Decision 148's category: the codes sort in the decision's order, the unclassified first.
  auto set_category = [&](const std::string& product, const std::string& category) {
    v1::UpdateProductRequest update;
    update.mutable_product()->set_name(product);
    update.mutable_product()->set_category(category);
    update.mutable_update_mask()->add_paths("category");
    v1::Product updated;
    grpc::Status status = stub_->UpdateProduct(Context().get(), update, &updated);
    EXPECT_TRUE(status.ok()) << status.error_message();
  };
  set_category(b_, "I.1.a");
  set_category(d_, "I.1.a");
  set_category(c_, "III.1");
  report = Report("2025-10-01", {v1::REPORT_DIMENSION_CATEGORY});
  EXPECT_EQ(report.total(), 4);
  ASSERT_EQ(report.rows_size(), 3);
  EXPECT_EQ(report.rows(0).category(), "");
  EXPECT_EQ(report.rows(0).products(), 1);
  EXPECT_EQ(report.rows(1).category(), "I.1.a");
  EXPECT_EQ(report.rows(1).products(), 2);
  EXPECT_EQ(report.rows(2).category(), "III.1");
  EXPECT_EQ(report.rows(2).products(), 1);

  v1::ReportCertifiedProductsRequest bad;
  bad.add_group_by(static_cast<v1::ReportDimension>(8));
  v1::CertifiedProductsReport refused;
  EXPECT_EQ(stub_->ReportCertifiedProducts(Context().get(), bad, &refused).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(RegistryReportsTest, AStatusChangeCountsFromTheDayItTookEffect) {
  const std::string today = absl::FormatCivilTime(VietnamDay(ocop::testing::TestNow()));
  const int64_t before = Report(today, {}).total();
  const int64_t past = Report("2025-10-01", {}).total();
  v1::GetProductRequest get;
  get.set_name(d_);
  v1::Product product;
  ASSERT_TRUE(stub_->GetProduct(Context().get(), get, &product).ok());
  v1::UpdateProductRequest update;
  update.mutable_product()->set_name(d_);
  update.mutable_product()->set_status(v1::PRODUCT_STATUS_SUSPENDED);
  update.mutable_update_mask()->add_paths("status");
  ASSERT_TRUE(stub_->UpdateProduct(Context().get(), update, &product).ok());
  EXPECT_EQ(Report(today, {}).total(), before - 1);
  EXPECT_EQ(Report("2025-10-01", {}).total(), past);  // the past is unchanged
}

TEST_P(RegistryReportsTest, ListsCertificatesComingUpForRenewal) {
  v1::ListExpiringCertificatesRequest request;
  request.set_as_of("2025-10-01");
  request.set_within_days(60);
  v1::ListExpiringCertificatesResponse response;
  ASSERT_TRUE(stub_->ListExpiringCertificates(Context().get(), request, &response).ok());
  ASSERT_EQ(response.certificates_size(), 1);
  const v1::ExpiringCertificate& certificate = response.certificates(0);
  EXPECT_EQ(certificate.product().name(), c_);
  EXPECT_EQ(certificate.product().rating().valid_until(), "2025-11-10");
  EXPECT_EQ(certificate.days_left(), 40);
  EXPECT_EQ(certificate.province_code(), "25");

  // Wider window, one per page, soonest first.
  request.set_within_days(365);
  request.set_page_size(1);
  ASSERT_TRUE(stub_->ListExpiringCertificates(Context().get(), request, &response).ok());
  ASSERT_EQ(response.certificates_size(), 1);
  EXPECT_EQ(response.certificates(0).product().name(), c_);
  request.set_page_token(response.next_page_token());
  ASSERT_TRUE(stub_->ListExpiringCertificates(Context().get(), request, &response).ok());
  ASSERT_EQ(response.certificates_size(), 1);
  EXPECT_EQ(response.certificates(0).product().name(), b_);  // 2026-05-04
  EXPECT_TRUE(response.next_page_token().empty());

  request.set_within_days(0);
  grpc::Status status = stub_->ListExpiringCertificates(Context().get(), request, &response);
  EXPECT_EQ(status.error_message(), "within_days: must be between 1 and 3650");
}

TEST_P(RegistryReportsTest, CountsProducersByKind) {
  v1::ReportProducersRequest request;
  request.set_as_of("2025-10-01");
  v1::ProducersReport report;
  ASSERT_TRUE(stub_->ReportProducers(Context().get(), request, &report).ok());
  EXPECT_EQ(report.total(), 2);  // OCOP producers only
  ASSERT_EQ(report.rows_size(), 2);
  EXPECT_EQ(report.rows(0).kind(), v1::PRODUCER_KIND_COOPERATIVE);
  EXPECT_EQ(report.rows(0).women_led(), 1);
  EXPECT_EQ(report.rows(0).ethnic_minority_led(), 1);
  EXPECT_EQ(report.rows(0).modern_channels(), 1);
  EXPECT_EQ(report.rows(1).kind(), v1::PRODUCER_KIND_HOUSEHOLD);
  EXPECT_EQ(report.rows(1).women_led(), 0);
  request.set_include_uncertified(true);
  ASSERT_TRUE(stub_->ReportProducers(Context().get(), request, &report).ok());
  EXPECT_EQ(report.total(), 3);
}

TEST_P(RegistryReportsTest, PlanProgressShowsEachTargetTheValueAndTheGap) {
  v1::SetPlanRequest request;
  v1::ProvincePlan* plan = request.mutable_plan();
  plan->set_name("plans/tn-test");
  plan->set_province_code("19");
  plan->set_display_name("Kế hoạch OCOP thử");
  plan->set_period_start("2021-01-01");
  plan->set_period_end("2025-12-31");
  auto add = [&](v1::PlanMetric metric, double target) {
    v1::PlanTarget* t = plan->add_targets();
    t->set_metric(metric);
    t->set_target(target);
  };
  add(v1::PLAN_METRIC_NEW_CERTIFIED_PRODUCTS, 3);
  add(v1::PLAN_METRIC_NEW_FIVE_STAR_PRODUCTS, 1);
  add(v1::PLAN_METRIC_COOPERATIVE_PRODUCER_SHARE, 70);
  add(v1::PLAN_METRIC_WOMEN_LED_PRODUCER_SHARE, 40);
  v1::ProvincePlan stored;
  grpc::Status status = stub_->SetPlan(Context().get(), request, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::GetPlanProgressRequest progress_request;
  progress_request.set_name("plans/tn-test");
  progress_request.set_as_of("2025-12-31");
  v1::PlanProgress progress;
  ASSERT_TRUE(stub_->GetPlanProgress(Context().get(), progress_request, &progress).ok());
  ASSERT_EQ(progress.targets_size(), 4);
  EXPECT_EQ(progress.targets(0).value(), 3);  // A (2021), B (2023), D (2025); E never reached 3 stars
  EXPECT_TRUE(progress.targets(0).met());
  EXPECT_EQ(progress.targets(1).value(), 0);  // the 5-star product is in Phú Thọ
  EXPECT_EQ(progress.targets(1).gap(), 1);
  EXPECT_FALSE(progress.targets(1).met());
  EXPECT_EQ(progress.targets(2).value(), 100);
  EXPECT_EQ(progress.targets(2).denominator(), 1);
  EXPECT_TRUE(progress.targets(3).met());

  // As of mid-2022, only A was new.
  progress_request.set_as_of("2022-06-30");
  ASSERT_TRUE(stub_->GetPlanProgress(Context().get(), progress_request, &progress).ok());
  EXPECT_EQ(progress.targets(0).value(), 1);
  EXPECT_EQ(progress.targets(0).gap(), 2);

  // Bad plans name the field; nothing is replaced.
  plan->mutable_targets(1)->set_metric(v1::PLAN_METRIC_NEW_CERTIFIED_PRODUCTS);
  status = stub_->SetPlan(Context().get(), request, &stored);
  EXPECT_EQ(status.error_message(), "plan.targets[1].metric: the plan already has a target for it");
  plan->mutable_targets(1)->set_metric(v1::PLAN_METRIC_ENTERPRISE_PRODUCER_SHARE);
  plan->mutable_targets(1)->set_target(120);
  status = stub_->SetPlan(Context().get(), request, &stored);
  EXPECT_EQ(status.error_message(), "plan.targets[1].target: must be at least 0 and at most 100 (a percentage)");
  progress_request.set_as_of("2025-12-31");
  ASSERT_TRUE(stub_->GetPlanProgress(Context().get(), progress_request, &progress).ok());
  EXPECT_EQ(progress.plan().targets(1).metric(), v1::PLAN_METRIC_NEW_FIVE_STAR_PRODUCTS);
}

// Today's province 19 also holds the former Bắc Kạn (06), and the former Hoà Bình (17) is part of
// Phú Thọ (25): reports and plans name their units in either table.
TEST_P(RegistryReportsTest, ReportsAndPlansCoverTheUnitsInForceBeforeOrAfterTheMerger) {
  // A Bắc Kạn producer recorded with the old codes (Phường Nguyễn Thị Minh Khai, Thành phố Bắc Kạn),
  // with a product certified in 2024.
  v1::Producer bac_kan = ocop::testing::TeaCooperative();
  bac_kan.mutable_address()->set_units_version("2025-01-04");
  bac_kan.mutable_address()->set_province_code("06");
  bac_kan.mutable_address()->set_commune_code("01834");
  const std::string bac_kan_producer = CreateProducer(bac_kan);
  const std::string bac_kan_product = CreateProduct(bac_kan_producer, v1::PRODUCT_GROUP_FOOD);
  Rate(bac_kan_product, 72, v1::COUNCIL_LEVEL_PROVINCE, "2024-04-04");

  auto report = [&](const std::string& as_of, const v1::UnitScope& scope, const std::string& province,
                    const Actor& caller, v1::CertifiedProductsReport* out) {
    v1::ReportCertifiedProductsRequest request;
    request.set_as_of(as_of);
    request.set_province_code(province);
    *request.mutable_scope() = scope;
    return stub_->ReportCertifiedProducts(ocop::testing::ContextAs(caller).get(), request, out);
  };
  auto scope = [](const std::string& version, const std::string& province, const std::string& district = "",
                  const std::string& commune = "") {
    v1::UnitScope scope;
    scope.set_units_version(version);
    scope.set_province_code(province);
    scope.set_district_code(district);
    scope.set_commune_code(commune);
    return scope;
  };
  const Actor admin("tester", "admin");
  Actor thai_nguyen_office("users/office-tn", "office");
  thai_nguyen_office.province = "19";

  // Today's province 19: the former Thái Nguyên's A, B, D and Bắc Kạn's product.
  v1::CertifiedProductsReport today;
  ASSERT_THAT(FromGrpcStatus(report("2025-10-01", {}, "19", admin, &today)), IsOk());
  EXPECT_EQ(today.total(), 4);
  EXPECT_EQ(today.scope().display_name(), "Tỉnh Thái Nguyên");
  // The former Thái Nguyên alone, as its 2021-2025 plan was drawn (the cooperative was recorded
  // with today's codes: its commune was formed from former Thái Nguyên communes).
  v1::CertifiedProductsReport former;
  ASSERT_THAT(FromGrpcStatus(report("2025-10-01", scope("2025-01-04", "19"), "", admin, &former)), IsOk());
  EXPECT_EQ(former.total(), 3);
  EXPECT_EQ(former.scope().current_province_code(), "19");
  ASSERT_THAT(FromGrpcStatus(report("2025-10-01", scope("2025-01-04", "06"), "", admin, &former)), IsOk());
  EXPECT_EQ(former.total(), 1);
  EXPECT_EQ(former.scope().display_name(), "Tỉnh Bắc Kạn");
  EXPECT_EQ(former.scope().current_province_code(), "19");
  // The former Hoà Bình, now in Phú Thọ: C, certified until 2025-11-10.
  ASSERT_THAT(FromGrpcStatus(report("2025-10-01", scope("2025-01-04", "17"), "", admin, &former)), IsOk());
  EXPECT_EQ(former.total(), 1);
  EXPECT_EQ(former.scope().current_province_code(), "25");
  // A former district: Huyện Tân Lạc holds C's household. Today's Xã Tân Cương was formed from
  // communes of two former districts, so the cooperative belongs to neither.
  ASSERT_THAT(FromGrpcStatus(report("2025-10-01", scope("2025-01-04", "17", "155"), "", admin, &former)), IsOk());
  EXPECT_EQ(former.total(), 1);
  EXPECT_EQ(former.scope().display_name(), "Huyện Tân Lạc, Tỉnh Hoà Bình");
  ASSERT_THAT(FromGrpcStatus(report("2025-10-01", scope("2025-01-04", "19", "164"), "", admin, &former)), IsOk());
  EXPECT_EQ(former.total(), 0);
  // Today's commune.
  ASSERT_THAT(FromGrpcStatus(report("2025-10-01", scope("2025-07-01", "19", "", "05503"), "", admin, &former)),
              IsOk());
  EXPECT_EQ(former.total(), 3);

  // Thái Nguyên's office reports on the former Bắc Kạn (its province today), not on Hoà Bình.
  ASSERT_THAT(FromGrpcStatus(report("2025-10-01", scope("2025-01-04", "06"), "", thai_nguyen_office, &former)),
              IsOk());
  EXPECT_EQ(former.total(), 1);
  grpc::Status denied = report("2025-10-01", scope("2025-01-04", "17"), "", thai_nguyen_office, &former);
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  // ... and looks after the Bắc Kạn producer recorded with the old province code.
  v1::GetProducerRequest get;
  get.set_name(bac_kan_producer);
  v1::Producer read;
  EXPECT_THAT(FromGrpcStatus(stub_->GetProducer(ocop::testing::ContextAs(thai_nguyen_office).get(), get, &read)),
              IsOk());
  v1::AddRatingRequest rate;
  rate.set_parent(bac_kan_product);
  rate.mutable_rating()->set_score(81);
  rate.mutable_rating()->set_council_level(v1::COUNCIL_LEVEL_PROVINCE);
  rate.mutable_rating()->set_decision_date("2026-04-04");
  rate.mutable_rating()->set_decision_number("2/QĐ");
  rate.mutable_rating()->set_certificate_number("C-2026");
  v1::OcopRating rating;
  EXPECT_THAT(FromGrpcStatus(stub_->AddRating(ocop::testing::ContextAs(thai_nguyen_office).get(), rate, &rating)),
              IsOk());

  // Bad scopes name the field.
  struct Case {
    v1::UnitScope scope;
    std::string province;
    std::string error;
  };
  for (const Case& bad : std::vector<Case>{
           {scope("2025-01-04", "19"), "19", "scope: set either province_code (today's province) or scope, not both"},
           {scope("2019", "19"), "",
            "scope.units_version: unknown unit table '2019'; use 2025-07-01 (today's units) or 2025-01-04 (before "
            "the July 2025 merger)"},
           {scope("2025-07-01", "19", "164"), "",
            "scope.district_code: districts exist only in the 2025-01-04 unit table (before the merger)"},
           {scope("2025-01-04", ""), "", "scope.province_code: required for a commune, a district or units before "
                                         "the merger"},
           {scope("2025-07-01", "06"), "", "scope.province_code: 06 is not a province in the 2025-07-01 unit table"},
           {scope("2025-01-04", "19", "155"), "",
            "scope.district_code: 155 is not a district of province 19 in the 2025-01-04 unit table"},
           {scope("2025-01-04", "17", "155", "05503"), "",
            "scope.commune_code: 05503 is not a commune of district 155 in the 2025-01-04 unit table"},
       }) {
    grpc::Status status = report("2025-10-01", bad.scope, bad.province, admin, &former);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad.error;
    EXPECT_EQ(status.error_message(), bad.error);
  }

  // Hoà Bình's 2021-2025 plan, measured on the former province: its office today is Phú Thọ's.
  v1::SetPlanRequest request;
  v1::ProvincePlan* plan = request.mutable_plan();
  plan->set_name("plans/hoa-binh-2021-2025");
  plan->set_display_name("Kế hoạch OCOP tỉnh Hoà Bình 2021-2025");
  plan->set_period_start("2021-01-01");
  plan->set_period_end("2025-12-31");
  *plan->mutable_scope() = scope("2025-01-04", "17");
  v1::PlanTarget* target = plan->add_targets();
  target->set_metric(v1::PLAN_METRIC_NEW_FIVE_STAR_PRODUCTS);
  target->set_target(1);
  v1::ProvincePlan stored;
  ASSERT_THAT(FromGrpcStatus(stub_->SetPlan(ocop::testing::ContextAs(thai_nguyen_office).get(), request, &stored)),
              StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_THAT(FromGrpcStatus(stub_->SetPlan(Context().get(), request, &stored)), IsOk());
  EXPECT_EQ(stored.province_code(), "25");
  EXPECT_EQ(stored.scope().display_name(), "Tỉnh Hoà Bình");
  v1::GetPlanProgressRequest progress_request;
  progress_request.set_name("plans/hoa-binh-2021-2025");
  progress_request.set_as_of("2025-12-31");
  v1::PlanProgress progress;
  ASSERT_THAT(FromGrpcStatus(stub_->GetPlanProgress(Context().get(), progress_request, &progress)), IsOk());
  EXPECT_EQ(progress.plan().scope().units_version(), "2025-01-04");
  EXPECT_EQ(progress.plan().scope().province_code(), "17");
  ASSERT_EQ(progress.targets_size(), 1);
  EXPECT_EQ(progress.targets(0).value(), 1);  // C, 5 stars in 2022
  EXPECT_TRUE(progress.targets(0).met());
  // A plan whose province code disagrees with its units is refused.
  plan->set_province_code("19");
  EXPECT_EQ(stub_->SetPlan(Context().get(), request, &stored).error_message(),
            "plan.province_code: the plan's units are in province 25 today, not 19");
}

// What provinces publish mixes three figures; the registry gives all three, with their definitions.
TEST_P(RegistryReportsTest, CountsEverCertifiedCertifiedDuringAPeriodAndValidOnADaySideBySide) {
  auto counts = [&](const std::string& start, const std::string& end, const v1::UnitScope& scope,
                    v1::CertificationCounts* out) {
    v1::ReportCertificationCountsRequest request;
    request.set_as_of("2025-12-31");
    request.set_period_start(start);
    request.set_period_end(end);
    *request.mutable_scope() = scope;
    return FromGrpcStatus(stub_->ReportCertificationCounts(Context().get(), request, out));
  };
  v1::CertificationCounts whole;
  ASSERT_THAT(counts("2021-01-01", "2025-12-31", {}, &whole), IsOk());
  EXPECT_EQ(whole.ever_certified(), 4);                  // A, B, C, D; E never reached 3 stars
  EXPECT_EQ(whole.certified_during_period(), 4);
  EXPECT_EQ(whole.decisions_during_period(), 5);         // A's first certificate and its upgrade
  EXPECT_EQ(whole.first_certified_during_period(), 4);
  EXPECT_EQ(whole.valid_on_day(), 3);                    // C's certificate ended on 2025-11-10

  v1::CertificationCounts late;
  ASSERT_THAT(counts("2024-01-01", "2025-12-31", {}, &late), IsOk());
  EXPECT_EQ(late.ever_certified(), 4);
  EXPECT_EQ(late.certified_during_period(), 2);          // A's upgrade and D
  EXPECT_EQ(late.decisions_during_period(), 2);
  EXPECT_EQ(late.first_certified_during_period(), 1);    // D only: A was first certified in 2021

  v1::UnitScope hoa_binh;
  hoa_binh.set_units_version("2025-01-04");
  hoa_binh.set_province_code("17");
  v1::CertificationCounts former;
  ASSERT_THAT(counts("2021-01-01", "2025-12-31", hoa_binh, &former), IsOk());
  EXPECT_EQ(former.ever_certified(), 1);
  EXPECT_EQ(former.valid_on_day(), 0);
  EXPECT_EQ(former.scope().display_name(), "Tỉnh Hoà Bình");

  EXPECT_THAT(counts("2025-01-01", "2024-12-31", {}, &former),
              StatusIs(absl::StatusCode::kInvalidArgument, "period_end: is before period_start"));
}

// Plans word targets as "at least", "about", "from ... to ..." or "at most"; each is met its own way.
TEST_P(RegistryReportsTest, TargetsStatedAsAboutARangeOrAtMostAreMetTheirOwnWay) {
  v1::SetPlanRequest request;
  v1::ProvincePlan* plan = request.mutable_plan();
  plan->set_name("plans/bounds");
  plan->set_province_code("19");
  plan->set_display_name("Kế hoạch thử");
  plan->set_period_start("2021-01-01");
  plan->set_period_end("2025-12-31");
  auto add = [&](v1::PlanMetric metric, v1::TargetBound bound, double target, double target_max = 0) {
    v1::PlanTarget* t = plan->add_targets();
    t->set_metric(metric);
    t->set_bound(bound);
    t->set_target(target);
    t->set_target_max(target_max);
  };
  // As of 2025-12-31: 3 new certified products, 3 certified, cooperatives 100%, women-led 100%.
  add(v1::PLAN_METRIC_NEW_CERTIFIED_PRODUCTS, v1::TARGET_BOUND_ABOUT, 3.3);       // 3 >= 90% of 3.3
  add(v1::PLAN_METRIC_CERTIFIED_PRODUCTS, v1::TARGET_BOUND_ABOUT, 4);             // 3 < 3.6
  add(v1::PLAN_METRIC_COOPERATIVE_PRODUCER_SHARE, v1::TARGET_BOUND_RANGE, 30, 40);  // above the range: met
  add(v1::PLAN_METRIC_WOMEN_LED_PRODUCER_SHARE, v1::TARGET_BOUND_AT_MOST, 80);      // 100 > 80
  v1::ProvincePlan stored;
  grpc::Status status = stub_->SetPlan(Context().get(), request, &stored);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(stored.targets(2).bound(), v1::TARGET_BOUND_RANGE);
  EXPECT_EQ(stored.targets(2).target_max(), 40);

  v1::GetPlanProgressRequest progress_request;
  progress_request.set_name("plans/bounds");
  progress_request.set_as_of("2025-12-31");
  v1::PlanProgress progress;
  ASSERT_THAT(FromGrpcStatus(stub_->GetPlanProgress(Context().get(), progress_request, &progress)), IsOk());
  ASSERT_EQ(progress.targets_size(), 4);
  EXPECT_EQ(progress.targets(0).value(), 3);
  EXPECT_TRUE(progress.targets(0).met());
  EXPECT_EQ(progress.targets(0).gap(), 0);
  EXPECT_FALSE(progress.targets(1).met());
  EXPECT_NEAR(progress.targets(1).gap(), 0.6, 1e-9);
  EXPECT_TRUE(progress.targets(2).met());
  EXPECT_FALSE(progress.targets(3).met());
  EXPECT_EQ(progress.targets(3).gap(), 20);
  EXPECT_EQ(progress.targets(1).target().bound(), v1::TARGET_BOUND_ABOUT);

  // A range ending below its start, or an upper bound on another kind of target, is refused.
  plan->mutable_targets(2)->set_target_max(20);
  EXPECT_EQ(stub_->SetPlan(Context().get(), request, &stored).error_message(),
            "plan.targets[2].target_max: a range must end at or above its target and at most 100");
  plan->mutable_targets(2)->set_target_max(40);
  plan->mutable_targets(3)->set_target_max(90);
  EXPECT_EQ(stub_->SetPlan(Context().get(), request, &stored).error_message(),
            "plan.targets[3].target_max: only a RANGE target has an upper bound");
}

// The indicators plans add to counts of new products: the stock of 5-star products, the share of
// them kept, products consolidated or upgraded, and new OCOP producers.
TEST_P(RegistryReportsTest, PlansMeasureFiveStarStockKeptReRatedProductsAndNewProducers) {
  Rate(b_, 60, v1::COUNCIL_LEVEL_PROVINCE, "2025-10-01");  // B re-rated with fewer stars: not counted

  v1::SetPlanRequest request;
  v1::ProvincePlan* plan = request.mutable_plan();
  plan->set_name("plans/tn-indicators");
  plan->set_province_code("19");
  plan->set_display_name("Kế hoạch OCOP thử");
  plan->set_period_start("2021-01-01");
  plan->set_period_end("2025-12-31");
  auto add = [&](v1::ProvincePlan* to, v1::PlanMetric metric, double target) {
    v1::PlanTarget* t = to->add_targets();
    t->set_metric(metric);
    t->set_target(target);
  };
  add(plan, v1::PLAN_METRIC_CONSOLIDATED_OR_UPGRADED_SHARE, 30);
  add(plan, v1::PLAN_METRIC_NEW_OCOP_PRODUCERS, 2);
  v1::ProvincePlan stored;
  ASSERT_THAT(FromGrpcStatus(stub_->SetPlan(Context().get(), request, &stored)), IsOk());
  v1::GetPlanProgressRequest progress_request;
  progress_request.set_name("plans/tn-indicators");
  progress_request.set_as_of("2025-12-31");
  v1::PlanProgress progress;
  ASSERT_THAT(FromGrpcStatus(stub_->GetPlanProgress(Context().get(), progress_request, &progress)), IsOk());
  ASSERT_EQ(progress.targets_size(), 2);
  // A, B and D were certified; only A was re-rated with as many stars or more (3 to 4).
  EXPECT_EQ(progress.targets(0).numerator(), 1);
  EXPECT_EQ(progress.targets(0).denominator(), 3);
  EXPECT_NEAR(progress.targets(0).value(), 100.0 / 3, 1e-9);
  EXPECT_TRUE(progress.targets(0).met());
  // The cooperative entered the programme with A in 2021; the enterprise has no certificate.
  EXPECT_EQ(progress.targets(1).value(), 1);
  EXPECT_EQ(progress.targets(1).gap(), 1);
  // Before A's re-rating and before the cooperative's first certificate.
  progress_request.set_as_of("2021-02-01");
  ASSERT_THAT(FromGrpcStatus(stub_->GetPlanProgress(Context().get(), progress_request, &progress)), IsOk());
  EXPECT_EQ(progress.targets(0).numerator(), 0);
  EXPECT_EQ(progress.targets(0).denominator(), 0);
  EXPECT_EQ(progress.targets(1).value(), 0);

  // The former Hoà Bình's plan: C held 5 stars from 2022-11-11 to 2025-11-10.
  v1::ProvincePlan* hoa_binh = request.mutable_plan();
  hoa_binh->Clear();
  hoa_binh->set_name("plans/hb-indicators");
  hoa_binh->set_province_code("25");
  hoa_binh->set_display_name("Kế hoạch OCOP Hoà Bình thử");
  hoa_binh->set_period_start("2023-01-01");
  hoa_binh->set_period_end("2025-12-31");
  hoa_binh->mutable_scope()->set_units_version("2025-01-04");
  hoa_binh->mutable_scope()->set_province_code("17");
  add(hoa_binh, v1::PLAN_METRIC_FIVE_STAR_PRODUCTS, 1);
  add(hoa_binh, v1::PLAN_METRIC_FIVE_STAR_KEPT_SHARE, 100);
  add(hoa_binh, v1::PLAN_METRIC_NEW_FIVE_STAR_PRODUCTS, 1);
  ASSERT_THAT(FromGrpcStatus(stub_->SetPlan(Context().get(), request, &stored)), IsOk());
  progress_request.set_name("plans/hb-indicators");
  auto progress_on = [&](const std::string& day) {
    progress_request.set_as_of(day);
    v1::PlanProgress result;
    EXPECT_THAT(FromGrpcStatus(stub_->GetPlanProgress(Context().get(), progress_request, &result)), IsOk());
    return result;
  };
  progress = progress_on("2024-06-30");
  ASSERT_EQ(progress.targets_size(), 3);
  EXPECT_EQ(progress.targets(0).value(), 1);
  EXPECT_EQ(progress.targets(1).numerator(), 1);
  EXPECT_EQ(progress.targets(1).denominator(), 1);
  EXPECT_EQ(progress.targets(1).value(), 100);
  EXPECT_EQ(progress.targets(2).value(), 0);  // C's first 5 stars came before the period
  // Its certificate lapsed: the stock is empty and the 5-star product was not kept.
  progress = progress_on("2025-12-31");
  EXPECT_EQ(progress.targets(0).value(), 0);
  EXPECT_EQ(progress.targets(1).numerator(), 0);
  EXPECT_EQ(progress.targets(1).value(), 0);
  EXPECT_FALSE(progress.targets(1).met());
  // Renewed before it lapsed: kept, and in stock again.
  Rate(c_, 93, v1::COUNCIL_LEVEL_CENTRAL, "2025-11-01");
  progress = progress_on("2025-12-31");
  EXPECT_EQ(progress.targets(0).value(), 1);
  EXPECT_EQ(progress.targets(1).value(), 100);
  EXPECT_TRUE(progress.targets(1).met());
  EXPECT_EQ(progress.targets(2).value(), 0);
}

// Green value chains tied to a raw-material area, and trained workers, over the OCOP producers.
TEST_P(RegistryReportsTest, PlansMeasureGreenValueChainsAndTrainedWorkersOfOcopProducers) {
  auto declare = [&](const std::string& producer, int workers, int trained, bool green, double hectares) {
    v1::UpdateProducerRequest update;
    update.mutable_producer()->set_name(producer);
    update.mutable_producer()->mutable_workforce()->set_workers(workers);
    update.mutable_producer()->mutable_workforce()->set_trained_workers(trained);
    update.mutable_producer()->mutable_value_chain()->set_green_or_circular(green);
    update.mutable_producer()->mutable_value_chain()->set_raw_material_hectares(hectares);
    update.mutable_update_mask()->add_paths("workforce");
    update.mutable_update_mask()->add_paths("value_chain");
    v1::Producer updated;
    ASSERT_THAT(FromGrpcStatus(stub_->UpdateProducer(Context().get(), update, &updated)), IsOk());
  };
  declare(coop_, 40, 10, true, 5);
  declare(household_, 10, 10, true, 0);  // green, but tied to no raw-material area
  // A producer with no certified product counts for neither.
  v1::Producer uncertified = ocop::testing::TeaCooperative();
  uncertified.set_kind(v1::PRODUCER_KIND_ENTERPRISE);
  declare(CreateProducer(uncertified), 100, 0, true, 50);

  v1::SetPlanRequest request;
  v1::ProvincePlan* plan = request.mutable_plan();
  plan->set_name("plans/green");
  plan->set_province_code("19");
  plan->set_display_name("Kế hoạch thử");
  plan->set_period_start("2021-01-01");
  plan->set_period_end("2025-12-31");
  for (v1::PlanMetric metric : {v1::PLAN_METRIC_GREEN_VALUE_CHAIN_PRODUCER_SHARE, v1::PLAN_METRIC_TRAINED_WORKER_SHARE}) {
    v1::PlanTarget* target = plan->add_targets();
    target->set_metric(metric);
    target->set_target(50);
  }
  v1::ProvincePlan stored;
  ASSERT_THAT(FromGrpcStatus(stub_->SetPlan(Context().get(), request, &stored)), IsOk());
  auto progress_of = [&](const std::string& name) {
    v1::GetPlanProgressRequest ask;
    ask.set_name(name);
    ask.set_as_of("2025-12-31");
    v1::PlanProgress progress;
    EXPECT_THAT(FromGrpcStatus(stub_->GetPlanProgress(Context().get(), ask, &progress)), IsOk());
    return progress;
  };
  v1::PlanProgress progress = progress_of("plans/green");
  ASSERT_EQ(progress.targets_size(), 2);
  EXPECT_EQ(progress.targets(0).value(), 100);  // the cooperative, of 1 OCOP producer
  EXPECT_EQ(progress.targets(0).denominator(), 1);
  EXPECT_EQ(progress.targets(1).numerator(), 10);  // workers, not producers
  EXPECT_EQ(progress.targets(1).denominator(), 40);
  EXPECT_EQ(progress.targets(1).value(), 25);
  EXPECT_FALSE(progress.targets(1).met());

  // The former Hoà Bình: the household's chain has no raw-material area; all its workers trained.
  plan->set_name("plans/green-hb");
  plan->set_province_code("25");
  plan->mutable_scope()->set_units_version("2025-01-04");
  plan->mutable_scope()->set_province_code("17");
  ASSERT_THAT(FromGrpcStatus(stub_->SetPlan(Context().get(), request, &stored)), IsOk());
  // As of 2025-12-31 C's certificate has lapsed: ask for a day it was valid.
  v1::GetPlanProgressRequest ask;
  ask.set_name("plans/green-hb");
  ask.set_as_of("2024-12-31");
  ASSERT_THAT(FromGrpcStatus(stub_->GetPlanProgress(Context().get(), ask, &progress)), IsOk());
  EXPECT_EQ(progress.targets(0).value(), 0);
  EXPECT_EQ(progress.targets(0).denominator(), 1);
  EXPECT_EQ(progress.targets(1).value(), 100);

  // The producers report carries the same counts.
  v1::ReportProducersRequest report_request;
  report_request.set_as_of("2024-12-31");
  v1::ProducersReport report;
  ASSERT_THAT(FromGrpcStatus(stub_->ReportProducers(Context().get(), report_request, &report)), IsOk());
  int64_t green = 0, workers = 0, trained = 0;
  for (const auto& row : report.rows()) {
    green += row.green_value_chains();
    workers += row.workers();
    trained += row.trained_workers();
  }
  EXPECT_EQ(green, 1);
  EXPECT_EQ(workers, 50);
  EXPECT_EQ(trained, 20);
}

// The sales point register: each province's office keeps its own, anyone signed in reads it, and
// plans count the province's centres and showrooms opened or upgraded within their period.
TEST_P(RegistryReportsTest, ProductIdeasAreKeptByTheirProvinceAndCountedBySectorCommuneAndStage) {
  Actor thai_nguyen_office("users/office-tn", "office");
  thai_nguyen_office.province = "19";
  const Actor admin("tester", "admin");
  auto idea = [](const std::string& id, const std::string& sector, v1::ProductIdeaStage stage,
                 const std::string& registered) {
    v1::ProductIdea idea;
    idea.set_name("productIdeas/" + id);
    idea.set_display_name("Sản phẩm " + id);
    idea.set_sector(sector);
    idea.set_group(v1::PRODUCT_GROUP_BEVERAGES);
    idea.mutable_address()->set_province_code("19");
    idea.mutable_address()->set_commune_code("05503");
    idea.set_registered_date(registered);
    idea.set_stage(stage);
    return idea;
  };
  auto set = [&](const v1::ProductIdea& idea, const Actor& caller, v1::ProductIdea* stored) {
    v1::SetProductIdeaRequest request;
    *request.mutable_product_idea() = idea;
    return FromGrpcStatus(stub_->SetProductIdea(ocop::testing::ContextAs(caller).get(), request, stored));
  };
  v1::ProductIdea stored;
  v1::ProductIdea tea = idea("tn-1", "Chè", v1::PRODUCT_IDEA_STAGE_IDEA, "2025-03-01");
  tea.set_producer(coop_);
  ASSERT_THAT(set(tea, thai_nguyen_office, &stored), IsOk());
  EXPECT_EQ(stored.address().current_commune_name(), "Xã Tân Cương");
  v1::ProductIdea again;
  ASSERT_THAT(set(tea, thai_nguyen_office, &again), IsOk());  // the same again: nothing written
  EXPECT_EQ(again.update_time().seconds(), stored.update_time().seconds());
  EXPECT_EQ(again.update_time().nanos(), stored.update_time().nanos());
  v1::ProductIdea plan = idea("tn-2", "chè", v1::PRODUCT_IDEA_STAGE_BUSINESS_PLAN, "2025-04-01");
  plan.set_proposer_name("Tổ hợp tác chè Khe Cốc");
  ASSERT_THAT(set(plan, thai_nguyen_office, &stored), IsOk());
  // Recorded with the units of its day (Phường Trưng Vương before the merger).
  v1::ProductIdea greens = idea("tn-3", "Thực phẩm tươi sống", v1::PRODUCT_IDEA_STAGE_CANDIDATE, "2025-05-01");
  greens.set_group(v1::PRODUCT_GROUP_FOOD);
  greens.mutable_address()->set_units_version("2025-01-04");
  greens.mutable_address()->set_commune_code("05443");
  greens.set_category("i.1.A");  // Decision 148's fresh vegetables, as typed
  ASSERT_THAT(set(greens, thai_nguyen_office, &stored), IsOk());
  EXPECT_EQ(stored.category(), "I.1.a");
  EXPECT_EQ(stored.address().current_province_code(), "19");
  const std::string greens_commune = stored.address().current_commune_code();
  ASSERT_FALSE(greens_commune.empty());
  ASSERT_THAT(set(idea("tn-4", "CHÈ", v1::PRODUCT_IDEA_STAGE_DROPPED, "2024-12-01"), thai_nguyen_office, &stored),
              IsOk());
  // Hoà Bình's idea (Phú Thọ's today) is not Thái Nguyên's office's to set or to take over.
  v1::ProductIdea honey = idea("hb-1", "Mật ong", v1::PRODUCT_IDEA_STAGE_IDEA, "2025-02-01");
  honey.mutable_address()->set_units_version("2025-01-04");
  honey.mutable_address()->set_province_code("17");
  honey.mutable_address()->set_commune_code("05164");
  honey.set_producer(household_);
  EXPECT_THAT(set(honey, thai_nguyen_office, &stored), StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_THAT(set(honey, admin, &stored), IsOk());
  EXPECT_EQ(stored.address().current_province_code(), "25");
  v1::ProductIdea takeover = idea("hb-1", "Chè", v1::PRODUCT_IDEA_STAGE_IDEA, "2025-02-01");
  EXPECT_THAT(set(takeover, thai_nguyen_office, &stored), StatusIs(absl::StatusCode::kPermissionDenied));
  Actor producer("users/htx", "producer");
  producer.producer = coop_;
  EXPECT_THAT(set(tea, producer, &stored), StatusIs(absl::StatusCode::kPermissionDenied));

  // Bad input is named; nothing stored changes.
  struct Bad {
    std::function<void(v1::ProductIdea&)> change;
    absl::StatusCode code;
    std::string error;
  };
  const std::vector<Bad> bads = {
      {[](v1::ProductIdea& i) { i.set_name("salesPoints/x"); }, absl::StatusCode::kInvalidArgument, "product_idea.name"},
      {[](v1::ProductIdea& i) { i.set_display_name(""); }, absl::StatusCode::kInvalidArgument,
       "product_idea.display_name"},
      {[](v1::ProductIdea& i) { i.set_sector(" -- "); }, absl::StatusCode::kInvalidArgument,
       "product_idea.sector: must hold a letter or a digit"},
      {[](v1::ProductIdea& i) { i.set_group(v1::PRODUCT_GROUP_UNSPECIFIED); }, absl::StatusCode::kInvalidArgument,
       "product_idea.group: required"},
      {[](v1::ProductIdea& i) { i.set_category("I.5.a"); }, absl::StatusCode::kInvalidArgument,
       "product_idea.category: I.5.a (Chè tươi, chế biến) is in the group Food, not Beverages"},
      {[](v1::ProductIdea& i) { i.set_category("Chè"); }, absl::StatusCode::kInvalidArgument,
       "product_idea.category: \"Chè\" is not a line"},
      {[](v1::ProductIdea& i) { i.set_stage(static_cast<v1::ProductIdeaStage>(9)); },
       absl::StatusCode::kInvalidArgument, "product_idea.stage: unknown value"},
      {[](v1::ProductIdea& i) { i.set_stage(v1::PRODUCT_IDEA_STAGE_UNSPECIFIED); }, absl::StatusCode::kInvalidArgument,
       "product_idea.stage: required"},
      {[](v1::ProductIdea& i) { i.set_registered_date("2999-01-01"); }, absl::StatusCode::kInvalidArgument,
       "product_idea.registered_date: 2999-01-01 is in the future"},
      {[](v1::ProductIdea& i) { i.mutable_address()->set_commune_code("05164"); }, absl::StatusCode::kInvalidArgument,
       "product_idea.address.commune_code"},
      {[](v1::ProductIdea& i) { i.set_producer("producers/nope"); }, absl::StatusCode::kNotFound,
       "product_idea.producer: producers/nope not found"},
      {[this](v1::ProductIdea& i) { i.set_producer(household_); }, absl::StatusCode::kFailedPrecondition,
       absl::StrCat("product_idea.producer: ", household_, " is in province 25")},
  };
  for (const Bad& bad : bads) {
    v1::ProductIdea changed = tea;
    bad.change(changed);
    absl::Status status = set(changed, admin, &stored);
    EXPECT_EQ(status.code(), bad.code) << bad.error << ": " << status;
    EXPECT_TRUE(absl::StartsWith(status.message(), bad.error)) << status;
  }
  v1::GetProductIdeaRequest get;
  get.set_name("productIdeas/tn-1");
  ASSERT_THAT(FromGrpcStatus(stub_->GetProductIdea(ocop::testing::ContextAs(producer).get(), get, &stored)), IsOk());
  EXPECT_EQ(stored.sector(), "Chè");
  EXPECT_EQ(stored.producer(), coop_);

  // Listing by province, commune and stage, a page at a time.
  auto list = [&](const std::string& province, const std::string& commune, v1::ProductIdeaStage stage) {
    std::vector<std::string> names;
    v1::ListProductIdeasRequest request;
    request.set_province_code(province);
    request.set_commune_code(commune);
    request.set_stage(stage);
    request.set_page_size(2);
    do {
      v1::ListProductIdeasResponse page;
      EXPECT_THAT(FromGrpcStatus(stub_->ListProductIdeas(ocop::testing::ContextAs(producer).get(), request, &page)),
                  IsOk());
      for (const auto& listed : page.product_ideas()) names.push_back(listed.name());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty() && names.size() < 10);
    return names;
  };
  EXPECT_EQ(list("19", "", v1::PRODUCT_IDEA_STAGE_UNSPECIFIED).size(), 4u);
  EXPECT_EQ(list("19", "05503", v1::PRODUCT_IDEA_STAGE_UNSPECIFIED),
            (std::vector<std::string>{"productIdeas/tn-1", "productIdeas/tn-2", "productIdeas/tn-4"}));
  EXPECT_EQ(list("19", "", v1::PRODUCT_IDEA_STAGE_CANDIDATE), (std::vector<std::string>{"productIdeas/tn-3"}));
  EXPECT_EQ(list("25", "", v1::PRODUCT_IDEA_STAGE_UNSPECIFIED), (std::vector<std::string>{"productIdeas/hb-1"}));

  // The report: spellings of one sector are one row, named by the first registered on a tie.
  auto report = [&](const Actor& caller, const std::string& province, const std::string& from, bool exclude_dropped,
                    v1::ProductIdeasReport* out) {
    v1::ReportProductIdeasRequest request;
    request.set_province_code(province);
    request.set_registered_from(from);
    request.set_exclude_dropped(exclude_dropped);
    return FromGrpcStatus(stub_->ReportProductIdeas(ocop::testing::ContextAs(caller).get(), request, out));
  };
  v1::ProductIdeasReport counts;
  ASSERT_THAT(report(thai_nguyen_office, "19", "", false, &counts), IsOk());
  EXPECT_EQ(counts.total(), 4);
  ASSERT_EQ(counts.by_sector_size(), 2);
  EXPECT_EQ(counts.by_sector(0).sector(), "Chè");
  EXPECT_EQ(counts.by_sector(0).ideas(), 3);
  EXPECT_EQ(counts.by_sector(1).sector(), "Thực phẩm tươi sống");
  EXPECT_EQ(counts.by_sector(1).ideas(), 1);
  ASSERT_EQ(counts.by_commune_size(), 2);
  EXPECT_EQ(counts.by_commune(0).commune_code(), "05503");
  EXPECT_EQ(counts.by_commune(0).commune_name(), "Xã Tân Cương");
  EXPECT_EQ(counts.by_commune(0).ideas(), 3);
  EXPECT_EQ(counts.by_commune(1).commune_code(), greens_commune);
  ASSERT_EQ(counts.by_stage_size(), 4);
  EXPECT_EQ(counts.by_stage(0).stage(), v1::PRODUCT_IDEA_STAGE_IDEA);
  EXPECT_EQ(counts.by_stage(3).stage(), v1::PRODUCT_IDEA_STAGE_DROPPED);
  ASSERT_THAT(report(thai_nguyen_office, "19", "", true, &counts), IsOk());
  EXPECT_EQ(counts.total(), 3);
  EXPECT_EQ(counts.by_sector(0).ideas(), 2);
  ASSERT_THAT(report(thai_nguyen_office, "19", "2025-04-01", false, &counts), IsOk());
  EXPECT_EQ(counts.total(), 2);  // tn-2 and tn-3
  EXPECT_THAT(report(thai_nguyen_office, "25", "", false, &counts), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(report(admin, "", "", false, &counts), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(report(admin, "19", "2025-13-01", false, &counts), StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_THAT(report(admin, "25", "", false, &counts), IsOk());
  EXPECT_EQ(counts.total(), 1);
  EXPECT_EQ(counts.by_commune(0).commune_code(), "05128");  // Xã Tân Lạc today
}

TEST_P(RegistryReportsTest, SalesPointsAreKeptByTheirProvinceAndCountTowardsPlans) {
  Actor thai_nguyen_office("users/office-tn", "office");
  thai_nguyen_office.province = "19";
  auto sales_point = [](const std::string& id, v1::SalesPointTier tier, const std::string& units,
                        const std::string& province, const std::string& commune, const std::string& opened) {
    v1::SalesPoint point;
    point.set_name("salesPoints/" + id);
    point.set_display_name("Điểm bán " + id);
    point.set_kind(v1::SALES_POINT_KIND_SHOWROOM);
    point.set_tier(tier);
    point.mutable_address()->set_units_version(units);
    point.mutable_address()->set_province_code(province);
    point.mutable_address()->set_commune_code(commune);
    point.set_operator_name("Trung tâm Xúc tiến Thương mại");
    point.set_opened_date(opened);
    return point;
  };
  auto set = [&](const v1::SalesPoint& point, const Actor& caller, v1::SalesPoint* stored) {
    v1::SetSalesPointRequest request;
    *request.mutable_sales_point() = point;
    return FromGrpcStatus(stub_->SetSalesPoint(ocop::testing::ContextAs(caller).get(), request, stored));
  };
  const Actor admin("tester", "admin");
  v1::SalesPoint stored;

  // The province's centre, recorded with the units of its day, upgraded twice (one day given twice).
  v1::SalesPoint centre = sales_point("tn-centre", v1::SALES_POINT_TIER_PROVINCE, "2025-01-04", "19", "05443", "2020-11-20");
  centre.set_kind(v1::SALES_POINT_KIND_CENTER);
  for (const char* day : {"2023-09-15", "2022-01-10", "2023-09-15"}) centre.add_upgrade_dates(day);
  ASSERT_THAT(set(centre, thai_nguyen_office, &stored), IsOk());
  EXPECT_EQ(std::vector<std::string>(stored.upgrade_dates().begin(), stored.upgrade_dates().end()),
            (std::vector<std::string>{"2022-01-10", "2023-09-15"}));
  EXPECT_EQ(stored.address().commune_name(), "Phường Trưng Vương");
  EXPECT_EQ(stored.address().current_province_code(), "19");
  // Setting it again writes nothing.
  v1::SalesPoint again;
  ASSERT_THAT(set(centre, thai_nguyen_office, &again), IsOk());
  EXPECT_EQ(again.update_time().seconds(), stored.update_time().seconds());
  EXPECT_EQ(again.update_time().nanos(), stored.update_time().nanos());

  // A commune's showroom in today's units; a private counter in the former Hoà Bình (Phú Thọ now).
  ASSERT_THAT(set(sales_point("tan-cuong", v1::SALES_POINT_TIER_LOCAL, "", "19", "05503", "2022-05-10"),
                  thai_nguyen_office, &stored),
              IsOk());
  v1::SalesPoint hoa_binh = sales_point("tan-lac", v1::SALES_POINT_TIER_PRIVATE, "2025-01-04", "17", "05164", "2024-03-01");
  EXPECT_THAT(set(hoa_binh, thai_nguyen_office, &stored), StatusIs(absl::StatusCode::kPermissionDenied));
  ASSERT_THAT(set(hoa_binh, admin, &stored), IsOk());
  EXPECT_EQ(stored.address().current_province_code(), "25");
  // Nor may the office take Phú Thọ's sales point over by its name.
  v1::SalesPoint takeover = sales_point("tan-lac", v1::SALES_POINT_TIER_PRIVATE, "", "19", "05503", "2024-03-01");
  EXPECT_THAT(set(takeover, thai_nguyen_office, &stored), StatusIs(absl::StatusCode::kPermissionDenied));
  Actor producer("users/htx", "producer");
  producer.producer = coop_;
  EXPECT_THAT(set(centre, producer, &stored), StatusIs(absl::StatusCode::kPermissionDenied));

  // Bad input is named; nothing stored changes.
  struct Bad {
    std::function<void(v1::SalesPoint&)> change;
    absl::StatusCode code;
    std::string error;
  };
  const std::vector<Bad> bads = {
      {[](v1::SalesPoint& p) { p.set_name("plans/x"); }, absl::StatusCode::kInvalidArgument, "sales_point.name"},
      {[](v1::SalesPoint& p) { p.set_kind(v1::SALES_POINT_KIND_UNSPECIFIED); }, absl::StatusCode::kInvalidArgument,
       "sales_point.kind: must be center, showroom or counter"},
      {[](v1::SalesPoint& p) { p.set_tier(static_cast<v1::SalesPointTier>(9)); }, absl::StatusCode::kInvalidArgument,
       "sales_point.tier: unknown value"},
      {[](v1::SalesPoint& p) { p.set_operator_name(""); }, absl::StatusCode::kInvalidArgument,
       "sales_point.operator_name"},
      {[](v1::SalesPoint& p) { p.set_opened_date("2999-01-01"); }, absl::StatusCode::kInvalidArgument,
       "sales_point.opened_date: 2999-01-01 is in the future"},
      {[](v1::SalesPoint& p) { p.add_upgrade_dates("2019-01-01"); }, absl::StatusCode::kInvalidArgument,
       "sales_point.upgrade_dates[3]: 2019-01-01 is not after the opening (2020-11-20)"},
      {[](v1::SalesPoint& p) { p.set_closed_date("2023-01-01"); }, absl::StatusCode::kInvalidArgument,
       "sales_point.upgrade_dates[0]: 2023-09-15 is after the closing (2023-01-01)"},
      {[](v1::SalesPoint& p) { p.mutable_address()->set_commune_code("05164"); }, absl::StatusCode::kInvalidArgument,
       "sales_point.address.commune_code: 05164 (Xã Tử Nê) is in province 17, not 19"},
      {[](v1::SalesPoint& p) { p.set_producer("producers/nope"); }, absl::StatusCode::kNotFound,
       "sales_point.producer: producers/nope not found"},
  };
  for (const Bad& bad : bads) {
    v1::SalesPoint changed = centre;
    bad.change(changed);
    absl::Status status = set(changed, admin, &stored);
    EXPECT_EQ(status.code(), bad.code) << bad.error << ": " << status;
    EXPECT_TRUE(absl::StartsWith(status.message(), bad.error)) << status;
  }
  v1::GetSalesPointRequest get;
  get.set_name("salesPoints/tn-centre");
  ASSERT_THAT(FromGrpcStatus(stub_->GetSalesPoint(ocop::testing::ContextAs(producer).get(), get, &stored)), IsOk());
  EXPECT_EQ(stored.upgrade_dates_size(), 2);
  EXPECT_TRUE(stored.closed_date().empty());

  // Anyone signed in lists a province's register, a page at a time; closed ones on request.
  auto list = [&](const std::string& province, bool include_closed) {
    std::vector<std::string> names;
    v1::ListSalesPointsRequest request;
    request.set_province_code(province);
    request.set_include_closed(include_closed);
    request.set_page_size(1);
    do {
      v1::ListSalesPointsResponse page;
      EXPECT_THAT(FromGrpcStatus(stub_->ListSalesPoints(ocop::testing::ContextAs(producer).get(), request, &page)),
                  IsOk());
      for (const auto& point : page.sales_points()) names.push_back(point.name());
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty() && names.size() < 10);
    return names;
  };
  EXPECT_EQ(list("19", false), (std::vector<std::string>{"salesPoints/tan-cuong", "salesPoints/tn-centre"}));
  v1::SalesPoint closed = sales_point("tan-cuong", v1::SALES_POINT_TIER_LOCAL, "", "19", "05503", "2022-05-10");
  closed.set_closed_date("2025-03-31");
  ASSERT_THAT(set(closed, thai_nguyen_office, &stored), IsOk());
  EXPECT_EQ(list("19", false), (std::vector<std::string>{"salesPoints/tn-centre"}));
  EXPECT_EQ(list("19", true), (std::vector<std::string>{"salesPoints/tan-cuong", "salesPoints/tn-centre"}));
  EXPECT_EQ(list("", true).size(), 3u);

  // Thái Nguyên's plan (its units before the merger): the centre was upgraded within the period
  // (it opened before it: counted once); the commune's showroom opened within it; Hoà Bình's
  // counter is not Thái Nguyên's.
  v1::SetPlanRequest request;
  v1::ProvincePlan* plan = request.mutable_plan();
  plan->set_name("plans/showrooms");
  plan->set_display_name("Kế hoạch thử");
  plan->set_period_start("2021-01-01");
  plan->set_period_end("2025-12-31");
  plan->mutable_scope()->set_units_version("2025-01-04");
  plan->mutable_scope()->set_province_code("19");
  for (v1::PlanMetric metric :
       {v1::PLAN_METRIC_PROVINCE_SALES_POINTS_OPENED_OR_UPGRADED, v1::PLAN_METRIC_SALES_POINTS_OPENED}) {
    v1::PlanTarget* target = plan->add_targets();
    target->set_metric(metric);
    target->set_target(1);
  }
  v1::ProvincePlan stored_plan;
  ASSERT_THAT(FromGrpcStatus(stub_->SetPlan(Context().get(), request, &stored_plan)), IsOk());
  v1::GetPlanProgressRequest ask;
  ask.set_name("plans/showrooms");
  ask.set_as_of("2025-12-31");
  v1::PlanProgress progress;
  ASSERT_THAT(FromGrpcStatus(stub_->GetPlanProgress(Context().get(), ask, &progress)), IsOk());
  ASSERT_EQ(progress.targets_size(), 2);
  EXPECT_EQ(progress.targets(0).value(), 1);
  EXPECT_TRUE(progress.targets(0).met());
  EXPECT_EQ(progress.targets(1).value(), 1);
  // As of 2021-12-31 the centre had not been upgraded yet.
  ask.set_as_of("2021-12-31");
  ASSERT_THAT(FromGrpcStatus(stub_->GetPlanProgress(Context().get(), ask, &progress)), IsOk());
  EXPECT_EQ(progress.targets(0).value(), 0);
  EXPECT_FALSE(progress.targets(0).met());

  // An office may not replace another province's plan by reusing its name.
  Actor phu_tho_office("users/office-pt", "office");
  phu_tho_office.province = "25";
  plan->clear_scope();
  plan->set_province_code("25");
  EXPECT_THAT(FromGrpcStatus(stub_->SetPlan(ocop::testing::ContextAs(phu_tho_office).get(), request, &stored_plan)),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace ocop::registry
