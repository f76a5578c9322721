// Growing areas and seasons, where farm steps may be recorded, harvests, split/merge genealogy,
// recalls, tamper evidence and queries, over real gRPC with a real registry and SQLite files.
#include <sqlite3.h>

#include <fstream>

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/crypto/digest.h"
#include "common/crypto/ed25519.h"
#include "common/grpc/proto_time.h"
#include "common/store/idempotency.h"
#include "common/store/outbox.h"
#include "services/batch/batch_schema.h"
#include "services/batch/event_chain.h"
#include "services/batch/sql_batch_repository.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"
#include "tests/support/store_engines.h"

namespace ocop::batch {
namespace {

using ::ocop::testing::Context;
using ::ocop::testing::IsOk;
using ::ocop::testing::RunCommand;

// The published vectors of docs/event-chain.md, computed independently of this code (Python's
// struct and hashlib following the document, OpenSSL's Ed25519 with RFC 8032's first test key).
TEST(EventChainFormat, FixedTestVectors) {
  BatchEvent event;
  event.batch = "batches/tc2026a";
  event.sequence = 1;
  event.event_id = "urn:uuid:6f1c2b9e-0d4a-4c1e-9a53-2f1d7c8e9b10";
  event.type = EventType::kObject;
  event.biz_step = "ocop:harvesting";
  event.event_time = absl::FromCivil(absl::CivilSecond(2026, 3, 14, 1, 30, 0), absl::UTCTimeZone());
  event.event_time_zone_offset = "+07:00";
  event.record_time = absl::FromCivil(absl::CivilSecond(2026, 3, 14, 2, 0, 0), absl::UTCTimeZone());
  event.location.display_name = "Đồi chè Tân Cương";
  event.location.commune_code = "05533";
  event.location.geo = GeoPoint{21.5928, 105.764};
  event.recorded_by = "users/hoa";
  event.details = {{"pesticide", "none"}, {"picker", "Chị Lan"}};
  event.outputs = {{"urn:epc:class:lgtin:8930000.00001.TC2026A", 250, "kg"}};
  EXPECT_EQ(crypto::HexEncode(CanonicalEventBytes(event)),
      "0000000d6f636f702d6576656e742d76310000000f626174636865732f7463323032366100000001310000002d75726e"
      "3a757569643a36663163326239652d306434612d346331652d396135332d326631643763386539623130000000013100"
      "00000f6f636f703a68617276657374696e670000001031373733343531383030303030303030000000062b30373a3030"
      "000000103137373334353336303030303030303000000018c490e1bb9369206368c3a82054c3a26e2043c6b0c6a16e67"
      "0000000530353533330000000732312e35393238000000073130352e3736340000000000000000000000097573657273"
      "2f686f610000000000000000000000013200000009706573746963696465000000046e6f6e65000000067069636b6572"
      "000000094368e1bb8b204c616e0000000130000000013000000001310000002975726e3a6570633a636c6173733a6c67"
      "74696e3a383933303030302e30303030312e5443323032364100000003323530000000026b67");
  const std::string head = NextChainHash("", event);
  EXPECT_EQ(head, "0401f9e6afd571f5535ee98de358842ec810040208be5ac4cbf473fb862dcf78");
  const std::string statement = CheckpointStatement("batches/tc2026a", 1, head);
  EXPECT_EQ(statement, "ocop-checkpoint-v1\nbatches/tc2026a\n1\n0401f9e6afd571f5535ee98de358842ec810040208be5ac4cbf473fb862dcf78\n");
  auto key = crypto::Ed25519PrivateKey::FromPem(
      "-----BEGIN PRIVATE KEY-----\n"
      "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
      "-----END PRIVATE KEY-----\n");
  ASSERT_THAT(key, IsOk());
  auto signature = key->Sign(statement);
  ASSERT_THAT(signature, IsOk());
  EXPECT_EQ(absl::WebSafeBase64Escape(*signature),
            "IkgJZvlRML65bxZe6EnbcQsLuV5Jfe9lDdgD2t4TlNIj62K9a1DhxWJDg3LHmx8_kxOP4Lk_IVbI0juNu23bCQ");
}

// Runs SQL on the service's database from a second connection: an insider with access to the
// file or the database server.
void Tamper(const std::string& location, const std::string& sql) {
  if (store::IsPostgresLocation(location)) {
    auto database = store::Database::Open(location, BatchSchema());
    ASSERT_THAT(database, IsOk());
    ASSERT_THAT((*database)->Transact([&](store::Connection& connection) { return connection.Execute(sql); }), IsOk());
    return;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(location.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  std::string message = error != nullptr ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

// Runs on both store engines (the registry it calls keeps a SQLite file).
class BatchChainTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    auto registry = ocop::testing::RegistryHarness::Start(dir_.File("registry.db"));
    ASSERT_THAT(registry, IsOk());
    registry_ = std::move(*registry);
    auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "batch.db");
    ASSERT_THAT(location, IsOk());
    auto batch = ocop::testing::BatchHarness::Start(*location, registry_->address(), dir_.File("batch-keys"));
    ASSERT_THAT(batch, IsOk());
    batch_ = std::move(*batch);
    stub_ = batch_->Stub();
    auto registry_stub = registry_->Stub();
    registry::v1::CreateProducerRequest producer_request;
    *producer_request.mutable_producer() = ocop::testing::TeaCooperative();
    registry::v1::Producer producer;
    ASSERT_TRUE(registry_stub->CreateProducer(Context().get(), producer_request, &producer).ok());
    producer_ = producer.name();
    registry::v1::CreateProductRequest product_request;
    product_request.mutable_product()->set_producer(producer.name());
    product_request.mutable_product()->set_display_name("Chè Tân Cương");
    product_request.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
    product_request.mutable_product()->set_gtin("8930000000019");
    registry::v1::Product product;
    ASSERT_TRUE(registry_stub->CreateProduct(Context().get(), product_request, &product).ok());
    product_ = product.name();
  }

  std::string CreateSeason() {
    v1::CreateGrowingAreaRequest area_request;
    v1::GrowingArea* area = area_request.mutable_growing_area();
    area->set_code("VN-TN-05503-001");
    area->set_producer(producer_);
    area->set_commune_code("05503");
    area->mutable_point()->set_latitude(21.58);
    area->mutable_point()->set_longitude(105.77);
    area->set_area_hectares(2.5);
    area->set_crop("Chè Trung du");
    v1::GrowingArea created;
    EXPECT_TRUE(stub_->CreateGrowingArea(Context().get(), area_request, &created).ok());
    v1::CreateSeasonRequest season_request;
    season_request.set_parent(created.name());
    season_request.mutable_season()->set_label("Vụ xuân 2026");
    season_request.mutable_season()->set_start_date("2026-02-01");
    v1::Season season;
    EXPECT_TRUE(stub_->CreateSeason(Context().get(), season_request, &season).ok());
    return season.name();
  }

  v1::AppendEventRequest EventRequest(const std::string& parent, const std::string& step, absl::Time when) {
    v1::AppendEventRequest request;
    request.set_parent(parent);
    request.mutable_event()->set_type(v1::EVENT_TYPE_OBJECT);
    request.mutable_event()->set_biz_step(step);
    grpcutil::ToProtoTime(when, request.mutable_event()->mutable_event_time());
    request.mutable_event()->mutable_location()->set_display_name("Đồi chè xóm Nam Thái");
    return request;
  }

  grpc::Status Append(const std::string& parent, const std::string& step, v1::BatchEvent* out,
                      absl::Time when = absl::Now() - absl::Hours(2)) {
    return stub_->AppendEvent(Context().get(), EventRequest(parent, step, when), out);
  }

  grpc::Status CreateLot(const std::string& lot, double quantity, v1::Batch* out,
                         const std::vector<std::string>& seasons = {}, const std::string& harvest_date = "2026-03-14") {
    v1::CreateBatchRequest request;
    v1::Batch* batch = request.mutable_batch();
    batch->set_product(product_);
    batch->set_lot_code(lot);
    batch->set_harvest_date(harvest_date);
    batch->set_quantity(quantity);
    batch->set_unit("kg");
    for (const std::string& season : seasons) batch->add_source_seasons(season);
    v1::Certification* vietgap = batch->add_certifications();
    vietgap->set_scheme(v1::CERTIFICATION_SCHEME_VIETGAP);
    vietgap->set_certificate_number("VietGAP-TT-12-34-0001");
    vietgap->set_valid_until("2027-12-31");
    return stub_->CreateBatch(Context().get(), request, out);
  }

  v1::SplitBatchResponse Split(const std::string& parent, const std::vector<std::pair<std::string, double>>& children,
                               grpc::Status* status, const std::string& request_id = "") {
    v1::SplitBatchRequest request;
    request.set_parent(parent);
    request.set_request_id(request_id);
    for (const auto& [code, quantity] : children) {
      v1::Batch* child = request.add_children();
      child->set_lot_code(code);
      child->set_quantity(quantity);
    }
    v1::SplitBatchResponse response;
    *status = stub_->SplitBatch(Context().get(), request, &response);
    return response;
  }

  v1::Batch Get(const std::string& name) {
    v1::GetBatchRequest request;
    request.set_name(name);
    v1::Batch batch;
    EXPECT_TRUE(stub_->GetBatch(Context().get(), request, &batch).ok());
    return batch;
  }

  v1::VerifyChainResponse Verify(const std::string& chain, const std::vector<v1::Checkpoint>& published = {}) {
    v1::VerifyChainRequest request;
    request.set_chain(chain);
    for (const v1::Checkpoint& checkpoint : published) *request.add_published() = checkpoint;
    v1::VerifyChainResponse response;
    grpc::Status status = stub_->VerifyChain(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // A lot with `count` packing/storing/shipping events.
  std::string LotWithEvents(int count) {
    v1::Batch lot;
    EXPECT_TRUE(CreateLot("L-CHAIN", 100, &lot).ok());
    const char* steps[] = {"packing", "storing", "shipping"};
    for (int i = 0; i < count; ++i) {
      v1::BatchEvent event;
      EXPECT_TRUE(Append(lot.name(), steps[i % 3], &event, absl::Now() - absl::Hours(10 - i)).ok());
    }
    return lot.name();
  }

  ocop::testing::TempDir dir_;
  std::unique_ptr<ocop::testing::RegistryHarness> registry_;
  std::unique_ptr<ocop::testing::BatchHarness> batch_;
  std::unique_ptr<v1::BatchService::Stub> stub_;
  std::string producer_;
  std::string product_;
};

INSTANTIATE_TEST_SUITE_P(Engines, BatchChainTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(BatchChainTest, FarmStepsBelongToTheSeasonAndAreRefusedOnTheLot) {
  std::string season = CreateSeason();
  v1::BatchEvent event;
  ASSERT_TRUE(Append(season, "ocop:planting", &event).ok());
  EXPECT_EQ(event.name(), season + "/events/1");
  v1::AppendEventRequest spraying = EventRequest(season, "ocop:spraying", absl::Now() - absl::Hours(1));
  grpc::Status status = stub_->AppendEvent(Context().get(), spraying, &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("event.details[pesticide]"), std::string::npos) << status.error_message();

  v1::Batch lot;
  ASSERT_TRUE(CreateLot("L-FARM", 50, &lot).ok());
  status = Append(lot.name(), "ocop:fertilizing", &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("record it on the season"), std::string::npos) << status.error_message();
  status = Append(season, "shipping", &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Inspections fit both; steps the service records itself fit neither.
  EXPECT_TRUE(Append(season, "inspecting", &event).ok());
  status = Append(lot.name(), "ocop:recalling", &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  status = Append(lot.name(), "teleporting", &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("event.biz_step: 'teleporting'"), std::string::npos);
  EXPECT_EQ(Get(lot.name()).event_count(), 0);
}

TEST_P(BatchChainTest, HarvestIsATransformationFromTheSeasonAndRespectsThePreHarvestInterval) {
  std::string season = CreateSeason();
  v1::AppendEventRequest spraying =
      EventRequest(season, "ocop:spraying", absl::FromCivil(absl::CivilSecond(2026, 3, 10, 8, 0, 0),
                                                            absl::FixedTimeZone(7 * 3600)));
  (*spraying.mutable_event()->mutable_details())["pesticide"] = "Abamectin 3.6EC";
  (*spraying.mutable_event()->mutable_details())["pre_harvest_interval_days"] = "7";
  v1::BatchEvent sprayed;
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), spraying, &sprayed).ok());

  v1::Batch lot;
  grpc::Status status = CreateLot("L-EARLY", 80, &lot, {season}, "2026-03-14");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("harvest on or after 2026-03-17"), std::string::npos) << status.error_message();

  ASSERT_TRUE(CreateLot("L-OK", 80, &lot, {season}, "2026-03-17").ok());
  EXPECT_EQ(lot.growing_area_code(), "VN-TN-05503-001");
  ASSERT_EQ(lot.source_seasons_size(), 1);
  EXPECT_EQ(lot.event_count(), 1);
  v1::ListEventsRequest list;
  list.set_parent(lot.name());
  v1::ListEventsResponse events;
  ASSERT_TRUE(stub_->ListEvents(Context().get(), list, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  const v1::BatchEvent& harvest = events.events(0);
  EXPECT_EQ(harvest.type(), v1::EVENT_TYPE_TRANSFORMATION);
  EXPECT_EQ(harvest.biz_step(), "ocop:harvesting");
  ASSERT_EQ(harvest.inputs_size(), 1);
  EXPECT_EQ(harvest.inputs(0).object(), season);
  EXPECT_EQ(harvest.outputs(0).object(), lot.name());
  EXPECT_EQ(harvest.outputs(0).quantity(), 80);
  // The harvest is recorded; a second one by hand is refused.
  v1::BatchEvent event;
  EXPECT_EQ(Append(lot.name(), "ocop:harvesting", &event).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // The season goes on after the harvest; its later events belong to later harvests, not this lot.
  ASSERT_TRUE(Append(season, "ocop:pruning", &event,
                     absl::FromCivil(absl::CivilSecond(2026, 3, 20, 7, 0, 0), absl::FixedTimeZone(7 * 3600)))
                  .ok());
  v1::GetTraceRequest trace_request;
  trace_request.set_name(lot.name());
  v1::Trace trace;
  ASSERT_TRUE(stub_->GetTrace(Context().get(), trace_request, &trace).ok());
  std::vector<std::string> steps;
  for (const auto& traced : trace.events()) steps.push_back(traced.biz_step());
  EXPECT_EQ(steps, (std::vector<std::string>{"ocop:spraying", "ocop:harvesting"}));
}

// Honey and dried buffalo meat are OCOP staples: a hive's or a herd's cycle is a season, and a
// veterinary drug or vaccine given to it holds the harvest back for its withdrawal period, the way
// a spraying's pre-harvest interval does.
TEST_P(BatchChainTest, AVeterinaryDrugsWithdrawalPeriodHoldsTheHarvestBack) {
  const std::string season = CreateSeason();
  const absl::TimeZone vietnam = absl::FixedTimeZone(7 * 3600);
  v1::BatchEvent event;
  ASSERT_TRUE(Append(season, "ocop:stocking", &event, absl::FromCivil(absl::CivilSecond(2026, 2, 1, 8, 0, 0), vietnam)).ok());
  ASSERT_TRUE(Append(season, "ocop:feeding", &event, absl::FromCivil(absl::CivilSecond(2026, 2, 2, 8, 0, 0), vietnam)).ok());

  v1::AppendEventRequest treating =
      EventRequest(season, "ocop:treating", absl::FromCivil(absl::CivilSecond(2026, 3, 1, 17, 0, 0), vietnam));
  grpc::Status status = stub_->AppendEvent(Context().get(), treating, &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("event.details[veterinary_drug]"), std::string::npos) << status.error_message();
  (*treating.mutable_event()->mutable_details())["veterinary_drug"] = "Oxytetracycline 10%";
  for (const char* bad : {"", "-1", "366", "two weeks"}) {
    (*treating.mutable_event()->mutable_details())["withdrawal_period_days"] = bad;
    status = stub_->AppendEvent(Context().get(), treating, &event);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << bad;
    EXPECT_EQ(status.error_message(),
              "event.details[withdrawal_period_days]: required for a veterinary treatment, whole days from 0 to 365 "
              "(thời gian ngừng sử dụng thuốc)")
        << bad;
  }
  (*treating.mutable_event()->mutable_details())["withdrawal_period_days"] = "21";
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), treating, &event).ok());
  // A vaccine with no withdrawal period says so (0 days); it holds nothing back.
  v1::AppendEventRequest vaccinating =
      EventRequest(season, "ocop:vaccinating", absl::FromCivil(absl::CivilSecond(2026, 3, 15, 8, 0, 0), vietnam));
  (*vaccinating.mutable_event()->mutable_details())["veterinary_drug"] = "Vắc-xin lở mồm long móng";
  (*vaccinating.mutable_event()->mutable_details())["withdrawal_period_days"] = "0";
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), vaccinating, &event).ok());
  // Husbandry steps are the season's, like planting.
  v1::Batch lot;
  ASSERT_TRUE(CreateLot("L-HERD", 30, &lot).ok());
  v1::AppendEventRequest on_lot = treating;
  on_lot.set_parent(lot.name());
  EXPECT_EQ(stub_->AppendEvent(Context().get(), on_lot, &event).error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  // Treated on 1 March (Vietnam time) for 21 days: nothing taken before 22 March.
  status = CreateLot("L-EARLY", 30, &lot, {season}, "2026-03-21");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(),
            absl::StrCat("batch.harvest_date: 2026-03-21 is inside the withdrawal period of Oxytetracycline 10% given "
                         "on 2026-03-01 (21 days, ",
                         season, "/events/3): harvest on or after 2026-03-22"));
  ASSERT_TRUE(CreateLot("L-ON-TIME", 30, &lot, {season}, "2026-03-22").ok()) << status.error_message();
  EXPECT_EQ(lot.event_count(), 1);
}

TEST_P(BatchChainTest, SplitQuantitiesMustAddUpAndTheParentCanBeSplitOnce) {
  v1::Batch parent;
  ASSERT_TRUE(CreateLot("L-250", 250, &parent).ok());
  grpc::Status status;
  Split(parent.name(), {{"L-250-A", 100}, {"L-250-B", 100}}, &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "children: quantities add up to 200 kg, the lot has 250 kg");
  Split(parent.name(), {{"L-250-A", 300}, {"L-250-B", -50}}, &status);
  EXPECT_EQ(status.error_message(), "children[1].quantity: must be a positive number");
  EXPECT_EQ(Get(parent.name()).status(), v1::BATCH_STATUS_OPEN);

  v1::SplitBatchResponse split = Split(parent.name(), {{"L-250-A", 100.5}, {"L-250-B", 149.5}}, &status, "split-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(split.children_size(), 2);
  EXPECT_EQ(split.children(0).lot_code(), "L-250-A");
  EXPECT_EQ(split.children(1).quantity(), 149.5);
  EXPECT_EQ(split.children(0).parents(0), parent.name());
  EXPECT_EQ(split.children(0).certifications_size(), 1);
  EXPECT_EQ(split.event().biz_step(), "ocop:splitting");
  EXPECT_EQ(split.event().outputs_size(), 2);
  v1::Batch closed = Get(parent.name());
  EXPECT_EQ(closed.status(), v1::BATCH_STATUS_CLOSED);
  EXPECT_EQ(closed.children_size(), 2);

  // A retry returns the same children; a second split is refused.
  v1::SplitBatchResponse retried = Split(parent.name(), {{"L-250-A", 100.5}, {"L-250-B", 149.5}}, &status, "split-1");
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(retried.children(0).name(), split.children(0).name());
  Split(parent.name(), {{"L-250-C", 100.5}, {"L-250-D", 149.5}}, &status, "split-2");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("closed"), std::string::npos);
}

TEST_P(BatchChainTest, MergeSumsQuantitiesAndKeepsOnlySharedCertifications) {
  v1::Batch a;
  v1::Batch b;
  ASSERT_TRUE(CreateLot("L-A", 30, &a).ok());
  v1::CreateBatchRequest request;
  request.mutable_batch()->set_product(product_);
  request.mutable_batch()->set_lot_code("L-B");
  request.mutable_batch()->set_harvest_date("2026-03-20");
  request.mutable_batch()->set_quantity(20);
  request.mutable_batch()->set_unit("kg");
  ASSERT_TRUE(stub_->CreateBatch(Context().get(), request, &b).ok());
  v1::MergeBatchesRequest merge;
  merge.add_parents(a.name());
  merge.add_parents(b.name());
  merge.mutable_merged()->set_lot_code("BLEND-1");
  merge.mutable_merged()->set_quantity(60);
  v1::MergeBatchesResponse merged;
  grpc::Status status = stub_->MergeBatches(Context().get(), merge, &merged);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "merged.quantity: the lots add up to 50 kg, not 60 kg");
  merge.mutable_merged()->clear_quantity();
  ASSERT_TRUE(stub_->MergeBatches(Context().get(), merge, &merged).ok());
  EXPECT_EQ(merged.merged().quantity(), 50);
  EXPECT_EQ(merged.merged().harvest_date(), "2026-03-20");
  EXPECT_EQ(merged.merged().certifications_size(), 0);  // L-B is not VietGAP
  EXPECT_EQ(merged.merged().parents_size(), 2);
  EXPECT_EQ(merged.event().biz_step(), "ocop:blending");
  EXPECT_EQ(merged.event().inputs_size(), 2);
  EXPECT_EQ(Get(a.name()).status(), v1::BATCH_STATUS_CLOSED);
}

TEST_P(BatchChainTest, RecallReachesGrandchildrenAndGoesOutOnTheFeed) {
  std::string season = CreateSeason();
  v1::BatchEvent event;
  ASSERT_TRUE(Append(season, "ocop:planting", &event,
                     absl::FromCivil(absl::CivilSecond(2026, 2, 15, 7, 0, 0), absl::FixedTimeZone(7 * 3600)))
                  .ok());
  v1::Batch root;
  ASSERT_TRUE(CreateLot("R", 100, &root, {season}).ok());
  grpc::Status status;
  v1::SplitBatchResponse children = Split(root.name(), {{"R-1", 60}, {"R-2", 40}}, &status);
  ASSERT_TRUE(status.ok());
  v1::SplitBatchResponse grandchildren = Split(children.children(0).name(), {{"R-1-a", 30}, {"R-1-b", 30}}, &status);
  ASSERT_TRUE(status.ok());
  std::string grandchild = grandchildren.children(1).name();

  // The grandchild's trace shows the field, the harvest and both splits.
  v1::GetTraceRequest trace_request;
  trace_request.set_name(grandchild);
  v1::Trace trace;
  ASSERT_TRUE(stub_->GetTrace(Context().get(), trace_request, &trace).ok());
  EXPECT_EQ(trace.ancestors_size(), 2);
  EXPECT_EQ(trace.ancestors(0).name(), children.children(0).name());
  ASSERT_EQ(trace.seasons_size(), 1);
  std::vector<std::string> steps;
  for (const auto& e : trace.events()) steps.push_back(e.biz_step());
  EXPECT_EQ(steps, (std::vector<std::string>{"ocop:planting", "ocop:harvesting", "ocop:splitting", "ocop:splitting"}));

  common::v1::WatchChangesRequest watch;
  auto feed_context = Context();
  auto reader = stub_->WatchChanges(feed_context.get(), watch);
  common::v1::Change change;
  int64_t last_sequence = 0;
  while (reader->Read(&change)) {
    last_sequence = change.sequence();
    if (change.name() == grandchild && change.generation() >= 2) break;
  }
  feed_context->TryCancel();

  v1::RecallBatchRequest recall;
  recall.set_name(root.name());
  recall.set_reason("Dư lượng thuốc bảo vệ thực vật vượt ngưỡng");
  recall.set_request_id("recall-1");
  v1::RecallBatchResponse recalled;
  ASSERT_TRUE(stub_->RecallBatch(Context().get(), recall, &recalled).ok());
  EXPECT_EQ(recalled.recalled_size(), 5);  // root, 2 children, 2 grandchildren
  v1::Batch grandchild_now = Get(grandchild);
  EXPECT_EQ(grandchild_now.status(), v1::BATCH_STATUS_RECALLED);
  EXPECT_EQ(grandchild_now.recalled_from(), root.name());
  EXPECT_EQ(grandchild_now.recall_reason(), "Dư lượng thuốc bảo vệ thực vật vượt ngưỡng");
  // A retry recalls nothing twice and answers the same.
  v1::RecallBatchResponse retried;
  ASSERT_TRUE(stub_->RecallBatch(Context().get(), recall, &retried).ok());
  EXPECT_EQ(retried.recalled_size(), 5);
  EXPECT_EQ(Get(grandchild).event_count(), grandchild_now.event_count());

  // The grandchild's change is on the feed after the recall.
  watch.set_after_sequence(last_sequence);
  auto after_context = Context();
  auto after = stub_->WatchChanges(after_context.get(), watch);
  bool grandchild_changed = false;
  while (!grandchild_changed && after->Read(&change)) grandchild_changed = change.name() == grandchild;
  after_context->TryCancel();
  EXPECT_TRUE(grandchild_changed);
}

TEST_P(BatchChainTest, AnIntactChainVerifiesAndEditedDeletedOrReorderedEventsAreCaught) {
  std::string lot = LotWithEvents(4);
  v1::VerifyChainResponse intact = Verify(lot);
  EXPECT_TRUE(intact.intact()) << intact.problem();
  EXPECT_EQ(intact.event_count(), 4);
  EXPECT_EQ(intact.head_hash(), Get(lot).checkpoint().head_hash());

  Tamper(batch_->db_path(), absl::StrCat("UPDATE chain_events SET location_name = 'Kho khác' WHERE chain = '", lot,
                                         "' AND sequence = 3"));
  v1::VerifyChainResponse edited = Verify(lot);
  EXPECT_FALSE(edited.intact());
  EXPECT_EQ(edited.first_broken_sequence(), 3);

  Tamper(batch_->db_path(), absl::StrCat("UPDATE chain_events SET location_name = 'Đồi chè xóm Nam Thái' WHERE chain = '",
                                         lot, "' AND sequence = 3"));
  EXPECT_TRUE(Verify(lot).intact());
  Tamper(batch_->db_path(), absl::StrCat("UPDATE chain_events SET sequence = sequence + 10 WHERE chain = '", lot,
                                         "' AND sequence IN (2, 3); UPDATE chain_events SET sequence = 5 - (sequence - 10) "
                                         "WHERE chain = '", lot, "' AND sequence > 10"));
  v1::VerifyChainResponse reordered = Verify(lot);
  EXPECT_FALSE(reordered.intact());
  EXPECT_EQ(reordered.first_broken_sequence(), 2);

  Tamper(batch_->db_path(), absl::StrCat("DELETE FROM chain_events WHERE chain = '", lot, "' AND sequence = 2"));
  v1::VerifyChainResponse deleted = Verify(lot);
  EXPECT_FALSE(deleted.intact());
  EXPECT_EQ(deleted.first_broken_sequence(), 2);
  EXPECT_NE(deleted.problem().find("missing"), std::string::npos) << deleted.problem();
}

TEST_P(BatchChainTest, ARewrittenChainWithRecomputedHashesIsCaughtAgainstAPublishedCheckpoint) {
  std::string lot = LotWithEvents(3);
  v1::Checkpoint published = Get(lot).checkpoint();
  EXPECT_EQ(published.sequence(), 3);
  EXPECT_EQ(published.signature().size(), 64u);

  // The insider changes where event 2 happened and recomputes every hash after it.
  {
    auto repository = SqlBatchRepository::Open(batch_->db_path(), nullptr);
    ASSERT_THAT(repository, IsOk());
    auto events = (*repository)->ChainEvents(lot);
    ASSERT_THAT(events, IsOk());
    std::string head;
    std::string sql;
    for (BatchEvent& event : *events) {
      if (event.sequence == 2) event.location.display_name = "Kho khác";
      head = NextChainHash(head, event);
      absl::StrAppend(&sql, "UPDATE chain_events SET location_name = '", event.location.display_name,
                      "', chain_hash = '", head, "' WHERE chain = '", lot, "' AND sequence = ", event.sequence, ";");
    }
    Tamper(batch_->db_path(), sql);
  }
  EXPECT_TRUE(Verify(lot).intact());  // self-consistent on its own
  v1::VerifyChainResponse against = Verify(lot, {published});
  EXPECT_FALSE(against.intact());
  EXPECT_EQ(against.first_broken_sequence(), 3);
  EXPECT_NE(against.problem().find("rewritten"), std::string::npos) << against.problem();

  // A forged checkpoint is refused, not trusted.
  v1::Checkpoint forged = published;
  forged.set_head_hash(std::string(64, 'a'));
  v1::VerifyChainRequest request;
  request.set_chain(lot);
  *request.add_published() = forged;
  v1::VerifyChainResponse response;
  grpc::Status status = stub_->VerifyChain(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("signature does not verify"), std::string::npos) << status.error_message();

  v1::ListCheckpointKeysResponse keys;
  ASSERT_TRUE(stub_->ListCheckpointKeys(Context().get(), v1::ListCheckpointKeysRequest(), &keys).ok());
  ASSERT_EQ(keys.keys_size(), 1);
  EXPECT_EQ(keys.keys(0).key_id(), published.key_id());
  EXPECT_EQ(keys.keys(0).public_key().size(), 32u);
}

TEST_P(BatchChainTest, ARetriedCaptureWithTheSameEventIdIsStoredOnce) {
  v1::Batch lot;
  ASSERT_TRUE(CreateLot("L-ID", 10, &lot).ok());
  v1::AppendEventRequest request = EventRequest(lot.name(), "shipping", absl::Now() - absl::Hours(1));
  request.mutable_event()->set_event_id("urn:uuid:6f1c1c86-8a3e-4c7e-9b3a-2b7d1f0e9a11");
  v1::BatchEvent first;
  v1::BatchEvent again;
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), request, &first).ok());
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), request, &again).ok());
  EXPECT_EQ(again.name(), first.name());
  EXPECT_EQ(Get(lot.name()).event_count(), 1);
  request.mutable_event()->set_disposition("in_transit");
  grpc::Status status = stub_->AppendEvent(Context().get(), request, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(status.error_message().find("event.event_id"), std::string::npos);
  request.mutable_event()->set_event_id("not a uri");
  status = stub_->AppendEvent(Context().get(), request, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Get(lot.name()).event_count(), 1);
}

TEST_P(BatchChainTest, ACorrectionPointsAtAnEarlierEventOfTheSameChain) {
  v1::Batch lot;
  ASSERT_TRUE(CreateLot("L-FIX", 10, &lot).ok());
  v1::BatchEvent wrong;
  ASSERT_TRUE(Append(lot.name(), "shipping", &wrong).ok());
  v1::AppendEventRequest correction = EventRequest(lot.name(), "shipping", absl::Now() - absl::Hours(1));
  correction.mutable_event()->set_corrects(wrong.name());
  v1::BatchEvent fixed;
  grpc::Status status = stub_->AppendEvent(Context().get(), correction, &fixed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);  // no reason given
  correction.mutable_event()->set_correction_reason("Sai ngày xuất kho");
  correction.mutable_event()->set_corrects(lot.name() + "/events/7");
  status = stub_->AppendEvent(Context().get(), correction, &fixed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("event.corrects"), std::string::npos);
  correction.mutable_event()->set_corrects(wrong.name());
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), correction, &fixed).ok());
  EXPECT_EQ(fixed.corrects(), wrong.name());
  EXPECT_EQ(Get(lot.name()).event_count(), 2);  // the wrong event stays
}

TEST_P(BatchChainTest, QueryEventsFiltersByProductStepAndTimeAndPages) {
  std::string lot = LotWithEvents(6);  // packing, storing, shipping, packing, storing, shipping
  v1::QueryEventsRequest request;
  request.set_product(product_);
  request.set_biz_step("shipping");
  v1::QueryEventsResponse response;
  ASSERT_TRUE(stub_->QueryEvents(Context().get(), request, &response).ok());
  ASSERT_EQ(response.events_size(), 2);
  EXPECT_EQ(response.events(0).sequence(), 3);
  request.clear_biz_step();
  request.set_page_size(4);
  ASSERT_TRUE(stub_->QueryEvents(Context().get(), request, &response).ok());
  EXPECT_EQ(response.events_size(), 4);
  request.set_page_token(response.next_page_token());
  ASSERT_TRUE(stub_->QueryEvents(Context().get(), request, &response).ok());
  EXPECT_EQ(response.events_size(), 2);
  EXPECT_TRUE(response.next_page_token().empty());
  v1::QueryEventsRequest window;
  window.set_lot(lot);
  grpcutil::ToProtoTime(absl::Now() - absl::Hours(8) - absl::Minutes(30), window.mutable_start_time());
  grpcutil::ToProtoTime(absl::Now() - absl::Hours(5) - absl::Minutes(30), window.mutable_end_time());
  ASSERT_TRUE(stub_->QueryEvents(Context().get(), window, &response).ok());
  EXPECT_EQ(response.events_size(), 3);  // hours -8, -7, -6
  v1::QueryEventsRequest unfiltered;
  grpc::Status status = stub_->QueryEvents(Context().get(), unfiltered, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}


TEST_P(BatchChainTest, TheEpcisExportOfASplitLotValidatesAgainstGs1sSchema) {
  std::string season = CreateSeason();
  v1::AppendEventRequest spraying =
      EventRequest(season, "ocop:spraying", absl::FromCivil(absl::CivilSecond(2026, 3, 1, 8, 0, 0),
                                                            absl::FixedTimeZone(7 * 3600)));
  (*spraying.mutable_event()->mutable_details())["pesticide"] = "Abamectin 3.6EC";
  (*spraying.mutable_event()->mutable_details())["pre_harvest_interval_days"] = "7";
  v1::BatchEvent event;
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), spraying, &event).ok());
  v1::Batch lot;
  ASSERT_TRUE(CreateLot("TC/2026/03", 100, &lot, {season}).ok());
  v1::AppendEventRequest test = EventRequest(lot.name(), "inspecting", absl::Now() - absl::Hours(5));
  v1::Attachment* report = test.mutable_event()->add_attachments();
  report->set_uri("https://lab.example.vn/reports/2026-0412.pdf");
  report->set_sha256(std::string(64, 'b'));
  report->set_media_type("application/pdf");
  test.mutable_event()->mutable_location()->set_gln("8930000000101");
  test.mutable_event()->mutable_location()->mutable_geo()->set_latitude(21.59);
  test.mutable_event()->mutable_location()->mutable_geo()->set_longitude(105.8);
  test.mutable_event()->set_disposition("conformant");
  v1::BatchEvent inspected;
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), test, &inspected).ok());
  v1::AppendEventRequest correction = EventRequest(lot.name(), "inspecting", absl::Now() - absl::Hours(4));
  correction.mutable_event()->set_corrects(inspected.name());
  correction.mutable_event()->set_correction_reason("Sai số phiếu kết quả");
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), correction, &event).ok());
  grpc::Status status;
  v1::SplitBatchResponse split = Split(lot.name(), {{"TC/2026/03-A", 40}, {"TC/2026/03-B", 60}}, &status);
  ASSERT_TRUE(status.ok());
  ASSERT_TRUE(Append(split.children(0).name(), "shipping", &event, absl::Now() - absl::Hours(1)).ok());

  v1::ExportEpcisRequest request;
  request.set_name(split.children(0).name());
  v1::ExportEpcisResponse response;
  ASSERT_TRUE(stub_->ExportEpcis(Context().get(), request, &response).ok());
  EXPECT_EQ(response.content_type(), "application/ld+json");
  const std::string& document = response.document();
  // The lot is an LGTIN (the product has a GTIN); '/' in the lot code is percent-encoded.
  EXPECT_NE(document.find("https://id.gs1.org/01/08930000000019/10/TC%2F2026%2F03-A"), std::string::npos);
  EXPECT_NE(document.find("\"errorDeclaration\""), std::string::npos);
  EXPECT_NE(document.find("\"ocop:checkpoints\""), std::string::npos);
  std::string path = dir_.File("export.jsonld");
  std::ofstream(path) << document;
  std::string validator = std::string(OCOP_SOURCE_DIR) + "/tests/js/validate-epcis.js";
  std::string output = RunCommand("node '" + validator + "' '" + path + "' 2>&1");
  // spraying, harvest, inspection, its error declaration, correction, split, shipping
  EXPECT_EQ(output, "valid (7 events)\n") << document;
  EXPECT_NE(document.find("\"ocop:recordedBy\""), std::string::npos);
  // The public side's copy leaves out who recorded the events.
  request.set_public_view(true);
  ASSERT_TRUE(stub_->ExportEpcis(Context().get(), request, &response).ok());
  EXPECT_EQ(response.document().find("recordedBy"), std::string::npos);
  EXPECT_NE(response.document().find("\"errorDeclaration\""), std::string::npos);
}


// A database written by the first batch schema (lots with plain events) opens under the chained
// schema with every event kept, hashed and verifiable.
TEST(BatchSchemaUpgrade, EventsOfTheFirstSchemaAreKeptAndChained) {
  ocop::testing::TempDir dir;
  std::string path = dir.File("old.db");
  Tamper(path, absl::StrCat(store::kOutboxMigration, ";", store::kIdempotencyMigration, ";", R"sql(
CREATE TABLE batches (position INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, product TEXT NOT NULL,
  producer TEXT NOT NULL, lot_code TEXT NOT NULL, harvest_date TEXT NOT NULL, quantity REAL NOT NULL, unit TEXT NOT NULL,
  growing_area_code TEXT NOT NULL, event_count INTEGER NOT NULL DEFAULT 0, create_unix_micros INTEGER NOT NULL,
  generation INTEGER NOT NULL DEFAULT 1, UNIQUE (product, lot_code));
CREATE INDEX batches_by_producer ON batches(producer, position);
CREATE TABLE events (batch TEXT NOT NULL REFERENCES batches(name), sequence INTEGER NOT NULL, type INTEGER NOT NULL,
  biz_step TEXT NOT NULL, event_unix_micros INTEGER NOT NULL, zone_offset TEXT NOT NULL,
  record_unix_micros INTEGER NOT NULL, location_name TEXT NOT NULL, commune_code TEXT NOT NULL, latitude REAL,
  longitude REAL, gln TEXT NOT NULL, disposition TEXT NOT NULL, recorded_by TEXT NOT NULL,
  PRIMARY KEY (batch, sequence)) WITHOUT ROWID;
CREATE TABLE event_details (batch TEXT NOT NULL, sequence INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (batch, sequence, key), FOREIGN KEY (batch, sequence) REFERENCES events(batch, sequence)) WITHOUT ROWID;
ALTER TABLE batches ADD COLUMN package_count INTEGER NOT NULL DEFAULT 0;
INSERT INTO batches(name, product, producer, lot_code, harvest_date, quantity, unit, growing_area_code, event_count,
  create_unix_micros, package_count) VALUES('batches/old1', 'products/p1', 'producers/q1', 'TC-OLD', '2025-03-14',
  250, 'kg', 'VN-TN-001', 2, 1700000000000000, 100);
INSERT INTO events VALUES('batches/old1', 1, 3, 'ocop:harvesting', 1741912200000000, '+07:00', 1741912300000000,
  'Đồi chè', '05503', 21.5, 105.7, '', '', 'quickstart');
INSERT INTO events VALUES('batches/old1', 2, 1, 'packing', 1742090000000000, '+07:00', 1742090100000000,
  'Xưởng', '05503', NULL, NULL, '', 'in_progress', 'quickstart');
INSERT INTO event_details VALUES('batches/old1', 2, 'operator', 'Chị Lan');
INSERT INTO event_details VALUES('batches/old1', 2, 'boxes', '100');
PRAGMA user_version = 4;
)sql"));
  auto repository = SqlBatchRepository::Open(path, nullptr);
  ASSERT_THAT(repository, IsOk());
  auto batch = (*repository)->GetBatch("batches/old1");
  ASSERT_THAT(batch, IsOk());
  EXPECT_EQ(batch->event_count, 2);
  EXPECT_EQ(batch->package_count, 100);
  EXPECT_EQ(batch->status, BatchStatus::kOpen);
  auto events = (*repository)->ChainEvents("batches/old1");
  ASSERT_THAT(events, IsOk());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].location.geo->latitude, 21.5);
  EXPECT_EQ((*events)[1].event_id, "urn:ocop-trace:event:old1:2");
  EXPECT_EQ((*events)[1].details,
            (std::vector<std::pair<std::string, std::string>>{{"boxes", "100"}, {"operator", "Chị Lan"}}));
  ChainVerification walked = WalkChain(*events);
  EXPECT_TRUE(walked.intact) << walked.problem;
  EXPECT_EQ(walked.event_count, 2);
  // Opening again changes nothing.
  repository->reset();
  auto reopened = SqlBatchRepository::Open(path, nullptr);
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ((*(*reopened)->ChainEvents("batches/old1"))[1].chain_hash, (*events)[1].chain_hash);
}

}  // namespace
}  // namespace ocop::batch
