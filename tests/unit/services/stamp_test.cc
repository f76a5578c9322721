// The stamp service over real gRPC, with real registry and batch services beside it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <algorithm>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/ed25519.h"
#include "common/digital_link/digital_link.h"
#include "common/token/token.h"
#include "services/stamp/sql_stamp_repository.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"
#include "tests/support/store_engines.h"

namespace ocop::stamp {
namespace {

using ::ocop::testing::RunCommand;
using ::ocop::testing::Context;
using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

StampsConfig TestConfig() {
  StampsConfig config;
  config.public_base_url = "https://ocop.tn.gov.vn";
  config.max_ranges_per_roll = 50;
  return config;
}

// Runs on both store engines (the registry and batch services it calls keep SQLite files).
class StampServiceTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "stamp.db");
    ASSERT_THAT(location, IsOk());
    stamp_location_ = *location;
    auto registry = ocop::testing::RegistryHarness::Start(dir_.File("registry.db"));
    ASSERT_THAT(registry, IsOk());
    registry_ = std::move(*registry);
    auto batch = ocop::testing::BatchHarness::Start(dir_.File("batch.db"), registry_->address());
    ASSERT_THAT(batch, IsOk());
    batch_ = std::move(*batch);
    StartStamp();

    auto registry_stub = registry_->Stub();
    registry::v1::CreateProducerRequest producer_request;
    *producer_request.mutable_producer() = ocop::testing::TeaCooperative();
    registry::v1::Producer producer;
    ASSERT_TRUE(registry_stub->CreateProducer(Context().get(), producer_request, &producer).ok());
    registry::v1::CreateProductRequest product_request;
    product_request.mutable_product()->set_producer(producer.name());
    product_request.mutable_product()->set_display_name("Chè Tân Cương");
    product_request.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
    registry::v1::Product product;
    ASSERT_TRUE(registry_stub->CreateProduct(Context().get(), product_request, &product).ok());
    batch::v1::CreateBatchRequest batch_request;
    batch_request.mutable_batch()->set_product(product.name());
    batch_request.mutable_batch()->set_lot_code("L1");
    batch_request.mutable_batch()->set_harvest_date("2026-03-14");
    batch_request.mutable_batch()->set_quantity(10);
    batch_request.mutable_batch()->set_unit("kg");
    batch_request.mutable_batch()->set_package_count(10);
    batch::v1::Batch created;
    ASSERT_TRUE(batch_->Stub()->CreateBatch(Context().get(), batch_request, &created).ok());
    batch_name_ = created.name();
    product_name_ = product.name();
    producer_name_ = producer.name();
  }

  // The producer's own user: only it (or the printer a roll is assigned to) may stream stamps.
  std::unique_ptr<grpc::ClientContext> AsProducer() { return Context("users/coop", "producer", producer_name_); }

  void StartStamp() {
    stamp_.reset();
    auto stamp = ocop::testing::StampHarness::Start(stamp_location_, dir_.File("keys"), batch_->address(),
                                                    registry_->address(),
                                                    TestConfig());
    ASSERT_THAT(stamp, IsOk());
    stamp_ = std::move(*stamp);
    stub_ = stamp_->Stub();
  }

  grpc::Status Issue(int64_t count, v1::Roll* roll, const std::string& request_id = "",
                     const std::string& batch = "") {
    v1::IssueRollRequest request;
    request.set_request_id(request_id);
    request.mutable_roll()->set_batch(batch.empty() ? batch_name_ : batch);
    request.mutable_roll()->set_count(count);
    return stub_->IssueRoll(Context().get(), request, roll);
  }

  std::vector<v1::RenderedStamp> Stream(v1::StreamStampsRequest request, grpc::Status* status) {
    if (request.printer().empty()) request.set_printer("zebra-1");
    auto context = AsProducer();
    auto reader = stub_->StreamStamps(context.get(), request);
    std::vector<v1::RenderedStamp> stamps;
    v1::RenderedStamp stamp;
    while (reader->Read(&stamp)) stamps.push_back(stamp);
    *status = reader->Finish();
    return stamps;
  }

  crypto::Ed25519Verifier VerifierFor(const std::string& key_id) {
    v1::ListPublicKeysResponse keys;
    EXPECT_TRUE(stub_->ListPublicKeys(Context().get(), {}, &keys).ok());
    for (const v1::PublicKey& key : keys.keys()) {
      if (key.key_id() == key_id) return *crypto::Ed25519Verifier::FromPublicKey(key.public_key());
    }
    ADD_FAILURE() << "no public key " << key_id;
    return *crypto::Ed25519Verifier::FromPublicKey(std::string(32, '\0'));
  }

  ocop::testing::TempDir dir_;
  std::string stamp_location_;  // a SQLite file or a postgresql:// URL, kept across restarts
  std::unique_ptr<ocop::testing::RegistryHarness> registry_;
  std::unique_ptr<ocop::testing::BatchHarness> batch_;
  std::unique_ptr<ocop::testing::StampHarness> stamp_;
  std::unique_ptr<v1::StampService::Stub> stub_;
  std::string batch_name_;
  std::string product_name_;
  std::string producer_name_;
};

INSTANTIATE_TEST_SUITE_P(Engines, StampServiceTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(StampServiceTest, RecalledAndClosedLotsTakeNoNewOrNewlyActivatedStamps) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(4, &roll).ok());
  batch::v1::RecallBatchRequest recall;
  recall.set_name(batch_name_);
  recall.set_reason("Nhiễm nấm mốc");
  batch::v1::RecallBatchResponse recalled;
  ASSERT_TRUE(batch_->Stub()->RecallBatch(Context().get(), recall, &recalled).ok());
  v1::Roll refused;
  grpc::Status status = Issue(4, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("is recalled (Nhiễm nấm mốc)"), std::string::npos) << status.error_message();
  v1::ChangeStampsRequest activate;
  activate.set_roll(roll.name());
  activate.set_first_serial(roll.first_serial());
  activate.set_count(2);
  status = stub_->ActivateStamps(Context().get(), activate, &refused);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  // Voiding the spoiled labels of a recalled lot is still allowed.
  activate.set_reason("in hỏng");
  EXPECT_TRUE(stub_->VoidStamps(Context().get(), activate, &refused).ok());

  // A lot split into two is closed: its children take the stamps.
  batch::v1::GetBatchRequest get;
  get.set_name(batch_name_);
  batch::v1::Batch recalled_lot;
  ASSERT_TRUE(batch_->Stub()->GetBatch(Context().get(), get, &recalled_lot).ok());
  batch::v1::CreateBatchRequest create;
  create.mutable_batch()->set_product(recalled_lot.product());
  create.mutable_batch()->set_lot_code("L2");
  create.mutable_batch()->set_harvest_date("2026-03-14");
  create.mutable_batch()->set_quantity(10);
  create.mutable_batch()->set_unit("kg");
  batch::v1::Batch lot;
  ASSERT_TRUE(batch_->Stub()->CreateBatch(Context().get(), create, &lot).ok());
  batch::v1::SplitBatchRequest split;
  split.set_parent(lot.name());
  for (const char* code : {"L2-A", "L2-B"}) {
    batch::v1::Batch* child = split.add_children();
    child->set_lot_code(code);
    child->set_quantity(5);
  }
  batch::v1::SplitBatchResponse children;
  ASSERT_TRUE(batch_->Stub()->SplitBatch(Context().get(), split, &children).ok());
  status = Issue(4, &refused, "", lot.name());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("stamp the lots made from it"), std::string::npos);
  EXPECT_TRUE(Issue(4, &refused, "", children.children(0).name()).ok());
}

TEST_P(StampServiceTest, RollsGetContiguousDisjointRangesAndTheBatchOwner) {
  v1::Roll first;
  v1::Roll second;
  ASSERT_TRUE(Issue(10, &first).ok());
  ASSERT_TRUE(Issue(5, &second).ok());
  EXPECT_EQ(first.first_serial(), 1u);
  EXPECT_EQ(second.first_serial(), 11u);
  EXPECT_EQ(first.batch(), batch_name_);
  EXPECT_EQ(first.product(), product_name_);
  EXPECT_EQ(first.key_id(), token::KeyIdToHex(stamp_->keys().signing_key_id()));
  EXPECT_EQ(first.issued_by(), "tester");
}

TEST_P(StampServiceTest, RollsListByBatchWithWhoAskedAndThePrinterProfile) {
  v1::IssueRollRequest request;
  request.mutable_roll()->set_batch(batch_name_);
  request.mutable_roll()->set_count(5);
  request.mutable_roll()->set_printer_profile("zebra-zt230-64x34");
  v1::Roll first;
  ASSERT_TRUE(stub_->IssueRoll(Context("printer-room").get(), request, &first).ok());
  v1::Roll second;
  ASSERT_TRUE(Issue(3, &second).ok());
  v1::ListRollsRequest list;
  list.set_batch(batch_name_);
  list.set_page_size(1);
  v1::ListRollsResponse page;
  ASSERT_TRUE(stub_->ListRolls(Context().get(), list, &page).ok());
  ASSERT_EQ(page.rolls_size(), 1);
  EXPECT_EQ(page.rolls(0).name(), first.name());
  EXPECT_EQ(page.rolls(0).printer_profile(), "zebra-zt230-64x34");
  EXPECT_EQ(page.rolls(0).issued_by(), "printer-room");
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListRolls(Context().get(), list, &page).ok());
  ASSERT_EQ(page.rolls_size(), 1);
  EXPECT_EQ(page.rolls(0).name(), second.name());
  EXPECT_TRUE(page.next_page_token().empty());
  list.Clear();
  list.set_batch("batches/other");
  ASSERT_TRUE(stub_->ListRolls(Context().get(), list, &page).ok());
  EXPECT_EQ(page.rolls_size(), 0);
}

TEST_P(StampServiceTest, TenMillionStampsIssueAsOneRangeRow) {
  v1::Roll big;
  ASSERT_TRUE(Issue(10'000'000, &big).ok());
  v1::Roll next;
  ASSERT_TRUE(Issue(1, &next).ok());
  EXPECT_EQ(next.first_serial(), big.first_serial() + 10'000'000u);
  v1::GetStampRequest get;
  get.set_name("stamps/" + std::to_string(big.first_serial() + 9'999'999u));
  v1::Stamp last;
  ASSERT_TRUE(stub_->GetStamp(Context("services/test", "service").get(), get, &last).ok());
  EXPECT_EQ(last.roll(), big.name());
}

TEST_P(StampServiceTest, BadRollRequestsNameTheFieldAndAllocateNothing) {
  v1::Roll roll;
  grpc::Status status = Issue(0, &roll);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "roll.count: must be between 1 and 10000000, got 0");
  status = Issue(10'000'001, &roll);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  status = Issue(5, &roll, "", "batches/unknown");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "roll.batch: batches/unknown not found");
  ASSERT_TRUE(Issue(1, &roll).ok());
  EXPECT_EQ(roll.first_serial(), 1u);
}

TEST_P(StampServiceTest, IssueRollIsIdempotentByRequestId) {
  v1::Roll first;
  v1::Roll retry;
  ASSERT_TRUE(Issue(100, &first, "roll-req").ok());
  ASSERT_TRUE(Issue(100, &retry, "roll-req").ok());
  EXPECT_EQ(first.name(), retry.name());
  EXPECT_EQ(first.first_serial(), retry.first_serial());
  v1::Roll other;
  grpc::Status status = Issue(200, &other, "roll-req");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(Issue(1, &other).ok());
  EXPECT_EQ(other.first_serial(), 101u);
}

TEST_P(StampServiceTest, StreamedStampsCarrySignedTokensInUpperCaseUrlsThatDecode) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(10, &roll).ok());
  v1::StreamStampsRequest request;
  request.set_roll(roll.name());
  request.set_first_serial(3);
  request.set_count(3);
  request.set_format(v1::IMAGE_FORMAT_PNG);
  grpc::Status status;
  std::vector<v1::RenderedStamp> stamps = Stream(request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(stamps.size(), 3u);
  crypto::Ed25519Verifier verifier = VerifierFor(roll.key_id());
  for (size_t i = 0; i < stamps.size(); ++i) {
    EXPECT_EQ(stamps[i].serial(), 3 + i);
    EXPECT_EQ(stamps[i].url(), "HTTPS://OCOP.TN.GOV.VN/S/" + stamps[i].token());
    EXPECT_EQ(stamps[i].url(), absl::AsciiStrToUpper(stamps[i].url()));
    EXPECT_EQ(stamps[i].content_type(), "image/png");
    auto token = token::DecodeToken(stamps[i].token());
    ASSERT_THAT(token, IsOk());
    EXPECT_EQ(token->serial, 3 + i);
    EXPECT_EQ(token::KeyIdToHex(token->key_id), roll.key_id());
    EXPECT_TRUE(token::VerifyToken(*token, verifier));
  }
  std::ofstream(dir_.File("stamp.png"), std::ios::binary) << stamps[0].image();
  EXPECT_EQ(ocop::testing::DecodeQrWithZbar(dir_.File("stamp.png")), stamps[0].url());

  // Serial 3 again is a reprint: refused until an admin orders it.
  request.set_format(v1::IMAGE_FORMAT_SVG);
  request.set_count(1);
  EXPECT_TRUE(Stream(request, &status).empty());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("serials 3..3"), std::string::npos) << status.error_message();
  v1::OrderReprintRequest order_request;
  order_request.set_roll(roll.name());
  order_request.set_first_serial(3);
  order_request.set_count(1);
  order_request.set_reason("label smudged");
  v1::ReprintOrder order;
  EXPECT_EQ(stub_->OrderReprint(Context("printer-operator", "printer").get(), order_request, &order).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(stub_->OrderReprint(Context("office-admin", "admin").get(), order_request, &order).ok());
  request.set_reprint_order(order.name());
  std::vector<v1::RenderedStamp> svg = Stream(request, &status);
  ASSERT_EQ(svg.size(), 1u) << status.error_message();
  EXPECT_EQ(svg[0].content_type(), "image/svg+xml");
  EXPECT_EQ(svg[0].token(), stamps[0].token());  // deterministic: a re-render gives the same token
  EXPECT_TRUE(Stream(request, &status).empty());  // an order is used once
  EXPECT_NE(status.error_message().find("already used"), std::string::npos);

  v1::ListRendersRequest list;
  list.set_roll(roll.name());
  v1::ListRendersResponse renders;
  ASSERT_TRUE(stub_->ListRenders(Context().get(), list, &renders).ok());
  ASSERT_EQ(renders.renders_size(), 2);
  EXPECT_EQ(renders.renders(0).last_sent_serial(), 5u);
  EXPECT_EQ(renders.renders(0).printer(), "zebra-1");
  EXPECT_EQ(renders.renders(1).reprint_order(), order.name());
  EXPECT_EQ(renders.renders(1).reprint_reason(), "label smudged");
}

TEST_P(StampServiceTest, AnInterruptedStreamResumesWithNoGapAndNoDuplicate) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(300, &roll).ok());
  v1::StreamStampsRequest request;
  request.set_roll(roll.name());
  request.set_format(v1::IMAGE_FORMAT_SVG);
  request.set_module_pixels(1);
  request.set_printer("zebra-1");
  std::vector<uint64_t> received;
  std::string render;
  {
    auto context = AsProducer();
    auto reader = stub_->StreamStamps(context.get(), request);
    v1::RenderedStamp stamp;
    while (received.size() < 70 && reader->Read(&stamp)) {
      received.push_back(stamp.serial());
      render = stamp.render();
    }
    context->TryCancel();  // the printer's connection drops
    reader->Finish().IgnoreError();
  }
  ASSERT_EQ(received.size(), 70u);
  v1::StreamStampsRequest resume;
  resume.set_resume_render(render);
  resume.set_last_received_serial(received.back());
  resume.set_format(v1::IMAGE_FORMAT_SVG);
  resume.set_module_pixels(1);
  resume.set_printer("zebra-2");
  grpc::Status status;
  EXPECT_TRUE(Stream(resume, &status).empty());
  EXPECT_NE(status.error_message().find("printer: a render resumes on its own printer"), std::string::npos);
  resume.set_printer("zebra-1");
  for (const v1::RenderedStamp& stamp : Stream(resume, &status)) received.push_back(stamp.serial());
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(received.size(), 300u);
  for (size_t i = 0; i < received.size(); ++i) EXPECT_EQ(received[i], roll.first_serial() + i);

  v1::ListRendersRequest list;
  list.set_roll(roll.name());
  v1::ListRendersResponse renders;
  ASSERT_TRUE(stub_->ListRenders(Context().get(), list, &renders).ok());
  ASSERT_EQ(renders.renders_size(), 1);
  EXPECT_EQ(renders.renders(0).last_sent_serial(), roll.first_serial() + 299);
  // Whatever was recorded as sent beyond serial 70 (the chunk in flight) shows as re-sent.
  ASSERT_EQ(renders.renders(0).resent_serials_size(), 2);
  EXPECT_EQ(renders.renders(0).resent_serials(0), received[70]);
  // Resuming from the start would re-send far more than what can be in flight: that is a reprint.
  resume.set_last_received_serial(roll.first_serial());
  EXPECT_TRUE(Stream(resume, &status).empty());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("at most 256"), std::string::npos) << status.error_message();
}

// A stream reserves its whole range when it starts: a second stream of serials the first has not
// reached yet is refused, so no token is printed twice without a reprint order.
TEST_P(StampServiceTest, AStreamReservesItsWholeRangeBeforeSendingIt) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(1000, &roll).ok());
  v1::StreamStampsRequest request;
  request.set_roll(roll.name());
  request.set_format(v1::IMAGE_FORMAT_SVG);
  request.set_module_pixels(1);
  request.set_printer("zebra-1");
  auto context = AsProducer();
  auto first = stub_->StreamStamps(context.get(), request);
  v1::RenderedStamp stamp;
  ASSERT_TRUE(first->Read(&stamp));  // the first stream has started, and sent little
  EXPECT_EQ(stamp.serial(), roll.first_serial());

  v1::StreamStampsRequest tail = request;
  tail.set_first_serial(roll.first_serial() + 900);
  tail.set_count(100);
  tail.set_printer("zebra-2");
  grpc::Status status;
  EXPECT_TRUE(Stream(tail, &status).empty());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("are reserved by " + stamp.render() + ", which has not sent them yet"),
            std::string::npos)
      << status.error_message();
  context->TryCancel();
  first->Finish().IgnoreError();
}

TEST_P(StampServiceTest, ZplLabelsCarryTheQrFieldAndTheLabelText) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(2, &roll).ok());
  v1::StreamStampsRequest request;
  request.set_roll(roll.name());
  request.set_format(v1::IMAGE_FORMAT_ZPL);
  grpc::Status status;
  std::vector<v1::RenderedStamp> labels = Stream(request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(labels.size(), 2u);
  for (const v1::RenderedStamp& label : labels) {
    EXPECT_EQ(label.content_type(), "application/zpl");
    const std::string& zpl = label.image();
    EXPECT_EQ(zpl.rfind("^XA", 0), 0u);
    EXPECT_NE(zpl.find("^BQN,2,4^FDMA," + label.url() + "^FS"), std::string::npos) << zpl;
    EXPECT_NE(zpl.find("^FDChè Tân Cương^FS"), std::string::npos) << zpl;
    EXPECT_NE(zpl.find("Lô / Lot: L1"), std::string::npos);
    EXPECT_NE(zpl.find("Số / No.: " + std::to_string(label.serial())), std::string::npos);
  }
  registry_.reset();  // label text needs the registry: without it, a clear retryable error
  request.set_reprint_order("");
  v1::Roll other;
  ASSERT_TRUE(Issue(1, &other).ok());
  request.set_roll(other.name());
  EXPECT_TRUE(Stream(request, &status).empty());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

// Only a product OCOP-certified on the print day gets "OCOP n sao" on its labels: not a 2-star
// rating, not an expired certificate, not a suspended product.
TEST_P(StampServiceTest, LabelsCarryTheOcopMarkOnlyForAProductCertifiedThatDay) {
  auto registry = registry_->Stub();
  registry::v1::GetProductRequest get;
  get.set_name(product_name_);
  registry::v1::Product base;
  ASSERT_TRUE(registry->GetProduct(Context().get(), get, &base).ok());
  // A product with `score` (stars from the official bands) certified until `valid_until`, a lot of
  // it and the first label of a roll for it, as ZPL.
  int lot = 0;
  auto first_label = [&](int score, const std::string& valid_until, bool suspend) -> std::string {
    registry::v1::CreateProductRequest create;
    create.mutable_product()->set_producer(base.producer());
    create.mutable_product()->set_display_name(absl::StrCat("Sản phẩm ", ++lot));
    create.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
    registry::v1::OcopRating* rating = create.mutable_product()->mutable_rating();
    rating->set_score(score);
    rating->set_council_level(registry::v1::COUNCIL_LEVEL_PROVINCE);
    rating->set_decision_date("2019-06-30");
    rating->set_valid_until(valid_until);
    if (score >= 50) {
      rating->set_certificate_number(absl::StrCat("TN-", lot));
      rating->set_decision_number(absl::StrCat(lot, "/QĐ-UBND"));
    }
    registry::v1::Product product;
    grpc::Status created = registry->CreateProduct(Context().get(), create, &product);
    EXPECT_TRUE(created.ok()) << created.error_message();
    if (suspend) {
      registry::v1::UpdateProductRequest update;
      update.mutable_product()->set_name(product.name());
      update.mutable_product()->set_status(registry::v1::PRODUCT_STATUS_SUSPENDED);
      update.mutable_update_mask()->add_paths("status");
      EXPECT_TRUE(registry->UpdateProduct(Context().get(), update, &product).ok());
    }
    batch::v1::CreateBatchRequest batch_request;
    batch_request.mutable_batch()->set_product(product.name());
    batch_request.mutable_batch()->set_lot_code(absl::StrCat("M", lot));
    batch_request.mutable_batch()->set_harvest_date("2026-03-14");
    batch_request.mutable_batch()->set_quantity(1);
    batch_request.mutable_batch()->set_unit("kg");
    batch::v1::Batch batch;
    EXPECT_TRUE(batch_->Stub()->CreateBatch(Context().get(), batch_request, &batch).ok());
    v1::Roll roll;
    EXPECT_TRUE(Issue(1, &roll, "", batch.name()).ok());
    v1::StreamStampsRequest request;
    request.set_roll(roll.name());
    request.set_format(v1::IMAGE_FORMAT_ZPL);
    grpc::Status status;
    std::vector<v1::RenderedStamp> labels = Stream(request, &status);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return labels.empty() ? "" : labels[0].image();
  };
  std::string certified = first_label(78, "2099-12-31", false);
  EXPECT_NE(certified.find("OCOP 4 sao / 4-star"), std::string::npos) << certified;
  for (const std::string& zpl : {first_label(40, "2099-12-31", false),   // 2 stars: not certified
                                 first_label(78, "2020-01-31", false),   // certificate expired
                                 first_label(78, "2099-12-31", true)}) {  // suspended
    EXPECT_NE(zpl.find("^XA"), std::string::npos);
    EXPECT_EQ(zpl.find(" sao"), std::string::npos) << zpl;
  }
}

TEST_P(StampServiceTest, PdfStreamsOneCompleteDocumentPerSheetOfLabels) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(30, &roll).ok());
  v1::StreamStampsRequest request;
  request.set_roll(roll.name());
  request.set_format(v1::IMAGE_FORMAT_PDF_A4_SHEET);
  grpc::Status status;
  std::vector<v1::RenderedStamp> documents = Stream(request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(documents.size(), 2u);
  EXPECT_EQ(documents[0].serial(), 1u);
  EXPECT_EQ(documents[0].last_serial(), 24u);
  EXPECT_EQ(documents[1].serial(), 25u);
  EXPECT_EQ(documents[1].last_serial(), 30u);
  for (size_t i = 0; i < documents.size(); ++i) {
    const v1::RenderedStamp& document = documents[i];
    EXPECT_EQ(document.content_type(), "application/pdf");
    EXPECT_LT(document.image().size(), 4u * 1024 * 1024);
    std::string path = dir_.File("sheet" + std::to_string(i) + ".pdf");
    std::ofstream(path, std::ios::binary) << document.image();
    EXPECT_NE(RunCommand("pdfinfo '" + path + "' 2>&1").find("(A4)"), std::string::npos);
    std::string text = RunCommand("pdftotext '" + path + "' - 2>&1");
    for (uint64_t serial = document.serial(); serial <= document.last_serial(); ++serial) {
      EXPECT_NE(text.find("Số / No.: " + std::to_string(serial)), std::string::npos) << serial;
    }
    EXPECT_EQ(text.find("Số / No.: " + std::to_string(document.last_serial() + 1)), std::string::npos);
  }
  // The first label on the second sheet decodes to stamp 25's URL once rasterised.
  std::vector<std::string> decoded =
      ocop::testing::DecodeEachLabelOfA4Sheet(dir_.File("sheet1.pdf"), 1, 6, dir_.path());
  v1::GetStampRequest get;
  get.set_name("stamps/25");
  v1::Stamp stamp25;
  ASSERT_TRUE(stub_->GetStamp(Context("services/test", "service").get(), get, &stamp25).ok());
  ASSERT_EQ(decoded.size(), 6u);
  EXPECT_EQ(decoded[0], stamp25.url());
  for (size_t slot = 1; slot < decoded.size(); ++slot) {
    EXPECT_TRUE(absl::StartsWithIgnoreCase(decoded[slot], TestConfig().public_base_url + "/")) << "label " << slot << ": " << decoded[slot];
  }

  request.set_format(v1::IMAGE_FORMAT_PDF_LABEL_ROLL);
  v1::Roll small;
  ASSERT_TRUE(Issue(2, &small).ok());
  request.set_roll(small.name());
  std::vector<v1::RenderedStamp> roll_pages = Stream(request, &status);
  ASSERT_EQ(roll_pages.size(), 1u);
  std::ofstream(dir_.File("roll.pdf"), std::ios::binary) << roll_pages[0].image();
  EXPECT_NE(RunCommand("pdfinfo '" + dir_.File("roll.pdf") + "'").find("Pages:           2"), std::string::npos);
}

// A client that wants one file for a range (the web console's download) asks for that many labels
// in one document; more than 240 is refused, naming the field.
TEST_P(StampServiceTest, PdfLabelsPerDocumentMakesOneFileOfARange) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(30, &roll).ok());
  v1::StreamStampsRequest request;
  request.set_roll(roll.name());
  request.set_format(v1::IMAGE_FORMAT_PDF_A4_SHEET);
  request.set_labels_per_document(241);
  grpc::Status status;
  EXPECT_TRUE(Stream(request, &status).empty());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("labels_per_document"), std::string::npos) << status.error_message();

  request.set_labels_per_document(30);
  std::vector<v1::RenderedStamp> documents = Stream(request, &status);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(documents.size(), 1u);
  EXPECT_EQ(documents[0].serial(), roll.first_serial());
  EXPECT_EQ(documents[0].last_serial(), roll.first_serial() + 29);
  std::ofstream(dir_.File("range.pdf"), std::ios::binary) << documents[0].image();
  EXPECT_NE(RunCommand("pdfinfo '" + dir_.File("range.pdf") + "'").find("Pages:           2"), std::string::npos);
  std::string text = RunCommand("pdftotext '" + dir_.File("range.pdf") + "' - 2>&1");
  EXPECT_NE(text.find("Số / No.: " + std::to_string(roll.first_serial() + 29)), std::string::npos);
}

TEST_P(StampServiceTest, DigitalLinkStampsAreSignedGs1UrisThatGs1sValidatorAccepts) {
  v1::IssueRollRequest issue;
  issue.mutable_roll()->set_batch(batch_name_);
  issue.mutable_roll()->set_count(2);
  issue.mutable_roll()->set_digital_link(true);
  v1::Roll roll;
  grpc::Status status = stub_->IssueRoll(Context().get(), issue, &roll);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);  // the product has no GTIN
  EXPECT_NE(status.error_message().find("has no GTIN"), std::string::npos);

  auto registry = registry_->Stub();
  registry::v1::GetProductRequest get_product;
  get_product.set_name(product_name_);
  registry::v1::Product product;
  ASSERT_TRUE(registry->GetProduct(Context().get(), get_product, &product).ok());
  registry::v1::CreateProductRequest with_gtin;
  with_gtin.mutable_product()->set_producer(product.producer());
  with_gtin.mutable_product()->set_display_name("Chè Tân Cương hộp 100 g");
  with_gtin.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
  with_gtin.mutable_product()->set_gtin("8935049500018");
  ASSERT_TRUE(registry->CreateProduct(Context().get(), with_gtin, &product).ok());
  EXPECT_EQ(product.gtin(), "08935049500018");
  batch::v1::CreateBatchRequest lot;
  lot.mutable_batch()->set_product(product.name());
  lot.mutable_batch()->set_lot_code("TC/2026-03");
  lot.mutable_batch()->set_harvest_date("2026-03-14");
  lot.mutable_batch()->set_quantity(5);
  lot.mutable_batch()->set_unit("kg");
  batch::v1::Batch created;
  ASSERT_TRUE(batch_->Stub()->CreateBatch(Context().get(), lot, &created).ok());
  issue.mutable_roll()->set_batch(created.name());
  ASSERT_TRUE(stub_->IssueRoll(Context().get(), issue, &roll).ok()) << status.error_message();
  EXPECT_EQ(roll.gtin(), "08935049500018");
  EXPECT_EQ(roll.lot_code(), "TC/2026-03");

  v1::StreamStampsRequest request;
  request.set_roll(roll.name());
  request.set_format(v1::IMAGE_FORMAT_PNG);
  std::vector<v1::RenderedStamp> stamps = Stream(request, &status);
  ASSERT_EQ(stamps.size(), 2u) << status.error_message();
  std::string prefix = "https://ocop.tn.gov.vn/01/08935049500018/10/TC%2F2026-03/21/" +
                       std::to_string(roll.first_serial()) + "?k=" + roll.key_id() + "&s=";
  EXPECT_EQ(stamps[0].url().rfind(prefix, 0), 0u) << stamps[0].url();
  auto parsed = digital_link::Parse(stamps[0].url());
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->lot, "TC/2026-03");
  EXPECT_TRUE(digital_link::Verify(*parsed, VerifierFor(roll.key_id())));
  std::ofstream(dir_.File("dl.png"), std::ios::binary) << stamps[0].image();
  EXPECT_EQ(ocop::testing::DecodeQrWithZbar(dir_.File("dl.png")), stamps[0].url());

  std::string validator = std::string(OCOP_SOURCE_DIR) + "/tests/js/validate-digital-link.js";
  std::string output = RunCommand("node '" + validator + "' '" + stamps[0].url() + "' '" + stamps[1].url() +
                                  "' 2>&1; echo exit=$?");
  EXPECT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_EQ(output.find("invalid"), std::string::npos) << output;
}

TEST_P(StampServiceTest, ErrorCorrectionQuietZoneAndDpiAreOptionsAndSvgDecodesToo) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(2, &roll).ok());
  v1::StreamStampsRequest request;
  request.set_roll(roll.name());
  request.set_count(1);
  request.set_format(v1::IMAGE_FORMAT_SVG);
  request.set_error_correction(v1::ERROR_CORRECTION_H);
  request.set_quiet_zone(2);
  grpc::Status status;
  std::vector<v1::RenderedStamp> svg = Stream(request, &status);
  ASSERT_EQ(svg.size(), 1u) << status.error_message();
  // ECC H needs a larger code than M: 45 + 2 * 2 modules of 4 units instead of 41 + 2 * 4.
  EXPECT_EQ(svg[0].image().find("viewBox=\"0 0 196 196\""), std::string::npos);
  std::ofstream(dir_.File("h.svg"), std::ios::binary) << svg[0].image();
  RunCommand("rsvg-convert -z 3 -o '" + dir_.File("h.png") + "' '" + dir_.File("h.svg") + "'");
  EXPECT_EQ(ocop::testing::DecodeQrWithZbar(dir_.File("h.png")), svg[0].url());

  request.set_first_serial(2);
  request.set_format(v1::IMAGE_FORMAT_PNG);
  request.set_dpi(300);
  std::vector<v1::RenderedStamp> png = Stream(request, &status);
  ASSERT_EQ(png.size(), 1u) << status.error_message();
  // pHYs: 300 dpi = 11811 pixels per metre (0x00002E23), unit 1 (metre).
  EXPECT_NE(png[0].image().find(std::string("pHYs\x00\x00\x2e\x23\x00\x00\x2e\x23\x01", 13)), std::string::npos);
  request.set_quiet_zone(40);
  Stream(request, &status);
  EXPECT_EQ(status.error_message(), "quiet_zone: must be between 1 and 16 modules");
}

TEST_P(StampServiceTest, StreamOutsideTheRollIsRefused) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(10, &roll).ok());
  v1::StreamStampsRequest request;
  request.set_roll(roll.name());
  request.set_format(v1::IMAGE_FORMAT_SVG);
  request.set_first_serial(11);
  grpc::Status status;
  EXPECT_TRUE(Stream(request, &status).empty());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("first_serial: 11 is outside"), std::string::npos);
  request.set_first_serial(9);
  request.set_count(5);
  Stream(request, &status);
  EXPECT_NE(status.error_message().find("count: 5 stamps from serial 9 run past the end"), std::string::npos);
  request.set_first_serial(0);
  request.set_count(0);
  request.set_format(v1::IMAGE_FORMAT_UNSPECIFIED);
  Stream(request, &status);
  EXPECT_EQ(status.error_message(), "format: must be SVG, PNG, ZPL, PDF_A4_SHEET or PDF_LABEL_ROLL");
}

TEST_P(StampServiceTest, GetStampFindsItsRollAndRefusesUnissuedSerials) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(10, &roll).ok());
  v1::GetStampRequest get;
  get.set_name("stamps/7");
  v1::Stamp stamp;
  ASSERT_TRUE(stub_->GetStamp(Context("services/test", "service").get(), get, &stamp).ok());
  EXPECT_EQ(stamp.roll(), roll.name());
  EXPECT_EQ(stamp.batch(), batch_name_);
  EXPECT_EQ(stamp.state(), v1::STAMP_STATE_ISSUED);
  get.set_name("stamps/11");
  EXPECT_EQ(stub_->GetStamp(Context("services/test", "service").get(), get, &stamp).error_code(),
            grpc::StatusCode::NOT_FOUND);
  get.set_name("stamps/abc");
  EXPECT_EQ(stub_->GetStamp(Context("services/test", "service").get(), get, &stamp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// Who may touch a roll: its producer and that producer's provincial office; a rival producer, an
// office of another province and a printing house the roll is not assigned to may not. The
// stamp's token (what makes a copy pass) goes only to its producer and to our services.
TEST_P(StampServiceTest, OnlyTheOwnerItsOfficeAndItsPrinterTouchARoll) {
  v1::IssueRollRequest issue;
  issue.mutable_roll()->set_batch(batch_name_);
  issue.mutable_roll()->set_count(20);
  issue.mutable_roll()->set_printer("in-thai-nguyen");
  v1::Roll roll;
  // A rival cannot issue stamps for this lot; the owner can.
  grpc::Status status = stub_->IssueRoll(Context("users/rival", "producer", "producers/rival").get(), issue, &roll);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find(batch_name_ + " belongs to " + producer_name_ +
                                        ": a producer acts only for itself (producers/rival)"),
            std::string::npos)
      << status.error_message();
  status = stub_->IssueRoll(AsProducer().get(), issue, &roll);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(roll.printer(), "in-thai-nguyen");

  Actor thai_nguyen_office("users/office-tn", "office");
  thai_nguyen_office.province = "19";
  Actor hoa_binh_office("users/office-hb", "office");
  hoa_binh_office.province = "17";
  // Reading is scoped as writing is: a rival producer and another province's office see nothing.
  v1::GetRollRequest get_roll;
  get_roll.set_name(roll.name());
  v1::Roll seen;
  EXPECT_EQ(stub_->GetRoll(Context("users/rival", "producer", "producers/rival").get(), get_roll, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->GetRoll(ocop::testing::ContextAs(hoa_binh_office).get(), get_roll, &seen).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub_->GetRoll(ocop::testing::ContextAs(thai_nguyen_office).get(), get_roll, &seen).ok());
  v1::ListRollsRequest list_rolls;
  v1::ListRollsResponse listed;
  ASSERT_TRUE(stub_->ListRolls(Context("users/rival", "producer", "producers/rival").get(), list_rolls, &listed).ok());
  EXPECT_EQ(listed.rolls_size(), 0);
  ASSERT_TRUE(stub_->ListRolls(ocop::testing::ContextAs(hoa_binh_office).get(), list_rolls, &listed).ok());
  EXPECT_EQ(listed.rolls_size(), 0);
  ASSERT_TRUE(stub_->ListRolls(AsProducer().get(), list_rolls, &listed).ok());
  EXPECT_EQ(listed.rolls_size(), 1);
  v1::ChangeStampsRequest activate;
  activate.set_roll(roll.name());
  activate.set_first_serial(roll.first_serial());
  activate.set_count(2);
  v1::Roll changed;
  status = stub_->ActivateStamps(Context("users/rival", "producer", "producers/rival").get(), activate, &changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  status = stub_->ActivateStamps(ocop::testing::ContextAs(hoa_binh_office).get(), activate, &changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("is in province 19: an office acts only for its own province (17)"),
            std::string::npos)
      << status.error_message();
  status = stub_->ActivateStamps(ocop::testing::ContextAs(thai_nguyen_office).get(), activate, &changed);
  EXPECT_TRUE(status.ok()) << status.error_message();
  v1::ChangeStampsRequest revoke = activate;
  revoke.set_reason("a rival's attempt");
  status = stub_->RevokeStamps(Context("users/rival", "producer", "producers/rival").get(), revoke, &changed);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(changed.operations_size(), 1);  // only the office's activation

  // Streams: the assigned printing house and the producer, nobody else.
  auto stream_as = [&](const Actor& caller) {
    v1::StreamStampsRequest request;
    request.set_roll(roll.name());
    request.set_format(v1::IMAGE_FORMAT_SVG);
    request.set_count(1);
    request.set_printer("press-1");
    auto context = ocop::testing::ContextAs(caller);
    auto reader = stub_->StreamStamps(context.get(), request);
    v1::RenderedStamp stamp;
    while (reader->Read(&stamp)) {
    }
    return reader->Finish();
  };
  Actor assigned("users/press-1", "printer");
  assigned.printer = "in-thai-nguyen";
  Actor other_house("users/press-2", "printer");
  other_house.printer = "in-ha-noi";
  status = stream_as(other_house);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("is assigned to printing house in-thai-nguyen, not in-ha-noi"),
            std::string::npos)
      << status.error_message();
  EXPECT_EQ(stream_as(Actor("users/rival", "producer", "producers/rival")).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stream_as(assigned).ok());

  // The token: the producer and services see it; an admin and the office do not.
  v1::GetStampRequest get;
  get.set_name(absl::StrCat("stamps/", roll.first_serial()));
  v1::Stamp stamp;
  ASSERT_TRUE(stub_->GetStamp(AsProducer().get(), get, &stamp).ok());
  EXPECT_FALSE(stamp.token().empty());
  ASSERT_TRUE(stub_->GetStamp(Context("users/admin", "admin").get(), get, &stamp).ok());
  EXPECT_TRUE(stamp.token().empty());
  EXPECT_TRUE(stamp.url().empty());
  EXPECT_EQ(stamp.state(), v1::STAMP_STATE_ACTIVE);  // the rest is there
  ASSERT_TRUE(stub_->GetStamp(ocop::testing::ContextAs(thai_nguyen_office).get(), get, &stamp).ok());
  EXPECT_TRUE(stamp.token().empty());

  // A reprint is the office's to order, for its province only; never the producer's.
  v1::OrderReprintRequest order;
  order.set_roll(roll.name());
  order.set_first_serial(roll.first_serial());
  order.set_count(1);
  order.set_reason("jammed printer");
  v1::ReprintOrder reprint;
  EXPECT_EQ(stub_->OrderReprint(AsProducer().get(), order, &reprint).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->OrderReprint(ocop::testing::ContextAs(hoa_binh_office).get(), order, &reprint).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(stub_->OrderReprint(ocop::testing::ContextAs(thai_nguyen_office).get(), order, &reprint).ok());
}

TEST_P(StampServiceTest, RotationKeepsOldRollsRenderingWithTheirOwnKey) {
  v1::Roll old_roll;
  ASSERT_TRUE(Issue(2, &old_roll).ok());
  auto rotated = stamp_->keys().Rotate();
  ASSERT_THAT(rotated, IsOk());
  StartStamp();  // a restart loads both keys from the folder
  EXPECT_EQ(stamp_->keys().signing_key_id(), *rotated);
  v1::Roll new_roll;
  ASSERT_TRUE(Issue(2, &new_roll).ok());
  EXPECT_NE(new_roll.key_id(), old_roll.key_id());
  v1::StreamStampsRequest request;
  request.set_roll(old_roll.name());
  request.set_format(v1::IMAGE_FORMAT_SVG);
  grpc::Status status;
  std::vector<v1::RenderedStamp> stamps = Stream(request, &status);
  ASSERT_EQ(stamps.size(), 2u);
  auto token = token::DecodeToken(stamps[0].token());
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(token::KeyIdToHex(token->key_id), old_roll.key_id());
  EXPECT_TRUE(token::VerifyToken(*token, VerifierFor(old_roll.key_id())));
  v1::ListPublicKeysResponse keys;
  ASSERT_TRUE(stub_->ListPublicKeys(Context().get(), {}, &keys).ok());
  EXPECT_EQ(keys.keys_size(), 2);
  common::v1::Jwks jwks;
  ASSERT_TRUE(stub_->GetJwks(Context().get(), {}, &jwks).ok());
  ASSERT_EQ(jwks.keys_size(), 2);
  std::set<std::string> kids = {jwks.keys(0).kid(), jwks.keys(1).kid()};
  EXPECT_EQ(kids, (std::set<std::string>{old_roll.key_id(), new_roll.key_id()}));
  EXPECT_EQ(jwks.keys(0).kty(), "OKP");
}

grpc::Status Change(v1::StampService::Stub& stub, const std::string& which, const std::string& roll,
                    uint64_t first, int64_t count, const std::string& reason, v1::Roll* out,
                    bool override_limit = false, const std::string& request_id = "") {
  v1::ChangeStampsRequest request;
  request.set_roll(roll);
  request.set_first_serial(first);
  request.set_count(count);
  request.set_reason(reason);
  request.set_override_package_limit(override_limit);
  request.set_request_id(request_id);
  if (which == "activate") return stub.ActivateStamps(Context().get(), request, out);
  if (which == "void") return stub.VoidStamps(Context().get(), request, out);
  return stub.RevokeStamps(Context().get(), request, out);
}

v1::StampState StateOfSerial(v1::StampService::Stub& stub, uint64_t serial) {
  v1::GetStampRequest get;
  get.set_name("stamps/" + std::to_string(serial));
  v1::Stamp stamp;
  EXPECT_TRUE(stub.GetStamp(Context("services/test", "service").get(), get, &stamp).ok());
  return stamp.state();
}

TEST_P(StampServiceTest, RangesMoveThroughTheirLifeCycleAndFinalStatesStayFinal) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(20, &roll).ok());
  EXPECT_EQ(StateOfSerial(*stub_, 1), v1::STAMP_STATE_ISSUED);
  ASSERT_TRUE(Change(*stub_, "activate", roll.name(), 1, 5, "", &roll).ok());
  ASSERT_TRUE(Change(*stub_, "void", roll.name(), 6, 2, "printer jam", &roll).ok());
  ASSERT_TRUE(Change(*stub_, "revoke", roll.name(), 3, 1, "reported stolen", &roll).ok());
  EXPECT_EQ(roll.operations_size(), 3);
  EXPECT_EQ(roll.operations(1).reason(), "printer jam");
  EXPECT_EQ(roll.operations(2).actor(), "tester");
  EXPECT_EQ(StateOfSerial(*stub_, 2), v1::STAMP_STATE_ACTIVE);
  EXPECT_EQ(StateOfSerial(*stub_, 3), v1::STAMP_STATE_REVOKED);
  EXPECT_EQ(StateOfSerial(*stub_, 6), v1::STAMP_STATE_VOID);
  EXPECT_EQ(StateOfSerial(*stub_, 8), v1::STAMP_STATE_ISSUED);

  grpc::Status status = Change(*stub_, "activate", roll.name(), 5, 3, "", &roll);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("serials 6..7"), std::string::npos) << status.error_message();
  status = Change(*stub_, "void", roll.name(), 3, 1, "spoiled", &roll);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(StateOfSerial(*stub_, 5), v1::STAMP_STATE_ACTIVE);  // the refused change left it alone
  status = Change(*stub_, "revoke", roll.name(), 9, 1, "", &roll);
  EXPECT_EQ(status.error_message(), "reason: must not be empty");
  status = Change(*stub_, "activate", roll.name(), 19, 5, "", &roll);
  EXPECT_NE(status.error_message().find("run past the end"), std::string::npos);
}

TEST_P(StampServiceTest, ARollKeepsAtMostTheConfiguredNumberOfSeparateRanges) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(200, &roll).ok());
  for (uint64_t serial = roll.first_serial(); serial < roll.first_serial() + 100; serial += 2) {
    ASSERT_TRUE(Change(*stub_, "void", roll.name(), serial, 1, "spoiled", &roll).ok()) << serial;
  }
  EXPECT_EQ(roll.states_size(), 50);
  grpc::Status status = Change(*stub_, "void", roll.name(), roll.first_serial() + 150, 1, "spoiled", &roll);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("would have 51 separate ranges of states (at most 50)"), std::string::npos)
      << status.error_message();
  // Filling a gap merges ranges, and is allowed.
  ASSERT_TRUE(Change(*stub_, "void", roll.name(), roll.first_serial() + 1, 1, "spoiled", &roll).ok());
  EXPECT_EQ(roll.states_size(), 49);
  EXPECT_EQ(roll.operation_count(), 51);
  EXPECT_EQ(roll.operations_size(), kRecentOperations);
  v1::ListRangeOperationsRequest list;
  list.set_roll(roll.name());
  list.set_page_size(40);
  v1::ListRangeOperationsResponse page;
  ASSERT_TRUE(stub_->ListRangeOperations(Context().get(), list, &page).ok());
  EXPECT_EQ(page.operations_size(), 40);
  EXPECT_EQ(page.operations(0).first_serial(), roll.first_serial());
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub_->ListRangeOperations(Context().get(), list, &page).ok());
  EXPECT_EQ(page.operations_size(), 11);
  EXPECT_EQ(page.next_page_token(), "");
}

TEST_P(StampServiceTest, ActivationStopsAtTheLotsPackageCountUnlessOverriddenWithAReason) {
  v1::Roll first_roll;
  v1::Roll second_roll;
  ASSERT_TRUE(Issue(20, &first_roll).ok());
  ASSERT_TRUE(Issue(20, &second_roll).ok());
  ASSERT_TRUE(Change(*stub_, "activate", first_roll.name(), 1, 8, "", &first_roll).ok());
  ASSERT_TRUE(Change(*stub_, "activate", first_roll.name(), 1, 8, "", &first_roll).ok());  // no change
  // 8 active; 3 more in another roll of the same lot would make 11 of 10 packages.
  grpc::Status status = Change(*stub_, "activate", second_roll.name(), 21, 3, "", &second_roll);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("11 active stamps"), std::string::npos) << status.error_message();
  EXPECT_NE(status.error_message().find("declares 10 packages"), std::string::npos);
  EXPECT_EQ(StateOfSerial(*stub_, 21), v1::STAMP_STATE_ISSUED);
  ASSERT_TRUE(Change(*stub_, "activate", second_roll.name(), 21, 2, "", &second_roll).ok());  // exactly 10
  status = Change(*stub_, "activate", second_roll.name(), 23, 1, "", &second_roll, true);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "reason: required to override the package limit");
  ASSERT_TRUE(
      Change(*stub_, "activate", second_roll.name(), 23, 1, "extra gift boxes packed", &second_roll, true).ok());
  EXPECT_EQ(StateOfSerial(*stub_, 23), v1::STAMP_STATE_ACTIVE);
}

TEST_P(StampServiceTest, ARetriedRangeChangeIsRecordedOnceAndAnnouncedOnTheFeed) {
  v1::Roll roll;
  ASSERT_TRUE(Issue(5, &roll).ok());
  ASSERT_TRUE(Change(*stub_, "activate", roll.name(), 1, 5, "", &roll, false, "act-1").ok());
  ASSERT_TRUE(Change(*stub_, "activate", roll.name(), 1, 5, "", &roll, false, "act-1").ok());
  EXPECT_EQ(roll.operations_size(), 1);
  auto context = Context();
  common::v1::WatchChangesRequest request;
  auto reader = stub_->WatchChanges(context.get(), request);
  common::v1::Change change;
  ASSERT_TRUE(reader->Read(&change));  // the issue
  ASSERT_TRUE(reader->Read(&change));  // the activation
  EXPECT_EQ(change.entity(), "roll");
  EXPECT_EQ(change.name(), roll.name());
  EXPECT_EQ(change.generation(), 2);
  context->TryCancel();
}

v1::VerifyPinResponse TryPin(v1::StampService::Stub& stub, const std::string& token, const std::string& pin,
                             grpc::Status* status = nullptr, const std::string& client = "") {
  v1::VerifyPinRequest request;
  request.set_token(token);
  request.set_pin(pin);
  request.set_client(client);
  v1::VerifyPinResponse response;
  grpc::Status result = stub.VerifyPin(Context().get(), request, &response);
  if (status != nullptr) *status = result;
  return response;
}

class StampPinTest : public StampServiceTest {
 protected:
  // A roll of `count` stamps with scratch PINs, rendered once (the PINs come with the render);
  // the first `activate` of them activated.
  std::vector<v1::RenderedStamp> PinStamps(int count, int activate) {
    v1::IssueRollRequest issue;
    issue.mutable_roll()->set_batch(batch_name_);
    issue.mutable_roll()->set_count(count);
    issue.mutable_roll()->set_scratch_pins(true);
    EXPECT_TRUE(stub_->IssueRoll(Context().get(), issue, &roll_).ok());
    if (activate > 0) {
      v1::ChangeStampsRequest change;
      change.set_roll(roll_.name());
      change.set_first_serial(roll_.first_serial());
      change.set_count(activate);
      EXPECT_TRUE(stub_->ActivateStamps(Context().get(), change, &roll_).ok());
    }
    v1::StreamStampsRequest request;
    request.set_roll(roll_.name());
    request.set_format(v1::IMAGE_FORMAT_SVG);
    grpc::Status status;
    std::vector<v1::RenderedStamp> stamps = Stream(request, &status);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return stamps;
  }
  static std::string Wrong(const v1::RenderedStamp& stamp) { return stamp.pin() == "00000000" ? "00000001" : "00000000"; }

  v1::Roll roll_;
};

INSTANTIATE_TEST_SUITE_P(Engines, StampPinTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(StampPinTest, AScratchPinVerifiesOnceAndWrongTriesLockTheStampForAWhile) {
  std::vector<v1::RenderedStamp> stamps = PinStamps(3, 3);
  ASSERT_EQ(stamps.size(), 3u);
  EXPECT_TRUE(roll_.scratch_pins());
  EXPECT_EQ(roll_.pin_secret_id().size(), 8u);
  for (const v1::RenderedStamp& stamp : stamps) {
    EXPECT_EQ(stamp.pin().size(), 8u);
    EXPECT_EQ(stamp.pin().find_first_not_of("0123456789"), std::string::npos);
    EXPECT_EQ(stamp.image().find(stamp.pin()), std::string::npos);  // never inside the QR element
  }
  EXPECT_NE(stamps[0].pin(), stamps[1].pin());

  v1::VerifyPinResponse first = TryPin(*stub_, stamps[0].token(), stamps[0].pin());
  EXPECT_EQ(first.result(), v1::PIN_RESULT_VERIFIED);
  v1::VerifyPinResponse again = TryPin(*stub_, absl::AsciiStrToLower(stamps[0].token()), stamps[0].pin());
  EXPECT_EQ(again.result(), v1::PIN_RESULT_ALREADY_VERIFIED);
  EXPECT_EQ(again.first_verified_time().seconds(), first.first_verified_time().seconds());

  for (int left = kMaxWrongPinTries - 1; left >= 1; --left) {
    v1::VerifyPinResponse response = TryPin(*stub_, stamps[1].token(), Wrong(stamps[1]));
    EXPECT_EQ(response.result(), v1::PIN_RESULT_WRONG);
    EXPECT_EQ(response.tries_left(), left);
  }
  v1::VerifyPinResponse locked = TryPin(*stub_, stamps[1].token(), Wrong(stamps[1]));
  EXPECT_EQ(locked.result(), v1::PIN_RESULT_LOCKED);
  // Locked for 15 minutes, not for good (ApplyPinTry's test covers the clock).
  const int64_t lock_seconds = locked.locked_until().seconds() - absl::ToUnixSeconds(absl::Now());
  EXPECT_GT(lock_seconds, 14 * 60);
  EXPECT_LE(lock_seconds, 15 * 60);
  EXPECT_EQ(TryPin(*stub_, stamps[1].token(), stamps[1].pin()).result(), v1::PIN_RESULT_LOCKED);
  EXPECT_EQ(TryPin(*stub_, stamps[2].token(), stamps[2].pin()).result(), v1::PIN_RESULT_VERIFIED);

  grpc::Status status;
  TryPin(*stub_, stamps[2].token(), "1234", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "pin: must be 8 digits");
  v1::Roll plain;
  ASSERT_TRUE(Issue(1, &plain).ok());
  v1::ChangeStampsRequest activate;
  activate.set_roll(plain.name());
  activate.set_first_serial(plain.first_serial());
  activate.set_count(1);
  ASSERT_TRUE(stub_->ActivateStamps(Context().get(), activate, &plain).ok());
  v1::GetStampRequest get;
  get.set_name(absl::StrCat("stamps/", plain.first_serial()));
  v1::Stamp plain_stamp;
  ASSERT_TRUE(stub_->GetStamp(Context("services/test", "service").get(), get, &plain_stamp).ok());
  EXPECT_EQ(TryPin(*stub_, plain_stamp.token(), "12345678").result(), v1::PIN_RESULT_NOT_AVAILABLE);
}

// Walking serials must not lock anyone's PIN: the signed token is required, and a forged one is
// refused before any try is counted.
TEST_P(StampPinTest, ASerialAloneOrAForgedTokenChecksNothing) {
  std::vector<v1::RenderedStamp> stamps = PinStamps(1, 1);
  ASSERT_EQ(stamps.size(), 1u);
  v1::VerifyPinRequest by_serial;
  by_serial.set_stamp(absl::StrCat("stamps/", stamps[0].serial()));
  by_serial.set_pin(Wrong(stamps[0]));
  v1::VerifyPinResponse response;
  grpc::Status status = stub_->VerifyPin(Context().get(), by_serial, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("token: required"), std::string::npos) << status.error_message();

  std::string forged = stamps[0].token();
  forged[100] = forged[100] == 'A' ? 'B' : 'A';  // inside the signature
  for (int i = 0; i < 2 * kMaxWrongPinTries; ++i) {
    TryPin(*stub_, forged, Wrong(stamps[0]), &status);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND) << status.error_message();
  }
  // Another stamp's serial under this stamp's name is refused too.
  by_serial.set_token(stamps[0].token());
  by_serial.set_stamp("stamps/999999");
  status = stub_->VerifyPin(Context().get(), by_serial, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(TryPin(*stub_, stamps[0].token(), stamps[0].pin()).result(), v1::PIN_RESULT_VERIFIED);
}

TEST_P(StampPinTest, AStampNotOnSaleAnswersWithItsStateNeverVerified) {
  std::vector<v1::RenderedStamp> stamps = PinStamps(3, 2);  // the third stays issued
  ASSERT_EQ(stamps.size(), 3u);
  v1::ChangeStampsRequest change;
  change.set_roll(roll_.name());
  change.set_first_serial(stamps[0].serial());
  change.set_count(1);
  change.set_reason("misprinted");
  ASSERT_TRUE(stub_->VoidStamps(Context().get(), change, &roll_).ok());
  change.set_first_serial(stamps[1].serial());
  change.set_reason("stolen from the packing shed");
  ASSERT_TRUE(stub_->RevokeStamps(Context().get(), change, &roll_).ok());
  const v1::StampState expected[] = {v1::STAMP_STATE_VOID, v1::STAMP_STATE_REVOKED, v1::STAMP_STATE_ISSUED};
  for (int i = 0; i < 3; ++i) {
    v1::VerifyPinResponse response = TryPin(*stub_, stamps[i].token(), stamps[i].pin());
    EXPECT_EQ(response.result(), v1::PIN_RESULT_STAMP_NOT_ACTIVE) << i;
    EXPECT_EQ(response.stamp_state(), expected[i]) << i;
  }
}

// One client cannot lock many stamps: after 10 wrong PINs it is refused (and its tries no longer
// count against anyone's stamp), while other clients check their PINs as usual.
TEST_P(StampPinTest, WrongPinsAreLimitedPerClient) {
  std::vector<v1::RenderedStamp> stamps = PinStamps(4, 4);
  ASSERT_EQ(stamps.size(), 4u);
  grpc::Status status;
  int wrong = 0;
  for (int stamp = 0; stamp < 2; ++stamp) {
    for (int i = 0; i < kMaxWrongPinTries; ++i, ++wrong) {
      TryPin(*stub_, stamps[stamp].token(), Wrong(stamps[stamp]), &status, "walker");
      EXPECT_TRUE(status.ok()) << status.error_message();
    }
  }
  ASSERT_EQ(wrong, 10);
  v1::VerifyPinResponse refused = TryPin(*stub_, stamps[2].token(), Wrong(stamps[2]), &status, "walker");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(status.error_message().find("too many wrong PINs from this client; retry in"), std::string::npos);
  // Stamp 2 was not touched: its owner, another client, gets the full five tries and then in.
  for (int left = kMaxWrongPinTries - 1; left >= 1; --left) {
    EXPECT_EQ(TryPin(*stub_, stamps[2].token(), Wrong(stamps[2]), &status, "owner").tries_left(), left);
  }
  EXPECT_EQ(TryPin(*stub_, stamps[3].token(), stamps[3].pin(), &status, "owner").result(), v1::PIN_RESULT_VERIFIED);
}

// Two replicas of the stamp service on one PostgreSQL database, as a national deployment runs it.
class StampReplicasTest : public StampPinTest {
 protected:
  void SetUp() override {
    StampPinTest::SetUp();
    if (HasFatalFailure()) return;
    auto second = ocop::testing::StampHarness::Start(stamp_location_, dir_.File("keys"), batch_->address(),
                                                     registry_->address(), TestConfig());
    ASSERT_THAT(second, IsOk());
    second_ = std::move(*second);
    second_stub_ = second_->Stub();
  }
  v1::StampService::Stub* Replica(int i) { return i % 2 == 0 ? stub_.get() : second_stub_.get(); }

  std::unique_ptr<ocop::testing::StampHarness> second_;
  std::unique_ptr<v1::StampService::Stub> second_stub_;
};

INSTANTIATE_TEST_SUITE_P(Engines, StampReplicasTest, ::testing::Values(store::Dialect::kPostgresql),
                         ocop::testing::StoreEngineName);

// Rolls issued through both replicas at once get disjoint serial ranges with no gap between them,
// and a request sent to both with one request id makes one roll.
TEST_P(StampReplicasTest, RollsIssuedOnTwoReplicasAtOnceNeverOverlap) {
  constexpr int kThreads = 6;
  constexpr int kRollsPerThread = 4;
  std::mutex mutex;
  std::vector<std::pair<uint64_t, int64_t>> ranges;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRollsPerThread; ++i) {
        v1::IssueRollRequest request;
        request.mutable_roll()->set_batch(batch_name_);
        request.mutable_roll()->set_count(500 + t);
        v1::Roll roll;
        grpc::Status status = Replica(t)->IssueRoll(Context().get(), request, &roll);
        EXPECT_TRUE(status.ok()) << status.error_message();
        std::lock_guard lock(mutex);
        ranges.emplace_back(roll.first_serial(), roll.count());
      }
    });
  }
  v1::IssueRollRequest once;
  once.set_request_id("roll-on-both");
  once.mutable_roll()->set_batch(batch_name_);
  once.mutable_roll()->set_count(10);
  std::vector<std::string> names(2);
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&, r] {
      v1::Roll roll;
      EXPECT_TRUE(Replica(r)->IssueRoll(Context().get(), once, &roll).ok());
      names[static_cast<size_t>(r)] = roll.name();
      std::lock_guard lock(mutex);
      if (r == 0) ranges.emplace_back(roll.first_serial(), roll.count());
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(names[0], names[1]);
  ASSERT_EQ(ranges.size(), static_cast<size_t>(kThreads * kRollsPerThread + 1));
  std::sort(ranges.begin(), ranges.end());
  EXPECT_EQ(ranges[0].first, 1u);
  for (size_t i = 1; i < ranges.size(); ++i) {
    EXPECT_EQ(ranges[i].first, ranges[i - 1].first + static_cast<uint64_t>(ranges[i - 1].second)) << "roll " << i;
  }
}

// A lookup following the feed of one replica learns of a roll issued through the other within a
// second.
TEST_P(StampReplicasTest, AChangeThroughOneReplicaReachesTheOthersFeedWithinASecond) {
  auto context = Context();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  common::v1::WatchChangesRequest request;
  request.set_from_head(true);
  auto reader = second_stub_->WatchChanges(context.get(), request);
  reader->WaitForInitialMetadata();
  absl::SleepFor(absl::Milliseconds(200));
  const absl::Time start = absl::Now();
  v1::Roll roll;
  ASSERT_TRUE(Issue(5, &roll).ok());  // through the first replica
  common::v1::Change change;
  ASSERT_TRUE(reader->Read(&change));
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  EXPECT_EQ(change.entity(), "roll");
  EXPECT_EQ(change.name(), roll.name());
  context->TryCancel();
}

// A stamp's wrong PIN tries count on whichever replica they reach, and serials rendered through
// one replica cannot be rendered again through the other without a reprint order.
TEST_P(StampReplicasTest, PinTriesAndRendersCountAcrossReplicas) {
  std::vector<v1::RenderedStamp> stamps = PinStamps(2, 2);  // rendered through the first replica
  ASSERT_EQ(stamps.size(), 2u);
  for (int left = kMaxWrongPinTries - 1; left >= 1; --left) {
    v1::VerifyPinResponse response = TryPin(*Replica(left), stamps[1].token(), Wrong(stamps[1]));
    EXPECT_EQ(response.result(), v1::PIN_RESULT_WRONG);
    EXPECT_EQ(response.tries_left(), left);
  }
  EXPECT_EQ(TryPin(*Replica(0), stamps[1].token(), Wrong(stamps[1])).result(), v1::PIN_RESULT_LOCKED);
  EXPECT_EQ(TryPin(*Replica(1), stamps[1].token(), stamps[1].pin()).result(), v1::PIN_RESULT_LOCKED);
  EXPECT_EQ(TryPin(*Replica(1), stamps[0].token(), stamps[0].pin()).result(), v1::PIN_RESULT_VERIFIED);
  EXPECT_EQ(TryPin(*Replica(0), stamps[0].token(), stamps[0].pin()).result(), v1::PIN_RESULT_ALREADY_VERIFIED);

  v1::StreamStampsRequest again;
  again.set_roll(roll_.name());
  again.set_format(v1::IMAGE_FORMAT_SVG);
  again.set_printer("zebra-1");
  auto context = AsProducer();
  auto reader = second_stub_->StreamStamps(context.get(), again);
  v1::RenderedStamp stamp;
  EXPECT_FALSE(reader->Read(&stamp));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(status.error_message().find("were already rendered"), std::string::npos) << status.error_message();
}

TEST(PinLockout, LocksLastFifteenMinutesThenDoubleAndAreForgottenAfterADay) {
  const absl::Time start = absl::FromUnixSeconds(1'780'000'000);
  PinPolicy policy;
  PinRecord record;
  absl::Time now = start;
  auto five_wrong = [&] {
    PinOutcome outcome;
    for (int i = 0; i < policy.max_wrong_tries; ++i) outcome = ApplyPinTry(record, false, now, policy);
    return outcome;
  };
  PinOutcome locked = five_wrong();
  EXPECT_EQ(locked.result, PinResult::kLocked);
  EXPECT_EQ(locked.locked_until, start + absl::Minutes(15));
  // While locked even the right PIN is not checked.
  EXPECT_EQ(ApplyPinTry(record, true, start + absl::Minutes(14), policy).result, PinResult::kLocked);
  // The lock served, a new round: the next lock in a row lasts twice as long.
  now = start + absl::Minutes(15);
  EXPECT_EQ(ApplyPinTry(record, false, now, policy).tries_left, policy.max_wrong_tries - 1);
  now += absl::Minutes(1);
  locked = five_wrong();
  EXPECT_EQ(locked.locked_until, now + absl::Minutes(30));
  for (int round = 0; round < 10; ++round) {  // long attacks: capped at a day
    now = record.locked_until;
    locked = five_wrong();
  }
  EXPECT_EQ(locked.locked_until, now + absl::Hours(24));
  // A day without tries after the lock: forgotten, and the owner's right PIN gets through.
  now = record.locked_until + absl::Hours(24);
  PinOutcome verified = ApplyPinTry(record, true, now, policy);
  EXPECT_EQ(verified.result, PinResult::kVerified);
  EXPECT_EQ(record.lockouts, 0);
  EXPECT_EQ(record.wrong_tries, 0);
  EXPECT_EQ(ApplyPinTry(record, false, now, policy).tries_left, policy.max_wrong_tries - 1);
}

TEST(PinDerivation, IsAStableFunctionOfSecretAndSerial) {
  std::string secret(32, '\x07');
  EXPECT_EQ(DerivePin(secret, 1), DerivePin(secret, 1));
  EXPECT_NE(DerivePin(secret, 1), DerivePin(secret, 2));
  EXPECT_NE(DerivePin(secret, 1), DerivePin(std::string(32, '\x08'), 1));
  EXPECT_EQ(DerivePin(secret, 1).size(), 8u);
}

TEST(RangeStates, TheLastCoveringOperationWinsAndAChangeSaysWhatItAltersInItsRange) {
  Roll roll;
  roll.first_serial = 1;
  roll.count = 100;
  EXPECT_EQ(StateOf(roll, 50), StampState::kIssued);
  for (const RangeOperation& operation : std::vector<RangeOperation>{{1, 40, StampState::kActive, "", "", {}},
                                                                    {30, 60, StampState::kActive, "", "", {}},
                                                                    {35, 36, StampState::kVoid, "", "", {}},
                                                                    {100, 100, StampState::kActive, "", "", {}}}) {
    Paint(roll.states, operation);
  }
  EXPECT_EQ(StateOf(roll, 35), StampState::kVoid);
  EXPECT_EQ(StateOf(roll, 37), StampState::kActive);
  EXPECT_EQ(StateOf(roll, 61), StampState::kIssued);
  EXPECT_EQ(roll.states.Count(StampState::kActive), 60u - 2 + 1);  // 1..60 without 35..36, plus 100
  EXPECT_EQ(roll.states.size(), 4u);

  RangeChange change = ChangeOf(roll.states, {34, 70, StampState::kActive, "", "", {}});
  EXPECT_EQ(change.active_delta, 37 - 25);  // 34..70 active, of which 34 and 37..60 were
  ASSERT_EQ(change.before.size(), 3u);
  EXPECT_EQ(change.before[1], (StampStates::Range{35, 36, StampState::kVoid}));
  EXPECT_EQ(ChangeOf(roll.states, {1, 10, StampState::kRevoked, "", "", {}}).active_delta, -10);
}

class SqlStampRepositoryTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  std::string NewLocation() {
    auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "stamp.db");
    EXPECT_THAT(location, IsOk());
    return location.value_or("");
  }
  ocop::testing::TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Engines, SqlStampRepositoryTest, ocop::testing::AllStoreEngines(),
                         ocop::testing::StoreEngineName);

// A roll labelled package by package: every activation costs the same (no replay of the roll's
// history), the roll stays one range, and GetRoll stays small whatever the history. (On
// PostgreSQL, where every activation is a few round trips to the server, 3,000 stamps show the
// same and keep the test quick.)
TEST_P(SqlStampRepositoryTest, AHundredThousandSingleStampActivationsStayOneRange) {
  auto repository = SqlStampRepository::Open(NewLocation());
  ASSERT_THAT(repository, IsOk());
  const int64_t stamps = GetParam() == store::Dialect::kSqlite ? 100'000 : 3'000;
  Roll request;
  request.name = "rolls/big";
  request.batch = "batches/b";
  request.producer = "producers/p";
  request.product = "products/p";
  request.count = stamps;
  absl::StatusOr<Roll> roll = (*repository)->IssueRoll(request, store::IdempotencyKey{"users/u", "IssueRoll", "", ""});
  ASSERT_THAT(roll, IsOk());
  Roll scattered_request = request;
  scattered_request.name = "rolls/scattered";
  scattered_request.count = 2'000;
  absl::StatusOr<Roll> scattered =
      (*repository)->IssueRoll(scattered_request, store::IdempotencyKey{"users/u", "IssueRoll", "", ""});
  ASSERT_THAT(scattered, IsOk());

  int64_t lot_active_seen = -1;
  auto activate = [&](const Roll& target, uint64_t serial, const std::string& request_id) {
    RangeOperation operation{serial, serial, StampState::kActive, "", "users/u", absl::FromUnixSeconds(1)};
    return (*repository)->AddOperation(target.name, operation,
                                       store::IdempotencyKey{"users/u", "Activate", request_id, request_id},
                                       [&](const Roll&, const RangeChange& change) {
                                         lot_active_seen = change.lot_active_before;
                                         return absl::OkStatus();
                                       });
  };
  for (uint64_t serial = roll->first_serial; serial < roll->first_serial + static_cast<uint64_t>(stamps); ++serial) {
    ASSERT_THAT(activate(*roll, serial, "").status(), IsOk()) << serial;
  }
  EXPECT_EQ(lot_active_seen, stamps - 1);
  // Every other stamp of another roll: a range each, as separate as states can be.
  for (uint64_t serial = scattered->first_serial; serial < scattered->first_serial + 2'000; serial += 2) {
    ASSERT_THAT(activate(*scattered, serial, "").status(), IsOk()) << serial;
  }
  // A retried activation is recorded once.
  ASSERT_THAT(activate(*scattered, scattered->first_serial + 1, "retry").status(), IsOk());
  ASSERT_THAT(activate(*scattered, scattered->first_serial + 1, "retry").status(), IsOk());

  absl::StatusOr<Roll> labelled = (*repository)->GetRoll("rolls/big");
  ASSERT_THAT(labelled, IsOk());
  EXPECT_EQ(labelled->states.size(), 1u);
  EXPECT_EQ(labelled->active_count, stamps);
  EXPECT_EQ(labelled->operation_count, stamps);
  EXPECT_EQ(labelled->range_count, 1);
  EXPECT_EQ(labelled->operations.size(), static_cast<size_t>(kRecentOperations));
  EXPECT_EQ(labelled->operations.back().first_serial, labelled->first_serial + static_cast<uint64_t>(stamps) - 1);
  EXPECT_LT(ToProto(*labelled).ByteSizeLong(), 4096u);

  absl::StatusOr<Roll> spread = (*repository)->GetRoll("rolls/scattered");
  ASSERT_THAT(spread, IsOk());
  EXPECT_EQ(spread->active_count, 1'001);
  EXPECT_EQ(spread->operation_count, 1'001);
  EXPECT_EQ(spread->range_count, 999);  // the first three serials merged into one range
  EXPECT_EQ(static_cast<int64_t>(spread->states.size()), spread->range_count);
  // A range costs a few bytes on the wire: the default cap of 100,000 keeps a roll near 1.5 MB.
  EXPECT_LT(ToProto(*spread).ByteSizeLong(), 999u * 16 + 4096);
  EXPECT_EQ(StateOf(*spread, spread->first_serial + 3), StampState::kIssued);
  absl::StatusOr<StampState> state = (*repository)->StateOfSerial(labelled->first_serial + static_cast<uint64_t>(stamps) / 2);
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(*state, StampState::kActive);

  // The whole history pages in order.
  int64_t after = 0;
  int64_t listed = 0;
  uint64_t previous = 0;
  do {
    auto page = (*repository)->ListOperations("rolls/big", after, 1000);
    ASSERT_THAT(page, IsOk());
    for (const RangeOperation& operation : page->items) {
      EXPECT_GT(operation.first_serial, previous);
      previous = operation.first_serial;
    }
    listed += static_cast<int64_t>(page->items.size());
    after = page->next_position;
  } while (after > 0);
  EXPECT_EQ(listed, stamps);
  EXPECT_THAT((*repository)->ListOperations("rolls/none", 0, 10).status(), StatusIs(absl::StatusCode::kNotFound));
}

// A database written before states were stored gets them built from its operations at open.
TEST_P(SqlStampRepositoryTest, BuildsTheStatesOfAnEarlierDatabaseFromItsOperations) {
  const std::string path = NewLocation();
  {
    auto repository = SqlStampRepository::Open(path);
    ASSERT_THAT(repository, IsOk());
    Roll request;
    request.name = "rolls/old";
    request.batch = "batches/b";
    request.producer = "producers/p";
    request.product = "products/p";
    request.count = 100;
    ASSERT_THAT((*repository)->IssueRoll(request, store::IdempotencyKey{"users/u", "IssueRoll", "", ""}), IsOk());
    // As the earlier version left it: operation rows only.
    ASSERT_THAT((*repository)->database()->Transact([](store::Connection& connection) {
      return connection.Execute(
          "INSERT INTO range_operations(roll, batch, first_serial, last_serial, state, reason, actor, unix_micros) "
          "VALUES('rolls/old', 'batches/b', 1, 60, 2, '', 'u', 1), ('rolls/old', 'batches/b', 10, 19, 3, 'jam', 'u', 2);"
          "UPDATE rolls SET states_built = 0, operation_count = 2");
    }), IsOk());
  }
  auto reopened = SqlStampRepository::Open(path);
  ASSERT_THAT(reopened, IsOk());
  absl::StatusOr<Roll> roll = (*reopened)->GetRoll("rolls/old");
  ASSERT_THAT(roll, IsOk());
  EXPECT_EQ(roll->active_count, 50);
  EXPECT_EQ(roll->range_count, 3);
  EXPECT_EQ(StateOf(*roll, 15), StampState::kVoid);
  EXPECT_EQ(StateOf(*roll, 60), StampState::kActive);
  EXPECT_EQ(StateOf(*roll, 61), StampState::kIssued);
  EXPECT_EQ(roll->operations.size(), 2u);
}

TEST(KeyStore, RefusesAKeyFileOthersCanRead) {
  ocop::testing::TempDir dir;
  auto store = keys::KeyStore::Open(dir.File("keys"));
  ASSERT_THAT(store, IsOk());
  std::string pem = dir.File("keys/" + token::KeyIdToHex((*store)->signing_key_id()) + ".pem");
  struct stat info {};
  ASSERT_EQ(stat(pem.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  chmod(pem.c_str(), 0644);
  EXPECT_THAT(keys::KeyStore::Open(dir.File("keys")), StatusIs(absl::StatusCode::kFailedPrecondition, "chmod 600"));
}

// A Kubernetes Secret mounted for a pod with an fsGroup: 0440, root's, the fsGroup's group.
TEST(KeyStore, AcceptsASecretOnlyItsOwnGroupMayReadAndNobodyMayWrite) {
  ocop::testing::TempDir dir;
  auto store = keys::KeyStore::Open(dir.File("keys"));
  ASSERT_THAT(store, IsOk());
  const uint32_t signing = (*store)->signing_key_id();
  const std::string pem = dir.File("keys/" + token::KeyIdToHex(signing) + ".pem");
  ASSERT_EQ(chmod(pem.c_str(), 0440), 0);  // the file's group is ours: it was made by this process
  auto reopened = keys::KeyStore::Open(dir.File("keys"));
  ASSERT_THAT(reopened, IsOk());
  EXPECT_EQ((*reopened)->signing_key_id(), signing);
  // Writable by the group, or readable by others: refused as before.
  ASSERT_EQ(chmod(pem.c_str(), 0460), 0);
  EXPECT_THAT(keys::KeyStore::Open(dir.File("keys")), StatusIs(absl::StatusCode::kFailedPrecondition, "chmod 600"));
  ASSERT_EQ(chmod(pem.c_str(), 0444), 0);
  EXPECT_THAT(keys::KeyStore::Open(dir.File("keys")), StatusIs(absl::StatusCode::kFailedPrecondition, "chmod 600"));
  // Readable by a group this process is not in (only root may give a file away).
  if (geteuid() == 0) {
    ASSERT_EQ(chmod(pem.c_str(), 0440), 0);
    ASSERT_EQ(chown(pem.c_str(), 0, 54321), 0);
    EXPECT_THAT(keys::KeyStore::Open(dir.File("keys")), StatusIs(absl::StatusCode::kFailedPrecondition, "chmod 600"));
  }
}

TEST(StampsConfig, RefusesABaseUrlThatMakesTheQrCodeTooLarge) {
  StampsConfig config;
  config.public_base_url = "https://ocop.tn.gov.vn";
  EXPECT_THAT(ValidateConfig(config), IsOk());
  config.public_base_url = "https://truy-xuat-nguon-goc.ocop.thainguyen.gov.vn";
  EXPECT_THAT(ValidateConfig(config), StatusIs(absl::StatusCode::kInvalidArgument, "version"));
  config.max_qr_version = 10;
  EXPECT_THAT(ValidateConfig(config), IsOk());
  config.public_base_url = "https://ocop.vn/stamps";
  EXPECT_THAT(ValidateConfig(config), StatusIs(absl::StatusCode::kInvalidArgument, "no path"));
  config.public_base_url = "ftp://ocop.vn";
  EXPECT_THAT(ValidateConfig(config), StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace ocop::stamp
