// The batch service over real gRPC with a real registry beside it, both on SQLite files.
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "common/grpc/proto_time.h"
#include "tests/support/processes.h"
#include "ocop/common/v1/common.grpc.pb.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"
#include "tests/support/store_engines.h"

namespace ocop::batch {
namespace {

using ::ocop::testing::Context;
using ::ocop::testing::IsOk;

// Runs on both store engines (the registry it calls keeps a SQLite file).
class BatchServiceTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    auto registry = ocop::testing::RegistryHarness::Start(dir_.File("registry.db"));
    ASSERT_THAT(registry, IsOk());
    registry_ = std::move(*registry);
    auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "batch.db");
    ASSERT_THAT(location, IsOk());
    batch_location_ = *location;
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
    registry::v1::Product product;
    ASSERT_TRUE(registry_stub->CreateProduct(Context().get(), product_request, &product).ok());
    product_ = product.name();
  }

  grpc::Status CreateBatch(const std::string& lot, v1::Batch* out, const std::string& request_id = "") {
    v1::CreateBatchRequest request;
    request.set_request_id(request_id);
    request.mutable_batch()->set_product(product_);
    request.mutable_batch()->set_lot_code(lot);
    request.mutable_batch()->set_harvest_date("2026-03-14");
    request.mutable_batch()->set_quantity(250);
    request.mutable_batch()->set_unit("kg");
    return stub_->CreateBatch(Context().get(), request, out);
  }

  v1::AppendEventRequest EventRequest(const std::string& batch, const std::string& step) {
    v1::AppendEventRequest request;
    request.set_parent(batch);
    request.mutable_event()->set_type(v1::EVENT_TYPE_OBJECT);
    request.mutable_event()->set_biz_step(step);
    grpcutil::ToProtoTime(absl::Now() - absl::Hours(2), request.mutable_event()->mutable_event_time());
    request.mutable_event()->mutable_location()->set_display_name("Đồi chè");
    (*request.mutable_event()->mutable_details())["temperature_c"] = "24";
    return request;
  }

  int EventCount(const std::string& batch) {
    v1::ListEventsRequest request;
    request.set_parent(batch);
    v1::ListEventsResponse response;
    EXPECT_TRUE(stub_->ListEvents(Context().get(), request, &response).ok());
    return response.events_size();
  }

  ocop::testing::TempDir dir_;
  std::string batch_location_;
  std::unique_ptr<ocop::testing::RegistryHarness> registry_;
  std::unique_ptr<ocop::testing::BatchHarness> batch_;
  std::unique_ptr<v1::BatchService::Stub> stub_;
  std::string producer_;
  std::string product_;
};

INSTANTIATE_TEST_SUITE_P(Engines, BatchServiceTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(BatchServiceTest, BatchTakesItsProducerFromTheRegistry) {
  v1::Batch batch;
  ASSERT_TRUE(CreateBatch("TC-2026-03-A", &batch).ok());
  EXPECT_EQ(batch.producer(), producer_);
  EXPECT_EQ(batch.product(), product_);
  EXPECT_EQ(batch.event_count(), 0);
}

// A lot's timeline is public and its recall reaches every stamp: only its producer and the
// office of its province write to it. A rival producer and another province's office are refused,
// and nothing they tried is stored.
TEST_P(BatchServiceTest, OnlyTheProducerAndItsProvincesOfficeWriteALot) {
  const Actor owner("users/coop", "producer", producer_);
  const Actor rival("users/rival", "producer", "producers/rival");
  Actor own_office("users/office-tn", "office");
  own_office.province = "19";
  Actor other_office("users/office-hb", "office");
  other_office.province = "17";
  using ocop::testing::ContextAs;

  v1::CreateBatchRequest create;
  create.mutable_batch()->set_product(product_);
  create.mutable_batch()->set_lot_code("TC-OWN-1");
  create.mutable_batch()->set_harvest_date("2026-03-14");
  create.mutable_batch()->set_quantity(250);
  create.mutable_batch()->set_unit("kg");
  v1::Batch lot;
  grpc::Status status = stub_->CreateBatch(ContextAs(rival).get(), create, &lot);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), product_ + " belongs to " + producer_ +
                                        ": a producer acts only for itself (producers/rival)");
  status = stub_->CreateBatch(ContextAs(other_office).get(), create, &lot);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(),
            product_ + " is in province 19: an office acts only for its own province (17)");
  status = stub_->CreateBatch(ContextAs(owner).get(), create, &lot);
  ASSERT_TRUE(status.ok()) << status.error_message();

  v1::BatchEvent event;
  status = stub_->AppendEvent(ContextAs(rival).get(), EventRequest(lot.name(), "shipping"), &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status = stub_->AppendEvent(ContextAs(other_office).get(), EventRequest(lot.name(), "shipping"), &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(EventCount(lot.name()), 0);
  status = stub_->AppendEvent(ContextAs(own_office).get(), EventRequest(lot.name(), "shipping"), &event);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(event.recorded_by(), "users/office-tn");

  v1::RecallBatchRequest recall;
  recall.set_name(lot.name());
  recall.set_reason("a rival's false alarm");
  v1::RecallBatchResponse recalled;
  EXPECT_EQ(stub_->RecallBatch(ContextAs(rival).get(), recall, &recalled).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::SplitBatchRequest split;
  split.set_parent(lot.name());
  for (const char* code : {"A", "B"}) {
    v1::Batch* child = split.add_children();
    child->set_lot_code(code);
    child->set_quantity(125);
  }
  v1::SplitBatchResponse children;
  EXPECT_EQ(stub_->SplitBatch(ContextAs(rival).get(), split, &children).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::GetBatchRequest get;
  get.set_name(lot.name());
  v1::Batch after;
  ASSERT_TRUE(stub_->GetBatch(ContextAs(rival).get(), get, &after).ok());  // lots are public
  EXPECT_TRUE(after.recall_reason().empty());
  EXPECT_EQ(EventCount(lot.name()), 1);

  // Growing areas and seasons likewise.
  v1::CreateGrowingAreaRequest area_request;
  area_request.mutable_growing_area()->set_producer(producer_);
  area_request.mutable_growing_area()->set_code("VN-TN-05503-009");
  area_request.mutable_growing_area()->set_commune_code("05503");
  area_request.mutable_growing_area()->set_area_hectares(1);
  area_request.mutable_growing_area()->set_crop("Chè");
  v1::GrowingArea area;
  EXPECT_EQ(stub_->CreateGrowingArea(ContextAs(rival).get(), area_request, &area).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  status = stub_->CreateGrowingArea(ContextAs(owner).get(), area_request, &area);
  ASSERT_TRUE(status.ok()) << status.error_message();
  v1::CreateSeasonRequest season_request;
  season_request.set_parent(area.name());
  season_request.mutable_season()->set_label("Vụ xuân");
  season_request.mutable_season()->set_start_date("2026-02-01");
  v1::Season season;
  EXPECT_EQ(stub_->CreateSeason(ContextAs(rival).get(), season_request, &season).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub_->CreateSeason(ContextAs(owner).get(), season_request, &season).ok());

  // The change feed: an integrator scoped to a province or a producer sees only changes about its
  // own producers (here, Thái Nguyên's tea cooperative); one scoped elsewhere sees none of them.
  auto follow = [&](const Actor& integrator) {
    auto watch = ContextAs(integrator);
    watch->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(1500));
    auto feed = stub_->WatchChanges(watch.get(), common::v1::WatchChangesRequest());
    std::set<std::string> names;
    common::v1::Change change;
    while (feed->Read(&change)) names.insert(change.name());
    EXPECT_NE(feed->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
    return names;
  };
  Actor thai_nguyen_dashboard("users/dashboard-tn", "integrator");
  thai_nguyen_dashboard.province = "19";
  Actor hoa_binh_dashboard("users/dashboard-hb", "integrator");
  hoa_binh_dashboard.province = "17";
  Actor coop_dashboard("users/dashboard-coop", "integrator");
  coop_dashboard.producer = producer_;
  Actor rival_dashboard("users/dashboard-rival", "integrator");
  rival_dashboard.producer = "producers/rival";
  const std::set<std::string> seen_by_province = follow(thai_nguyen_dashboard);
  EXPECT_TRUE(seen_by_province.count(lot.name()) > 0);
  EXPECT_TRUE(seen_by_province.count(area.name()) > 0);
  EXPECT_EQ(follow(coop_dashboard), seen_by_province);
  EXPECT_TRUE(follow(hoa_binh_dashboard).empty());
  EXPECT_TRUE(follow(rival_dashboard).empty());

  // The audit trail has every write with who made it, and every refused attempt; only an admin
  // reads it.
  auto audit = batch_->AuditStub();
  common::v1::ListAuditRecordsRequest list;
  list.set_resource(lot.name());
  common::v1::ListAuditRecordsResponse records;
  EXPECT_EQ(audit->ListAuditRecords(ContextAs(own_office).get(), list, &records).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(audit->ListAuditRecords(Context("users/admin", "admin").get(), list, &records).ok());
  ASSERT_EQ(records.records_size(), 2);  // the lot's creation and the office's event
  EXPECT_EQ(records.records(0).method(), "ocop.batch.v1.BatchService/CreateBatch");
  EXPECT_EQ(records.records(0).subject(), "users/coop");
  EXPECT_EQ(records.records(0).role(), "producer");
  EXPECT_EQ(records.records(0).outcome(), "ok");
  EXPECT_NE(records.records(0).peer().find("127.0.0.1"), std::string::npos) << records.records(0).peer();
  EXPECT_EQ(records.records(1).method(), "ocop.batch.v1.BatchService/AppendEvent");
  EXPECT_EQ(records.records(1).subject(), "users/office-tn");
  list.Clear();
  list.set_denied_only(true);
  list.set_subject("users/rival");
  ASSERT_TRUE(audit->ListAuditRecords(Context("users/admin", "admin").get(), list, &records).ok());
  ASSERT_EQ(records.records_size(), 6);  // lot, event, recall, split, area, season (not the dashboard's)
  EXPECT_EQ(records.records(0).method(), "ocop.batch.v1.BatchService/CreateBatch");
  EXPECT_EQ(records.records(0).outcome(), "PERMISSION_DENIED: " + product_ + " belongs to " + producer_ +
                                              ": a producer acts only for itself (producers/rival)");

  // A flood of refused calls from one client does not grow the trail without bound.
  for (int i = 0; i < 200; ++i) {
    v1::ListBatchesResponse lots;
    EXPECT_EQ(stub_->ListBatches(ocop::testing::AnonymousContext().get(), v1::ListBatchesRequest(), &lots).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  list.Clear();
  list.set_denied_only(true);
  list.set_page_size(1000);
  ASSERT_TRUE(audit->ListAuditRecords(Context("users/admin", "admin").get(), list, &records).ok());
  EXPECT_GE(records.records_size(), 60);   // the burst is recorded
  EXPECT_LT(records.records_size(), 150);  // 207 were refused (a slow build refills the bucket a little)
}

// A lot with many maximum-size events: its whole trace (about 4.4 MB) would pass gRPC's 4 MB
// answer limit, and then every stamp of the lot would fail to resolve. GetTrace keeps the first and
// the latest events within 3 MiB and says how many it left out.
TEST_P(BatchServiceTest, AHeavyTraceKeepsItsFirstAndLatestEventsUnderTheMessageLimit) {
  v1::Batch batch;
  ASSERT_TRUE(CreateBatch("TC-HEAVY", &batch).ok());
  constexpr int kEvents = 45;
  for (int i = 0; i < kEvents; ++i) {
    v1::AppendEventRequest request = EventRequest(batch.name(), "packing");
    auto& details = *request.mutable_event()->mutable_details();
    details.clear();
    details["step"] = absl::StrCat(i + 1);
    for (int d = 1; d < 50; ++d) details[absl::StrCat("note_", d)] = std::string(1000, 'a' + d % 26);
    for (int a = 0; a < 20; ++a) {
      v1::Attachment* attachment = request.mutable_event()->add_attachments();
      attachment->set_uri(absl::StrCat("https://files.example.vn/", std::string(1900, 'x'), "/", i, "-", a));
      attachment->set_sha256(std::string(64, 'a'));
      attachment->set_media_type("application/pdf");
    }
    v1::BatchEvent event;
    grpc::Status status = stub_->AppendEvent(Context().get(), request, &event);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  v1::GetTraceRequest request;
  request.set_name(batch.name());
  v1::Trace trace;
  grpc::Status status = stub_->GetTrace(Context().get(), request, &trace);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_LE(trace.ByteSizeLong(), 3.2 * (1 << 20));
  EXPECT_GT(trace.omitted_events(), 0);
  EXPECT_EQ(trace.events_size() + trace.omitted_events(), kEvents);
  EXPECT_EQ(trace.events(0).details().at("step"), "1");  // the first
  EXPECT_EQ(trace.events(trace.events_size() - 1).details().at("step"), absl::StrCat(kEvents));  // the latest
  // A smaller bound on request; a bound past 1,000 is refused.
  request.set_max_events(4);
  ASSERT_TRUE(stub_->GetTrace(Context().get(), request, &trace).ok());
  ASSERT_EQ(trace.events_size(), 4);
  EXPECT_EQ(trace.omitted_events(), kEvents - 4);
  EXPECT_EQ(trace.events(1).details().at("step"), "2");
  EXPECT_EQ(trace.events(2).details().at("step"), absl::StrCat(kEvents - 1));
  request.set_max_events(1001);
  EXPECT_EQ(stub_->GetTrace(Context().get(), request, &trace).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  // Its EPCIS document (which leaves nothing out) cannot travel in one answer: a refusal that says
  // where the whole history is, not an opaque failure in the client.
  v1::ExportEpcisRequest export_request;
  export_request.set_name(batch.name());
  v1::ExportEpcisResponse exported;
  status = stub_->ExportEpcis(Context().get(), export_request, &exported);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << status.error_message();
  EXPECT_NE(status.error_message().find("ListEvents"), std::string::npos) << status.error_message();
}

TEST_P(BatchServiceTest, UnknownProductIsNotFoundAndDuplicateLotIsAlreadyExists) {
  v1::CreateBatchRequest request;
  request.mutable_batch()->set_product("products/unknown");
  request.mutable_batch()->set_lot_code("L1");
  request.mutable_batch()->set_harvest_date("2026-03-14");
  request.mutable_batch()->set_quantity(1);
  request.mutable_batch()->set_unit("kg");
  v1::Batch batch;
  grpc::Status status = stub_->CreateBatch(Context().get(), request, &batch);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "batch.product: products/unknown not found");

  ASSERT_TRUE(CreateBatch("L1", &batch).ok());
  status = CreateBatch("L1", &batch);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(status.error_message().find("batch.lot_code"), std::string::npos);
}

TEST_P(BatchServiceTest, InvalidBatchFieldsAreNamed) {
  v1::CreateBatchRequest request;
  request.mutable_batch()->set_product(product_);
  request.mutable_batch()->set_lot_code("L1");
  request.mutable_batch()->set_harvest_date("14/03/2026");
  request.mutable_batch()->set_quantity(1);
  request.mutable_batch()->set_unit("kg");
  v1::Batch batch;
  grpc::Status status = stub_->CreateBatch(Context().get(), request, &batch);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("batch.harvest_date"), std::string::npos);
  request.mutable_batch()->set_harvest_date("2026-03-14");
  request.mutable_batch()->set_quantity(-5);
  status = stub_->CreateBatch(Context().get(), request, &batch);
  EXPECT_EQ(status.error_message(), "batch.quantity: must be a positive number");
}

TEST_P(BatchServiceTest, ACertificationMustCoverTheHarvestDay) {
  v1::CreateBatchRequest request;
  request.mutable_batch()->set_product(product_);
  request.mutable_batch()->set_lot_code("L1");
  request.mutable_batch()->set_harvest_date("2026-03-14");
  request.mutable_batch()->set_quantity(1);
  request.mutable_batch()->set_unit("kg");
  v1::Certification* vietgap = request.mutable_batch()->add_certifications();
  vietgap->set_scheme(v1::CERTIFICATION_SCHEME_VIETGAP);
  vietgap->set_certificate_number("VietGAP-TT-19-05-0042");
  vietgap->set_valid_until("2025-12-31");
  v1::Batch batch;
  grpc::Status status = stub_->CreateBatch(Context().get(), request, &batch);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(),
            "batch.certifications[0].valid_until: certificate VietGAP-TT-19-05-0042 expired on 2025-12-31, before "
            "the harvest on 2026-03-14; it does not cover this lot");
  vietgap->set_valid_until("2028-12-31");
  vietgap->set_valid_from("2026-06-01");
  status = stub_->CreateBatch(Context().get(), request, &batch);
  EXPECT_NE(status.error_message().find("is valid from 2026-06-01, after the harvest on 2026-03-14"),
            std::string::npos) << status.error_message();
  vietgap->set_valid_from("2026-03-14");  // in force from the harvest day itself
  ASSERT_TRUE(stub_->CreateBatch(Context().get(), request, &batch).ok());
  EXPECT_EQ(batch.certifications(0).valid_until(), "2028-12-31");
}

TEST_P(BatchServiceTest, FreeTextWithControlCharactersIsRefusedAsInTheRegistry) {
  v1::Batch batch;
  ASSERT_TRUE(CreateBatch("L1", &batch).ok());
  v1::AppendEventRequest request = EventRequest(batch.name(), "packing");
  request.mutable_event()->mutable_location()->set_display_name("Xưởng\x1b[2J đóng gói");
  v1::BatchEvent event;
  grpc::Status status = stub_->AppendEvent(Context().get(), request, &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("display_name: holds a control character"), std::string::npos)
      << status.error_message();
  request = EventRequest(batch.name(), "packing");
  // A C1 control (U+009B, a terminal's "CSI") is valid UTF-8, so it passes protobuf's own check.
  (*request.mutable_event()->mutable_details())["note"] = "bad \xC2\x9B" "2J";
  status = stub_->AppendEvent(Context().get(), request, &event);
  EXPECT_EQ(status.error_message(), "event.details[note]: holds a control character");
  EXPECT_EQ(EventCount(batch.name()), 0);
}

TEST_P(BatchServiceTest, EventsAppendInOrderAndARetryIsStoredOnce) {
  v1::Batch batch;
  ASSERT_TRUE(CreateBatch("L1", &batch).ok());
  v1::BatchEvent first;
  v1::AppendEventRequest harvest = EventRequest(batch.name(), "ocop:harvesting");
  harvest.set_request_id("capture-1");
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), harvest, &first).ok());
  v1::BatchEvent retried;
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), harvest, &retried).ok());
  EXPECT_EQ(retried.name(), first.name());
  EXPECT_EQ(retried.sequence(), 1);
  // Two genuinely identical shipments without a request id are two events.
  v1::BatchEvent shipped;
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), EventRequest(batch.name(), "shipping"), &shipped).ok());
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), EventRequest(batch.name(), "shipping"), &shipped).ok());
  EXPECT_EQ(shipped.sequence(), 3);
  EXPECT_EQ(shipped.name(), batch.name() + "/events/3");
  EXPECT_EQ(shipped.recorded_by(), "tester");
  EXPECT_EQ(shipped.event_time_zone_offset(), "+07:00");

  v1::ListEventsRequest list;
  list.set_parent(batch.name());
  list.set_page_size(2);
  v1::ListEventsResponse page;
  ASSERT_TRUE(stub_->ListEvents(Context().get(), list, &page).ok());
  ASSERT_EQ(page.events_size(), 2);
  EXPECT_EQ(page.events(0).biz_step(), "ocop:harvesting");
  EXPECT_EQ(page.events(0).details().at("temperature_c"), "24");
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListEvents(Context().get(), list, &page).ok());
  ASSERT_EQ(page.events_size(), 1);
  EXPECT_EQ(page.events(0).sequence(), 3);

  v1::GetBatchRequest get;
  get.set_name(batch.name());
  ASSERT_TRUE(stub_->GetBatch(Context().get(), get, &batch).ok());
  EXPECT_EQ(batch.event_count(), 3);
}

TEST_P(BatchServiceTest, BadEventsAreRefusedAndNothingIsAppended) {
  v1::Batch batch;
  ASSERT_TRUE(CreateBatch("L1", &batch).ok());
  v1::BatchEvent event;
  v1::AppendEventRequest request = EventRequest(batch.name(), "Shipping Now");
  grpc::Status status = stub_->AppendEvent(Context().get(), request, &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("event.biz_step"), std::string::npos);

  request = EventRequest(batch.name(), "shipping");
  grpcutil::ToProtoTime(absl::Now() + absl::Hours(48), request.mutable_event()->mutable_event_time());
  status = stub_->AppendEvent(Context().get(), request, &event);
  EXPECT_EQ(status.error_message(), "event.event_time: must not be in the future");

  request = EventRequest(batch.name(), "shipping");
  request.mutable_event()->set_event_time_zone_offset("7h");
  status = stub_->AppendEvent(Context().get(), request, &event);
  EXPECT_NE(status.error_message().find("event.event_time_zone_offset"), std::string::npos);

  request = EventRequest("batches/unknown", "shipping");
  status = stub_->AppendEvent(Context().get(), request, &event);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "parent: batches/unknown not found");
  EXPECT_EQ(EventCount(batch.name()), 0);
}

TEST_P(BatchServiceTest, RegistryDownMakesCreateUnavailableNotLost) {
  v1::Batch batch;
  ASSERT_TRUE(CreateBatch("L1", &batch).ok());
  registry_.reset();
  grpc::Status status = CreateBatch("L2", &batch);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(status.error_message().find("registry unavailable"), std::string::npos);
  v1::ListBatchesRequest list;
  v1::ListBatchesResponse response;
  ASSERT_TRUE(stub_->ListBatches(Context().get(), list, &response).ok());
  ASSERT_EQ(response.batches_size(), 1);
  EXPECT_EQ(response.batches(0).lot_code(), "L1");
}

TEST_P(BatchServiceTest, AnEventBumpsTheBatchOnTheChangeFeed) {
  v1::Batch batch;
  ASSERT_TRUE(CreateBatch("L1", &batch).ok());
  v1::BatchEvent event;
  ASSERT_TRUE(stub_->AppendEvent(Context().get(), EventRequest(batch.name(), "packing"), &event).ok());
  auto context = Context();
  common::v1::WatchChangesRequest request;
  request.set_after_sequence(1);
  auto reader = stub_->WatchChanges(context.get(), request);
  common::v1::Change change;
  ASSERT_TRUE(reader->Read(&change));
  EXPECT_EQ(change.sequence(), 2);
  EXPECT_EQ(change.entity(), "batch");
  EXPECT_EQ(change.name(), batch.name());
  EXPECT_EQ(change.generation(), 2);
  context->TryCancel();
}

// Two replicas of the batch service on one PostgreSQL database, as a national deployment runs it.
class BatchReplicasTest : public BatchServiceTest {
 protected:
  void SetUp() override {
    BatchServiceTest::SetUp();
    if (HasFatalFailure()) return;
    auto second = ocop::testing::BatchHarness::Start(batch_location_, registry_->address(), dir_.File("batch-keys"));
    ASSERT_THAT(second, IsOk());
    second_ = std::move(*second);
    second_stub_ = second_->Stub();
  }
  v1::BatchService::Stub* Replica(int i) { return i % 2 == 0 ? stub_.get() : second_stub_.get(); }

  std::unique_ptr<ocop::testing::BatchHarness> second_;
  std::unique_ptr<v1::BatchService::Stub> second_stub_;
};

INSTANTIATE_TEST_SUITE_P(Engines, BatchReplicasTest, ::testing::Values(store::Dialect::kPostgresql),
                         ocop::testing::StoreEngineName);

// Appends to one lot through both replicas at once: every event gets its own sequence, the hash
// chain does not fork (each append links to the head the one before it wrote), and a capture
// retried on the other replica is stored once.
TEST_P(BatchReplicasTest, ConcurrentAppendsThroughTwoReplicasNeverForkTheChain) {
  v1::Batch batch;
  ASSERT_TRUE(CreateBatch("L1", &batch).ok());
  constexpr int kWriters = 4;
  constexpr int kAppendsPerWriter = 8;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kAppendsPerWriter; ++i) {
        v1::BatchEvent appended;
        grpc::Status status = Replica(w + i)->AppendEvent(Context().get(), EventRequest(batch.name(), "shipping"), &appended);
        EXPECT_TRUE(status.ok()) << status.error_message();
      }
    });
  }
  // The same capture sent to both replicas at once.
  v1::AppendEventRequest capture = EventRequest(batch.name(), "ocop:harvesting");
  capture.set_request_id("capture-on-both");
  std::vector<std::string> captured(2);
  for (int r = 0; r < 2; ++r) {
    writers.emplace_back([&, r] {
      v1::BatchEvent appended;
      EXPECT_TRUE(Replica(r)->AppendEvent(Context().get(), capture, &appended).ok());
      captured[static_cast<size_t>(r)] = appended.name();
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(captured[0], captured[1]);

  const int expected = kWriters * kAppendsPerWriter + 1;
  v1::VerifyChainRequest verify;
  verify.set_chain(batch.name());
  for (int r = 0; r < 2; ++r) {
    v1::VerifyChainResponse verified;
    ASSERT_TRUE(Replica(r)->VerifyChain(Context().get(), verify, &verified).ok());
    EXPECT_TRUE(verified.intact()) << verified.problem();
    EXPECT_EQ(verified.event_count(), expected);
  }
  v1::ListEventsRequest list;
  list.set_parent(batch.name());
  list.set_page_size(100);
  v1::ListEventsResponse events;
  ASSERT_TRUE(second_stub_->ListEvents(Context().get(), list, &events).ok());
  ASSERT_EQ(events.events_size(), expected);
  for (int i = 0; i < expected; ++i) EXPECT_EQ(events.events(i).sequence(), i + 1);
}

}  // namespace
}  // namespace ocop::batch
