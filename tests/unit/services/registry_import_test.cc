// Bulk import through the real ocopctl binary against a registry on a loopback port: the demo data
// set reproduces the published Thái Nguyên breakdown, re-importing changes nothing, bad rows are
// all reported with their lines and nothing is written, a corrected file updates in place.
#include <fstream>

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"
#include "tests/support/store_engines.h"

namespace ocop::registry {
namespace {

using ::ocop::testing::Context;
using ::ocop::testing::IsOk;

// Runs on both store engines.
class RegistryImportTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override {
    auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "registry.db");
    ASSERT_THAT(location, IsOk());
    registry_location_ = *location;
    auto harness = ocop::testing::RegistryHarness::Start(registry_location_, dir_.File("registry-keys"));
    ASSERT_THAT(harness, IsOk());
    harness_ = std::move(*harness);
    stub_ = harness_->Stub();
  }

  // Runs ocopctl as `caller` (its access token in OCOP_ACCESS_TOKEN) with `arguments`; returns its
  // stdout and stderr followed by "exit=N".
  std::string Ocopctl(const std::string& arguments, const Actor& caller = Actor("importer", "admin")) {
    return ocop::testing::RunCommand("OCOP_ACCESS_TOKEN=" + ocop::testing::TestToken(caller) + " " +
                                     std::string(OCOP_OCOPCTL) + " --registry=" + harness_->address() + " " +
                                     arguments + " 2>&1; echo exit=$?");
  }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_.File(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  int64_t Count(const std::string& as_of, int stars) {
    v1::ReportCertifiedProductsRequest request;
    request.set_as_of(as_of);
    request.add_group_by(v1::REPORT_DIMENSION_STARS);
    v1::CertifiedProductsReport report;
    EXPECT_TRUE(stub_->ReportCertifiedProducts(Context().get(), request, &report).ok());
    for (const auto& row : report.rows()) {
      if (row.stars() == stars) return row.products();
    }
    return 0;
  }

  int Producers() {
    v1::ListProducersRequest request;
    request.set_page_size(1000);
    v1::ListProducersResponse response;
    EXPECT_TRUE(stub_->ListProducers(Context().get(), request, &response).ok());
    return response.producers_size();
  }

  int64_t LastChange() {
    auto context = Context();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(300));
    auto reader = stub_->WatchChanges(context.get(), common::v1::WatchChangesRequest());
    common::v1::Change change;
    int64_t last = 0;
    while (reader->Read(&change)) last = change.sequence();
    return last;
  }

  ocop::testing::TempDir dir_;
  std::string registry_location_;
  std::unique_ptr<ocop::testing::RegistryHarness> harness_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
};

constexpr char kDemo[] = " --producers=" OCOP_SOURCE_DIR "/deploy/demo/thai-nguyen-producers.csv --products=" OCOP_SOURCE_DIR
                         "/deploy/demo/thai-nguyen-products.csv";

INSTANTIATE_TEST_SUITE_P(Engines, RegistryImportTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(RegistryImportTest, TheDemoReproducesThaiNguyenInMarch2024AndReimportingChangesNothing) {
  std::string output = Ocopctl(std::string("import") + kDemo);
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find("import: applied"), std::string::npos) << output;
  // Thái Nguyên, March 2024: 240 products, 149 with 3 stars, 89 with 4, 2 with 5.
  EXPECT_EQ(Count("2024-03-31", 3), 149);
  EXPECT_EQ(Count("2024-03-31", 4), 89);
  EXPECT_EQ(Count("2024-03-31", 5), 2);
  // The same data a year earlier differ: as_of matters.
  EXPECT_NE(Count("2023-03-31", 3) + Count("2023-03-31", 4), 238);

  const int64_t changes = LastChange();
  output = Ocopctl(std::string("import") + kDemo);
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find("producers: 0 created, 0 updated, 172 unchanged"), std::string::npos) << output;
  EXPECT_NE(output.find("ratings:   0 added, 291 already recorded"), std::string::npos) << output;
  EXPECT_EQ(LastChange(), changes);  // nothing written, nothing on the feed

  // The report as CSV from ocopctl.
  output = Ocopctl("report-certified --as_of=2024-03-31 --province_code=19 --group_by=stars");
  EXPECT_NE(output.find("stars,products\r\n3,149\r\n4,89\r\n5,2\r\n"), std::string::npos) << output;
  // By Decision 148's category, named from the decision's table: the demo's tea is 97 of the 240.
  output = Ocopctl("report-certified --as_of=2024-03-31 --province_code=19 --group_by=category");
  EXPECT_NE(output.find("category,category_name,products\r\nI.1.a,\"Rau, củ, quả, hạt tươi\",18\r\n"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("\r\nI.5.a,\"Chè tươi, chế biến\",97\r\n"), std::string::npos) << output;
  EXPECT_NE(output.find("\r\nVI.1,\"Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch\",1\r\n"),
            std::string::npos)
      << output;
  // The table itself, for offices filling the import file's category column.
  output = Ocopctl("list-product-categories");
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find("code,product_group,group_name,name,english_name,ministries\r\n"), std::string::npos);
  EXPECT_NE(output.find("\r\nI.5.b,food,Chè,Sản phẩm chè từ thực vật khác,Tea-like products from other plants,"
                        "Bộ Nông nghiệp và Môi trường\r\n"),
            std::string::npos)
      << output;
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1 + 26 + 1) << output;  // header, lines, exit
}

// The demo's sales point register and Thái Nguyên's whole plan through ocopctl: the province's
// centre, upgraded within the period, meets the showroom target; setting the file again is harmless.
TEST_P(RegistryImportTest, TheDemoSalesPointsMeetThaiNguyensShowroomTarget) {
  ASSERT_NE(Ocopctl(std::string("import") + kDemo).find("exit=0"), std::string::npos);
  const std::string points = std::string(OCOP_SOURCE_DIR) + "/deploy/demo/thai-nguyen-sales-points.textproto";
  for (int round = 0; round < 2; ++round) {
    std::string output = Ocopctl("set-sales-points --sales_points_file=" + points);
    ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
    EXPECT_NE(output.find("salesPoints/tn-trung-tam-ocop\n"), std::string::npos) << output;
  }
  std::string output = Ocopctl("list-sales-points --province_code=19");
  EXPECT_NE(output.find("salesPoints/tn-trung-tam-ocop,Trung tâm giới thiệu và bán sản phẩm OCOP tỉnh Thái Nguyên "
                        "(demo),center,province,19,05443,2020-11-20,2023-09-15,,"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("salesPoints/tn-quay-ocop-dinh-hoa,"), std::string::npos) << output;

  output = Ocopctl("set-plan --plan_file=" + std::string(OCOP_SOURCE_DIR) +
                   "/deploy/demo/thai-nguyen-plan-2021-2025.textproto");
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  output = Ocopctl("plan-progress --plan=plans/thai-nguyen-2021-2025 --as_of=2025-12-31");
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find("province_sales_points_opened_or_upgraded,at_least,1.0,,1.0,0.0,yes,"), std::string::npos)
      << output;
  // All twelve of the plan's targets are there.
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1 + 1 + 12 + 1) << output;  // comment, header, rows, exit
}

// The demo's product ideas load idempotently and report the way a province's report counts them.
TEST_P(RegistryImportTest, TheDemoProductIdeasReportBySectorCommuneAndStage) {
  const std::string ideas = std::string(OCOP_SOURCE_DIR) + "/deploy/demo/thai-nguyen-product-ideas.textproto";
  Actor thai_nguyen_office("users/office-tn", "office");
  thai_nguyen_office.province = "19";
  for (int round = 0; round < 2; ++round) {
    std::string output = Ocopctl("set-product-ideas --product_ideas_file=" + ideas, thai_nguyen_office);
    ASSERT_NE(output.find("productIdeas/tn-demo-006\nexit=0"), std::string::npos) << output;
  }
  std::string output = Ocopctl("report-product-ideas --province_code=19 --exclude_dropped", thai_nguyen_office);
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find("by,key,name,ideas\r\ntotal,19,,5\r\nsector,,Chè,3\r\n"), std::string::npos) << output;
  EXPECT_NE(output.find("commune,05602,Xã Phú Đình,1\r\n"), std::string::npos) << output;
  EXPECT_EQ(output.find("Gạo"), std::string::npos) << output;  // the dropped idea
  EXPECT_NE(output.find("stage,candidate,,1\r\n"), std::string::npos) << output;
  output = Ocopctl("report-product-ideas --province_code=19 --from_day=2024-01-01 --to_day=2024-12-31",
                   thai_nguyen_office);
  EXPECT_NE(output.find("total,19,,1\r\nsector,,\"Gạo, ngũ cốc\",1\r\n"), std::string::npos) << output;
  output = Ocopctl("set-product-ideas --product_ideas_file=/nonexistent", thai_nguyen_office);
  EXPECT_NE(output.find("--product_ideas_file: cannot read /nonexistent"), std::string::npos) << output;
}

// Hoà Bình's 2021-2030 project, measured on the former province: Phú Thọ's office owns it today,
// so Thái Nguyên's may not load it.
TEST_P(RegistryImportTest, HoaBinhsPlanCoversTheFormerProvinceAndBelongsToPhuTho) {
  const std::string plan = "set-plan --plan_file=" + std::string(OCOP_SOURCE_DIR) + "/deploy/demo/hoa-binh-plan-2021-2030.textproto";
  Actor thai_nguyen_office("users/office-tn", "office");
  thai_nguyen_office.province = "19";
  std::string output = Ocopctl(plan, thai_nguyen_office);
  EXPECT_NE(output.find("PERMISSION_DENIED"), std::string::npos) << output;
  Actor phu_tho_office("users/office-pt", "office");
  phu_tho_office.province = "25";
  output = Ocopctl(plan, phu_tho_office);
  ASSERT_NE(output.find("plans/hoa-binh-2021-2030\nexit=0"), std::string::npos) << output;
  output = Ocopctl("plan-progress --plan=plans/hoa-binh-2021-2030 --as_of=2025-12-31", phu_tho_office);
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find("new_certified_products,at_least,160.0,,0.0,160.0,no,"), std::string::npos) << output;
  EXPECT_NE(output.find("certified_products,at_least,210.0,"), std::string::npos) << output;
  EXPECT_NE(output.find("new_ocop_producers,at_least,100.0,"), std::string::npos) << output;
}

TEST_P(RegistryImportTest, EveryBadRowIsReportedWithItsLineAndNothingIsWritten) {
  const std::string producers = Write("producers.csv",
      "external_id,kind,display_name,tax_code,province_code,commune_code,units_version\n"
      "P-1,cooperative,HTX Chè Tân Cương,4600123456,19,05503,\n"
      "P-2,cooperative,HTX Mã số sai,12345,19,05503,\n"
      "P-3,household,Hộ Ông Hùng,,19,99999,\n"
      ",household,Hộ không mã,,19,05503,\n"
      "P-1,enterprise,Trùng mã,,19,05503,\n");
  const std::string products = Write("products.csv",
      "external_id,producer_external_id,display_name,group,score,council_level,certificate_number,decision_number,decision_date\n"
      "S-1,P-1,Chè Tân Cương đặc biệt,beverages,78,province,TN-1,1/QĐ,2024-05-01\n"
      "S-2,P-404,Chè lạc loài,beverages,,,,,\n"
      "S-3,P-1,Chè 4 sao huyện,beverages,78,district,TN-2,2/QĐ,2024-05-01\n");
  std::string output = Ocopctl("import --producers=" + producers + " --products=" + products);
  EXPECT_NE(output.find("exit=1"), std::string::npos) << output;
  EXPECT_NE(output.find(producers + ":3: producer.tax_code: must be 10 digits"), std::string::npos) << output;
  EXPECT_NE(output.find(producers + ":4: producer.address.commune_code: 99999 is not a commune"), std::string::npos)
      << output;
  EXPECT_NE(output.find(producers + ":5: producer.external_id: required for import"), std::string::npos) << output;
  EXPECT_NE(output.find(producers + ":6: producer.external_id: P-1 is also on line 2"), std::string::npos) << output;
  EXPECT_NE(output.find(products + ":3: producer_external_id: 'P-404' is not a producer"), std::string::npos)
      << output;
  EXPECT_NE(output.find(products + ":4: rating.council_level: a district council may not award 4 stars"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("nothing was written"), std::string::npos) << output;
  EXPECT_EQ(Producers(), 0);

  // An office imports its own province's register only: Hoà Bình's office cannot write
  // Thái Nguyên's producers (or their stars).
  const std::string good = Write("good.csv",
      "external_id,kind,display_name,tax_code,province_code,commune_code,units_version\n"
      "P-1,cooperative,HTX Chè Tân Cương,4600123456,19,05503,\n");
  Actor hoa_binh("users/office-hb", "office");
  hoa_binh.province = "17";
  output = Ocopctl("import --producers=" + good, hoa_binh);
  EXPECT_NE(output.find(good + ":2: producer.address.province_code is in province 19: an office acts only for its "
                               "own province (17)"),
            std::string::npos)
      << output;
  EXPECT_EQ(Producers(), 0);
  Actor thai_nguyen("users/office-tn", "office");
  thai_nguyen.province = "19";
  output = Ocopctl("import --producers=" + good, thai_nguyen);
  EXPECT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_EQ(Producers(), 1);

  // Problems ocopctl sees itself (columns, words, numbers) stop it before anything is sent.
  const std::string typo = Write("typo.csv", "external_id,kind,dispaly_name\nP-9,coop,X\n");
  output = Ocopctl("import --producers=" + typo);
  EXPECT_NE(output.find(typo + ":1: unknown column 'dispaly_name'"), std::string::npos) << output;
  EXPECT_NE(output.find(typo + ":2: kind: 'coop' is not one of cooperative, cooperative_group, enterprise, household"),
            std::string::npos)
      << output;
  EXPECT_NE(output.find("exit=1"), std::string::npos) << output;
  EXPECT_EQ(Producers(), 1);  // still only the one Thái Nguyên's office imported above
}

// A file changes only the fields it has columns for: what an office recorded since (a phone, a
// workforce, a category, a suspension) and what no file carries (images, intellectual property)
// survive a narrower or older spreadsheet.
TEST_P(RegistryImportTest, AnImportKeepsWhatItsFileHasNoColumnFor) {
  const std::string producers = Write("producers.csv",
      "external_id,kind,display_name,phone,province_code,commune_code,units_version,workers,trained_workers\n"
      "P-1,cooperative,HTX Chè Tân Cương,0208 3000 001,19,05503,,12,8\n");
  const std::string products = Write("products.csv",
      "external_id,producer_external_id,display_name,group,category,description,storage\n"
      "S-1,P-1,Chè Tân Cương đặc biệt,food,I.5.a,Chè búp sao suốt,Nơi khô ráo\n");
  ASSERT_NE(Ocopctl("import --producers=" + producers + " --products=" + products).find("exit=0"), std::string::npos);
  v1::ListProductsRequest list;
  v1::ListProductsResponse listed;
  ASSERT_TRUE(stub_->ListProducts(Context().get(), list, &listed).ok());
  ASSERT_EQ(listed.products_size(), 1);
  const std::string product = listed.products(0).name();
  // Recorded over gRPC since: a photo, a collective mark, a suspension.
  v1::UpdateProductRequest update;
  update.mutable_product()->set_name(product);
  v1::ProductImage* image = update.mutable_product()->add_images();
  image->set_uri("https://ocop.example.vn/images/che.jpg");
  image->set_sha256(std::string(64, 'a'));
  v1::IntellectualProperty* mark = update.mutable_product()->add_intellectual_property();
  mark->set_kind(v1::INTELLECTUAL_PROPERTY_KIND_COLLECTIVE_MARK);
  mark->set_number("4-0123456-000");
  update.mutable_product()->set_status(v1::PRODUCT_STATUS_SUSPENDED);
  for (const char* path : {"images", "intellectual_property", "status"}) update.mutable_update_mask()->add_paths(path);
  v1::Product stored;
  ASSERT_TRUE(stub_->UpdateProduct(Context().get(), update, &stored).ok());

  // Narrower files: a new name for each, nothing else.
  const std::string renamed_producers = Write("renamed-producers.csv",
      "external_id,display_name\nP-1,HTX Chè Tân Cương Thái Nguyên\n");
  const std::string renamed_products = Write("renamed-products.csv",
      "external_id,producer_external_id,display_name\nS-1,P-1,Chè Tân Cương thượng hạng\n");
  std::string output = Ocopctl("import --producers=" + renamed_producers + " --products=" + renamed_products);
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find("producers: 0 created, 1 updated"), std::string::npos) << output;
  v1::GetProductRequest get;
  get.set_name(product);
  ASSERT_TRUE(stub_->GetProduct(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.display_name(), "Chè Tân Cương thượng hạng");
  EXPECT_EQ(stored.group(), v1::PRODUCT_GROUP_FOOD);
  EXPECT_EQ(stored.category(), "I.5.a");
  EXPECT_EQ(stored.description(), "Chè búp sao suốt");
  EXPECT_EQ(stored.storage(), "Nơi khô ráo");
  EXPECT_EQ(stored.status(), v1::PRODUCT_STATUS_SUSPENDED);
  ASSERT_EQ(stored.images_size(), 1);
  ASSERT_EQ(stored.intellectual_property_size(), 1);
  v1::GetProducerRequest get_producer;
  get_producer.set_name(stored.producer());
  v1::Producer producer;
  ASSERT_TRUE(stub_->GetProducer(Context().get(), get_producer, &producer).ok());
  EXPECT_EQ(producer.display_name(), "HTX Chè Tân Cương Thái Nguyên");
  EXPECT_EQ(producer.phone(), "0208 3000 001");
  EXPECT_EQ(producer.kind(), v1::PRODUCER_KIND_COOPERATIVE);
  EXPECT_EQ(producer.address().commune_code(), "05503");
  EXPECT_EQ(producer.workforce().workers(), 12);

  // The full file again: its columns apply (the description it states), and still no file
  // erases the photo or the mark.
  const std::string full_products = Write("full-products.csv",
      "external_id,producer_external_id,display_name,group,category,description,storage,status\n"
      "S-1,P-1,Chè Tân Cương thượng hạng,food,I.5.a,,Nơi khô ráo,active\n");
  ASSERT_NE(Ocopctl("import --products=" + full_products).find("exit=0"), std::string::npos);
  ASSERT_TRUE(stub_->GetProduct(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.description(), "");
  EXPECT_EQ(stored.status(), v1::PRODUCT_STATUS_ACTIVE);
  EXPECT_EQ(stored.images_size(), 1);
  EXPECT_EQ(stored.intellectual_property_size(), 1);
  // Running it once more writes nothing.
  const int64_t changes = LastChange();
  output = Ocopctl("import --products=" + full_products);
  EXPECT_NE(output.find("products:  0 created, 0 updated, 1 unchanged"), std::string::npos) << output;
  EXPECT_EQ(LastChange(), changes);
}

// An import is bounded in rows and bytes; one that breaks off is not applied in part.
TEST_P(RegistryImportTest, AnOversizedOrBrokenOffImportWritesNothing) {
  const int64_t before = LastChange();
  {
    auto context = Context();
    v1::ImportRecordsResponse response;
    auto writer = stub_->ImportRecords(context.get(), &response);
    v1::ImportRecordsRequest chunk;
    for (int line = 2; line < 2 + 20'001; ++line) chunk.add_producers()->set_line(line);
    for (int i = 0; i < 5; ++i) {
      if (!writer->Write(chunk)) break;  // the server may refuse before the last chunk
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(status.error_message().find("at most 100000 rows"), std::string::npos) << status.error_message();
  }
  {
    auto context = Context();
    v1::ImportRecordsResponse response;
    auto writer = stub_->ImportRecords(context.get(), &response);
    v1::ImportRecordsRequest chunk;
    v1::ImportProducerRow* row = chunk.add_producers();
    row->set_line(2);
    row->mutable_producer()->set_display_name("HTX Chè Broken Off");
    ASSERT_TRUE(writer->Write(chunk));
    context->TryCancel();  // the connection drops before the file is complete
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  EXPECT_EQ(LastChange(), before);
  EXPECT_EQ(Producers(), 0);
}

TEST_P(RegistryImportTest, ACorrectedFileUpdatesInPlace) {
  const std::string header = "external_id,kind,display_name,phone,province_code,commune_code\n";
  const std::string first = Write("v1.csv", header + "P-1,cooperative,HTX Chè Tân Cương,0208 111,19,05503\n"
                                                     "P-2,household,Hộ Bà Lụa,,19,05503\n");
  std::string output = Ocopctl("import --producers=" + first);
  ASSERT_NE(output.find("producers: 2 created"), std::string::npos) << output;
  v1::ListProducersRequest request;
  request.set_query("tan cuong");
  v1::ListProducersResponse before;
  ASSERT_TRUE(stub_->ListProducers(Context().get(), request, &before).ok());
  ASSERT_EQ(before.producers_size(), 1);

  const std::string corrected = Write("v2.csv", header + "P-1,cooperative,HTX Chè Tân Cương,0208 222,19,05503\n"
                                                         "P-2,household,Hộ Bà Lụa,,19,05503\n");
  output = Ocopctl("import --dry_run --producers=" + corrected);
  EXPECT_NE(output.find("producers: 0 created, 1 updated, 1 unchanged"), std::string::npos) << output;
  EXPECT_NE(output.find("checked only"), std::string::npos) << output;
  v1::ListProducersResponse after;
  ASSERT_TRUE(stub_->ListProducers(Context().get(), request, &after).ok());
  EXPECT_EQ(after.producers(0).phone(), "0208 111");  // the dry run wrote nothing

  output = Ocopctl("import --producers=" + corrected);
  EXPECT_NE(output.find("producers: 0 created, 1 updated, 1 unchanged"), std::string::npos) << output;
  ASSERT_TRUE(stub_->ListProducers(Context().get(), request, &after).ok());
  ASSERT_EQ(after.producers_size(), 1);
  EXPECT_EQ(after.producers(0).name(), before.producers(0).name());  // the same record
  EXPECT_EQ(after.producers(0).phone(), "0208 222");
  EXPECT_EQ(Producers(), 2);
}


// Workforce and value-chain columns are imported; a later file without them keeps what is stored.
TEST_P(RegistryImportTest, WorkforceAndValueChainColumnsAreKeptWhenALaterFileLacksThem) {
  const std::string with = Write(
      "with.csv",
      "external_id,kind,display_name,province_code,commune_code,workers,trained_workers,green_value_chain,"
      "raw_material_hectares,raw_material_area\n"
      "P-1,cooperative,HTX Chè Tân Cương,19,05503,40,25,có,12.5,Vùng chè xóm Hích\n");
  std::string output = Ocopctl("import --producers=" + with);
  ASSERT_NE(output.find("producers: 1 created"), std::string::npos) << output;
  v1::ListProducersRequest request;
  v1::ListProducersResponse listed;
  ASSERT_TRUE(stub_->ListProducers(Context().get(), request, &listed).ok());
  ASSERT_EQ(listed.producers_size(), 1);
  EXPECT_EQ(listed.producers(0).workforce().workers(), 40);
  EXPECT_EQ(listed.producers(0).workforce().trained_workers(), 25);
  EXPECT_TRUE(listed.producers(0).value_chain().green_or_circular());
  EXPECT_EQ(listed.producers(0).value_chain().raw_material_hectares(), 12.5);
  EXPECT_EQ(listed.producers(0).value_chain().raw_material_area(), "Vùng chè xóm Hích");

  // An older spreadsheet with only the base columns changes the phone and keeps the rest.
  const std::string without = Write("without.csv",
                                    "external_id,kind,display_name,phone,province_code,commune_code\n"
                                    "P-1,cooperative,HTX Chè Tân Cương,0208 222,19,05503\n");
  output = Ocopctl("import --producers=" + without);
  ASSERT_NE(output.find("1 updated"), std::string::npos) << output;
  ASSERT_TRUE(stub_->ListProducers(Context().get(), request, &listed).ok());
  EXPECT_EQ(listed.producers(0).phone(), "0208 222");
  EXPECT_EQ(listed.producers(0).workforce().workers(), 40);
  EXPECT_EQ(listed.producers(0).value_chain().raw_material_hectares(), 12.5);

  // More trained workers than workers is refused, naming the line and the field.
  const std::string bad = Write("bad.csv",
                                "external_id,kind,display_name,province_code,commune_code,workers,trained_workers\n"
                                "P-1,cooperative,HTX Chè Tân Cương,19,05503,10,11\n");
  output = Ocopctl("import --producers=" + bad);
  EXPECT_NE(output.find("producer.workforce.trained_workers: must be within [0, workers (10)]"), std::string::npos)
      << output;
  ASSERT_TRUE(stub_->ListProducers(Context().get(), request, &listed).ok());
  EXPECT_EQ(listed.producers(0).workforce().trained_workers(), 25);
}

// ocopctl's evaluation commands: a round from creation to its result table.
// Names typed into the registry reach offices as CSV they open in a spreadsheet: a name that
// looks like a formula is printed as text ("'=..."), never run.
TEST_P(RegistryImportTest, CsvFromOcopctlDefusesFormulasInNames) {
  v1::CreateProducerRequest producer_request;
  *producer_request.mutable_producer() = ocop::testing::TeaCooperative();
  producer_request.mutable_producer()->set_display_name("=HYPERLINK(\"https://evil.example\",\"HTX\")");
  v1::Producer producer;
  ASSERT_TRUE(stub_->CreateProducer(Context().get(), producer_request, &producer).ok());
  v1::CreateProductRequest product_request;
  product_request.mutable_product()->set_producer(producer.name());
  product_request.mutable_product()->set_display_name("@SUM(1+1)");
  product_request.mutable_product()->set_group(v1::PRODUCT_GROUP_BEVERAGES);
  v1::OcopRating* rating = product_request.mutable_product()->mutable_rating();
  rating->set_score(78);
  rating->set_certificate_number("-1+1");
  rating->set_council_level(v1::COUNCIL_LEVEL_PROVINCE);
  rating->set_decision_number("1/QĐ-UBND");
  rating->set_decision_date("2023-01-10");
  rating->set_valid_until("2026-01-09");
  v1::Product product;
  grpc::Status created = stub_->CreateProduct(Context().get(), product_request, &product);
  ASSERT_TRUE(created.ok()) << created.error_message();
  std::string output = Ocopctl("expiring-certificates --as_of=2025-12-01 --within_days=60");
  EXPECT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find(",'-1+1,"), std::string::npos) << output;
  EXPECT_NE(output.find(",'@SUM(1+1),"), std::string::npos) << output;
  EXPECT_NE(output.find(",\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"HTX\"\")\","), std::string::npos) << output;
  EXPECT_NE(output.find("2026-01-09,39,4,"), std::string::npos) << output;  // numbers stay numbers
}

TEST_P(RegistryImportTest, ARoundRunsFromOcopctl) {
  v1::CreateProducerRequest producer_request;
  *producer_request.mutable_producer() = ocop::testing::TeaCooperative();
  v1::Producer producer;
  ASSERT_TRUE(stub_->CreateProducer(Context().get(), producer_request, &producer).ok());
  v1::CreateProductRequest product_request;
  product_request.mutable_product()->set_producer(producer.name());
  product_request.mutable_product()->set_display_name("Chè Tân Cương đặc biệt");
  product_request.mutable_product()->set_group(v1::PRODUCT_GROUP_BEVERAGES);
  v1::Product product;
  ASSERT_TRUE(stub_->CreateProduct(Context().get(), product_request, &product).ok());

  auto first_line = [](const std::string& output) { return output.substr(0, output.find('\n')); };
  Actor office("users/office-1", "office");
  office.province = "19";
  std::string output = Ocopctl(
      "create-round --display_name='Hội đồng tỉnh 2026' --province_code=19 --year=2026 "
      "--council_level=province --members=member-1,member-2 --certificate_prefix=TN-2026-",
      office);
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  const std::string round = first_line(output);
  output = Ocopctl("submit-dossier --round=" + round + " --product=" + product.name() +
                       " --self_score=75 --document=lab_test:https://ocop.example.vn/kq.pdf:" + std::string(64, 'd'),
                   Actor("importer", "producer", producer.name()));
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  const std::string dossier = first_line(output);
  output = Ocopctl("accept-dossier --dossier=" + dossier, office);
  EXPECT_NE(output.find(dossier + " accepted"), std::string::npos) << output;
  output = Ocopctl("list-dossiers --round=" + round);
  EXPECT_NE(output.find(dossier + "," + product.name() + ",accepted,75,1,users/office-1"), std::string::npos) << output;
  // Another producer may not submit for this product.
  output = Ocopctl("submit-dossier --round=" + round + " --product=" + product.name(),
                   Actor("users/rival", "producer", "producers/someone-else"));
  EXPECT_NE(output.find("PERMISSION_DENIED"), std::string::npos) << output;

  const std::string sheet_72 = Write("m1.csv", "criterion,points\nA1,20\nA2,10\nA3,0\nB1,20\nB2,0\nC1,22\nC2,0\nC3,0\n");
  const std::string sheet_69 = Write("m2.csv", "criterion,points\nA1,20\nA2,10\nA3,0\nB1,20\nB2,0\nC1,19\nC2,0\nC3,0\n");
  const std::string bad = Write("bad.csv", "A1,20\nA2,lots\n");
  output = Ocopctl("score-sheet --dossier=" + dossier + " --sheet_file=" + bad, Actor("member-1", "council"));
  EXPECT_NE(output.find(bad + ":2: expected criterion,points"), std::string::npos) << output;
  output = Ocopctl("score-sheet --dossier=" + dossier + " --sheet_file=" + sheet_72, Actor("member-1", "council"));
  EXPECT_NE(output.find("member-1 scored " + dossier + ": 72 points"), std::string::npos) << output;
  output = Ocopctl("score-sheet --dossier=" + dossier + " --sheet_file=" + sheet_69, Actor("member-2", "council"));
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;

  // (72 + 69) / 2 = 70.5 -> score 70 -> 4 stars.
  output = Ocopctl("close-round --round=" + round + " --decision_number=2345/QĐ-UBND --decision_date=2026-11-20",
                   office);
  ASSERT_NE(output.find("exit=0"), std::string::npos) << output;
  EXPECT_NE(output.find(",rated,72,69,70.50,70,4,TN-2026-0001," + product.name() + "/ratings/1"), std::string::npos)
      << output;
  output = Ocopctl("round-result --round=" + round);
  EXPECT_NE(output.find("closed by 2345/QĐ-UBND"), std::string::npos) << output;
}

}  // namespace
}  // namespace ocop::registry
