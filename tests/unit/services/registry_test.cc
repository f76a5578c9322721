// The registry service over real gRPC on a loopback port, with a real SQLite file.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "absl/strings/match.h"

#include "common/status/grpc_status.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"
#include "tests/support/store_engines.h"

namespace ocop::registry {
namespace {

using ::ocop::testing::Context;
using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;
using ::ocop::testing::TeaCooperative;

// Runs on both store engines.
class RegistryServiceTest : public ::testing::TestWithParam<store::Dialect> {
 protected:
  void SetUp() override { Restart(); }

  // Starts the registry, on the same store when it ran before.
  void Restart() {
    harness_.reset();
    if (registry_location_.empty()) {
      auto location = ocop::testing::NewStoreLocation(GetParam(), dir_, "registry.db");
      ASSERT_THAT(location, IsOk());
      registry_location_ = *location;
    }
    auto harness = ocop::testing::RegistryHarness::Start(registry_location_, dir_.File("registry-keys"));
    ASSERT_THAT(harness, IsOk());
    harness_ = std::move(*harness);
    stub_ = harness_->Stub();
  }

  grpc::Status CreateProducer(const v1::Producer& producer, v1::Producer* out, const std::string& request_id = "",
                              const std::string& actor = "tester") {
    v1::CreateProducerRequest request;
    *request.mutable_producer() = producer;
    request.set_request_id(request_id);
    return stub_->CreateProducer(Context(actor).get(), request, out);
  }

  grpc::Status CreateProduct(const std::string& producer, int score, v1::Product* out,
                             v1::ProductGroup group = v1::PRODUCT_GROUP_BEVERAGES) {
    v1::CreateProductRequest request;
    request.mutable_product()->set_producer(producer);
    request.mutable_product()->set_display_name("Chè Tân Cương đặc biệt");
    request.mutable_product()->set_group(group);
    if (score > 0) {
      v1::OcopRating* rating = request.mutable_product()->mutable_rating();
      rating->set_score(score);
      rating->set_stars(StarsForScore(score));
      rating->set_certificate_number("TN-1");
      // Decided 2025-06-30, under Decision 148: districts recognise 3 stars, provinces 4.
      const int stars = StarsForScore(score);
      rating->set_council_level(stars == 5   ? v1::COUNCIL_LEVEL_CENTRAL
                                : stars == 3 ? v1::COUNCIL_LEVEL_DISTRICT
                                             : v1::COUNCIL_LEVEL_PROVINCE);
      rating->set_decision_number("1/QĐ-UBND");
      rating->set_decision_date("2025-06-30");
    }
    return stub_->CreateProduct(Context().get(), request, out);
  }

  int CountProducers() {
    v1::ListProducersRequest request;
    request.set_page_size(1000);
    v1::ListProducersResponse response;
    EXPECT_TRUE(stub_->ListProducers(Context().get(), request, &response).ok());
    return response.producers_size();
  }

  ocop::testing::TempDir dir_;
  std::string registry_location_;
  std::unique_ptr<ocop::testing::RegistryHarness> harness_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
};

INSTANTIATE_TEST_SUITE_P(Engines, RegistryServiceTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(RegistryServiceTest, CreateThenGetReturnsTheStoredProducer) {
  v1::Producer created;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &created).ok());
  EXPECT_TRUE(created.name().starts_with("producers/t-"));
  EXPECT_GT(created.create_time().seconds(), 0);
  v1::GetProducerRequest get;
  get.set_name(created.name());
  v1::Producer fetched;
  ASSERT_TRUE(stub_->GetProducer(Context().get(), get, &fetched).ok());
  EXPECT_EQ(fetched.display_name(), "HTX Chè Tân Cương");
  EXPECT_EQ(fetched.address().commune_code(), "05503");
  EXPECT_EQ(fetched.kind(), v1::PRODUCER_KIND_COOPERATIVE);
}

TEST_P(RegistryServiceTest, EmptyNameIsRefusedNamingTheFieldAndStoresNothing) {
  v1::Producer created;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &created).ok());
  v1::Producer bad = TeaCooperative();
  bad.set_display_name("   ");
  grpc::Status status = CreateProducer(bad, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "producer.display_name: must not be empty");
  bad = TeaCooperative();
  bad.mutable_address()->set_commune_code("55");
  status = CreateProducer(bad, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("producer.address.commune_code"), std::string::npos);
  bad = TeaCooperative();
  bad.set_kind(v1::PRODUCER_KIND_UNSPECIFIED);
  EXPECT_EQ(CreateProducer(bad, &created).error_message(), "producer.kind: must be set");
  EXPECT_EQ(CountProducers(), 1);
}

TEST_P(RegistryServiceTest, RetriedCreateIsAppliedOnceAndAReusedIdWithAnotherBodyIsRefused) {
  v1::Producer first;
  v1::Producer retry;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &first, "req-1").ok());
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &retry, "req-1").ok());
  EXPECT_EQ(first.name(), retry.name());
  v1::Producer other = TeaCooperative();
  other.set_display_name("HTX Chè La Bằng");
  v1::Producer refused;
  grpc::Status status = CreateProducer(other, &refused, "req-1");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_NE(status.error_message().find("request_id"), std::string::npos);
  // Request ids belong to their caller: another caller's "req-1" is a different request.
  v1::Producer someone_else;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &someone_else, "req-1", "another-office").ok());
  EXPECT_NE(someone_else.name(), first.name());
  EXPECT_EQ(CountProducers(), 2);
}

TEST_P(RegistryServiceTest, ProductNeedsAnExistingProducerAndConsistentStars) {
  v1::Product product;
  grpc::Status status = CreateProduct("producers/nobody", 78, &product);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(status.error_message(), "product.producer: producers/nobody not found");

  v1::Producer producer;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &producer).ok());
  v1::CreateProductRequest request;
  request.mutable_product()->set_producer(producer.name());
  request.mutable_product()->set_display_name("Chè");
  request.mutable_product()->set_group(v1::PRODUCT_GROUP_BEVERAGES);
  request.mutable_product()->mutable_rating()->set_score(69);
  request.mutable_product()->mutable_rating()->set_stars(4);
  request.mutable_product()->mutable_rating()->set_certificate_number("X");
  request.mutable_product()->mutable_rating()->set_decision_number("1/QĐ-UBND");
  request.mutable_product()->mutable_rating()->set_decision_date("2025-01-01");
  request.mutable_product()->mutable_rating()->set_council_level(v1::COUNCIL_LEVEL_PROVINCE);
  status = stub_->CreateProduct(Context().get(), request, &product);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "product.rating.stars: a score of 69 gives 3 stars, not 4");
}

// Decision 148's classification is data: a product names a line of it by code, in its group; an
// unknown code, a group that must be split further, or a line of another group is refused with
// nothing stored, and the table itself is served to integrators.
TEST_P(RegistryServiceTest, AProductsCategoryIsALineOfDecision148InItsGroup) {
  v1::Producer producer;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &producer).ok());
  auto create = [&](v1::ProductGroup group, const std::string& category, v1::Product* out) {
    v1::CreateProductRequest request;
    request.mutable_product()->set_producer(producer.name());
    request.mutable_product()->set_display_name("Chè búp Tân Cương");
    request.mutable_product()->set_group(group);
    request.mutable_product()->set_category(category);
    return stub_->CreateProduct(Context().get(), request, out);
  };
  struct Refused {
    v1::ProductGroup group;
    std::string category;
    std::string message;
  };
  for (const Refused& refused : std::vector<Refused>{
           {v1::PRODUCT_GROUP_BEVERAGES, "I.5.a",
            "product.category: I.5.a (Chè tươi, chế biến) is in the group Food, not Beverages"},
           {v1::PRODUCT_GROUP_FOOD, "I.5", "product.category: I.5 has sub-groups; choose one of I.5.a, I.5.b"},
           {v1::PRODUCT_GROUP_FOOD, "I.5.c", "product.category: \"I.5.c\" is not a line of Decision 148's"},
           {v1::PRODUCT_GROUP_UNSPECIFIED, "Chè", "product.category: \"Chè\" is not a line of Decision 148's"},
       }) {
    v1::Product product;
    grpc::Status status = create(refused.group, refused.category, &product);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << refused.category;
    EXPECT_TRUE(absl::StartsWith(status.error_message(), refused.message)) << status.error_message();
  }
  v1::ListProductsRequest list;
  v1::ListProductsResponse listed;
  ASSERT_TRUE(stub_->ListProducts(Context().get(), list, &listed).ok());
  EXPECT_EQ(listed.products_size(), 0) << "nothing stored by the refused ones";

  // Written as the decision prints it; an unset group is the category's.
  v1::Product tea;
  ASSERT_TRUE(create(v1::PRODUCT_GROUP_FOOD, " i.5.A", &tea).ok());
  EXPECT_EQ(tea.category(), "I.5.a");
  v1::Product spirit;
  ASSERT_TRUE(create(v1::PRODUCT_GROUP_UNSPECIFIED, "II.1.a", &spirit).ok());
  EXPECT_EQ(spirit.group(), v1::PRODUCT_GROUP_BEVERAGES);
  v1::GetProductRequest get;
  get.set_name(tea.name());
  v1::Product stored;
  ASSERT_TRUE(stub_->GetProduct(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.category(), "I.5.a");

  // Changed by its mask path like any field, and checked the same way.
  v1::UpdateProductRequest update;
  update.mutable_product()->set_name(tea.name());
  update.mutable_product()->set_category("I.5.b");
  update.mutable_update_mask()->add_paths("category");
  ASSERT_TRUE(stub_->UpdateProduct(Context().get(), update, &stored).ok());
  EXPECT_EQ(stored.category(), "I.5.b");
  EXPECT_EQ(stored.display_name(), "Chè búp Tân Cương");
  update.mutable_product()->set_category("II.2.b");
  grpc::Status wrong_group = stub_->UpdateProduct(Context().get(), update, &stored);
  EXPECT_EQ(wrong_group.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_TRUE(stub_->GetProduct(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.category(), "I.5.b");

  v1::ListProductCategoriesResponse table;
  ASSERT_TRUE(stub_->ListProductCategories(Context().get(), {}, &table).ok());
  ASSERT_EQ(table.categories_size(), 26);
  EXPECT_EQ(table.categories(0).code(), "I.1.a");
  EXPECT_EQ(table.categories(25).code(), "VI.1");
  EXPECT_EQ(table.categories(25).product_group(), v1::PRODUCT_GROUP_TOURISM);
  EXPECT_EQ(table.categories(25).ministries_size(), 2);
  EXPECT_EQ(table.categories(25).ministries(0), "Bộ Văn hóa, Thể thao và Du lịch");
}

TEST(StarBands, FollowTheOfficialBoundaries) {
  EXPECT_EQ(StarsForScore(0), 1);
  EXPECT_EQ(StarsForScore(29), 1);
  EXPECT_EQ(StarsForScore(30), 2);
  EXPECT_EQ(StarsForScore(49), 2);
  EXPECT_EQ(StarsForScore(50), 3);
  EXPECT_EQ(StarsForScore(69), 3);
  EXPECT_EQ(StarsForScore(70), 4);
  EXPECT_EQ(StarsForScore(89), 4);
  EXPECT_EQ(StarsForScore(90), 5);
  EXPECT_EQ(StarsForScore(100), 5);
}

TEST_P(RegistryServiceTest, ListFiltersByProvinceGroupAndStarsAndPages) {
  v1::Producer tea;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &tea).ok());
  v1::Producer elsewhere_proto = TeaCooperative();
  elsewhere_proto.mutable_address()->set_province_code("25");  // Phú Thọ
  elsewhere_proto.mutable_address()->set_commune_code("05128");  // Xã Tân Lạc
  v1::Producer elsewhere;
  ASSERT_TRUE(CreateProducer(elsewhere_proto, &elsewhere).ok());
  v1::Product product;
  ASSERT_TRUE(CreateProduct(tea.name(), 78, &product).ok());        // 4 stars, Thái Nguyên
  ASSERT_TRUE(CreateProduct(tea.name(), 55, &product).ok());        // 3 stars
  ASSERT_TRUE(CreateProduct(tea.name(), 91, &product, v1::PRODUCT_GROUP_FOOD).ok());  // 5 stars
  ASSERT_TRUE(CreateProduct(elsewhere.name(), 75, &product).ok());  // 4 stars, elsewhere

  v1::ListProductsRequest request;
  request.set_province_code("19");
  request.set_stars(4);
  v1::ListProductsResponse response;
  ASSERT_TRUE(stub_->ListProducts(Context().get(), request, &response).ok());
  ASSERT_EQ(response.products_size(), 1);
  EXPECT_EQ(response.products(0).rating().score(), 78);

  request.Clear();
  request.set_group(v1::PRODUCT_GROUP_FOOD);
  ASSERT_TRUE(stub_->ListProducts(Context().get(), request, &response).ok());
  ASSERT_EQ(response.products_size(), 1);
  EXPECT_EQ(response.products(0).rating().stars(), 5);

  // Paging: 4 products, 3 per page.
  request.Clear();
  request.set_page_size(3);
  ASSERT_TRUE(stub_->ListProducts(Context().get(), request, &response).ok());
  EXPECT_EQ(response.products_size(), 3);
  ASSERT_FALSE(response.next_page_token().empty());
  request.set_page_token(response.next_page_token());
  v1::ListProductsResponse second;
  ASSERT_TRUE(stub_->ListProducts(Context().get(), request, &second).ok());
  ASSERT_EQ(second.products_size(), 1);
  EXPECT_TRUE(second.next_page_token().empty());
  EXPECT_EQ(second.products(0).producer(), elsewhere.name());

  request.set_page_token("not-a-token");
  grpc::Status status = stub_->ListProducts(Context().get(), request, &second);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("page_token"), std::string::npos);
}

TEST_P(RegistryServiceTest, DataSurvivesARestart) {
  v1::Producer created;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &created, "req-restart").ok());
  Restart();
  v1::GetProducerRequest get;
  get.set_name(created.name());
  v1::Producer fetched;
  ASSERT_TRUE(stub_->GetProducer(Context().get(), get, &fetched).ok());
  EXPECT_EQ(fetched.display_name(), created.display_name());
  // The idempotency record survives too.
  v1::Producer retry;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &retry, "req-restart").ok());
  EXPECT_EQ(retry.name(), created.name());
}

TEST_P(RegistryServiceTest, WatchChangesStreamsEveryCreateInOrder) {
  v1::Producer producer;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &producer).ok());
  v1::Product product;
  ASSERT_TRUE(CreateProduct(producer.name(), 78, &product).ok());
  auto context = Context();
  common::v1::WatchChangesRequest request;
  auto reader = stub_->WatchChanges(context.get(), request);
  common::v1::Change change;
  ASSERT_TRUE(reader->Read(&change));
  EXPECT_EQ(change.sequence(), 1);
  EXPECT_EQ(change.entity(), "producer");
  EXPECT_EQ(change.name(), producer.name());
  ASSERT_TRUE(reader->Read(&change));
  EXPECT_EQ(change.entity(), "product");
  EXPECT_EQ(change.name(), product.name());
  context->TryCancel();
}

TEST_P(RegistryServiceTest, GetUnknownOrMalformedNames) {
  v1::GetProductRequest get;
  get.set_name("products/unknown");
  v1::Product product;
  EXPECT_EQ(stub_->GetProduct(Context().get(), get, &product).error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_name("producers/x");
  grpc::Status status = stub_->GetProduct(Context().get(), get, &product);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("name: must look like products/{id}"), std::string::npos);
}


v1::Producer ProducerIn(const std::string& version, const std::string& province, const std::string& commune) {
  v1::Producer producer = TeaCooperative();
  producer.mutable_address()->clear_province_name();
  producer.mutable_address()->clear_commune_name();
  producer.mutable_address()->set_units_version(version);
  producer.mutable_address()->set_province_code(province);
  producer.mutable_address()->set_commune_code(commune);
  return producer;
}

TEST_P(RegistryServiceTest, AnOldAddressKeepsItsCodesAndResolvesToTodaysUnits) {
  // Xã Tử Nê, Huyện Tân Lạc, Tỉnh Hoà Bình (17) became part of Xã Tân Lạc (05128), Tỉnh Phú Thọ (25).
  v1::Producer created;
  ASSERT_TRUE(CreateProducer(ProducerIn("2025-01-04", "17", "05164"), &created).ok());
  const common::v1::Address& address = created.address();
  EXPECT_EQ(address.units_version(), "2025-01-04");
  EXPECT_EQ(address.province_code(), "17");
  EXPECT_EQ(address.commune_code(), "05164");
  EXPECT_EQ(address.commune_name(), "Xã Tử Nê");
  EXPECT_EQ(address.district_name(), "Huyện Tân Lạc");
  EXPECT_EQ(address.current_province_code(), "25");
  EXPECT_EQ(address.current_province_name(), "Tỉnh Phú Thọ");
  EXPECT_EQ(address.current_commune_code(), "05128");
  EXPECT_EQ(address.current_commune_name(), "Xã Tân Lạc");

  // The old Xã Thịnh Đức (05497, Thành phố Thái Nguyên) is part of the new Xã Tân Cương (05503).
  v1::Producer thinh_duc;
  ASSERT_TRUE(CreateProducer(ProducerIn("2025-01-04", "19", "05497"), &thinh_duc).ok());
  EXPECT_EQ(thinh_duc.address().current_commune_code(), "05503");
  EXPECT_EQ(thinh_duc.address().current_commune_name(), "Xã Tân Cương");

  // Today's codes resolve to themselves; the official name replaces what the caller typed.
  v1::Producer today_proto = ProducerIn("", "19", "05503");
  today_proto.mutable_address()->set_commune_name("xa tan cuong");
  v1::Producer today;
  ASSERT_TRUE(CreateProducer(today_proto, &today).ok());
  EXPECT_EQ(today.address().units_version(), "2025-07-01");
  EXPECT_EQ(today.address().commune_name(), "Xã Tân Cương");
  EXPECT_EQ(today.address().current_commune_code(), "05503");

  // Listing by today's units finds old addresses too.
  v1::ListProducersRequest request;
  request.set_province_code("25");
  v1::ListProducersResponse response;
  ASSERT_TRUE(stub_->ListProducers(Context().get(), request, &response).ok());
  ASSERT_EQ(response.producers_size(), 1);
  EXPECT_EQ(response.producers(0).name(), created.name());
  request.set_province_code("");
  request.set_commune_code("05503");
  ASSERT_TRUE(stub_->ListProducers(Context().get(), request, &response).ok());
  EXPECT_EQ(response.producers_size(), 2);
}

TEST_P(RegistryServiceTest, UnitCodesAreCheckedAgainstTheirTable) {
  struct Case {
    v1::Producer producer;
    std::string message;
  };
  std::vector<Case> cases = {
      {ProducerIn("2025-07-01", "17", "05164"),
       "producer.address.province_code: 17 is not a province in the 2025-07-01 unit table"},
      {ProducerIn("2025-07-01", "19", "05164"),
       "producer.address.commune_code: 05164 is not a commune in the 2025-07-01 unit table"},
      {ProducerIn("2025-07-01", "25", "05503"),
       "producer.address.commune_code: 05503 (Xã Tân Cương) is in province 19, not 25"},
      {ProducerIn("2019", "19", "05503"), "producer.address.units_version: unknown unit table '2019'"},
  };
  for (const Case& c : cases) {
    v1::Producer out;
    grpc::Status status = CreateProducer(c.producer, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.message;
    EXPECT_TRUE(status.error_message().starts_with(c.message)) << status.error_message();
  }
  EXPECT_EQ(CountProducers(), 0);
}

TEST_P(RegistryServiceTest, SearchIgnoresCaseAndDiacritics) {
  v1::Producer tea;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &tea).ok());
  v1::Producer specialty_proto = TeaCooperative();
  // Decomposed input (e + combining marks) is stored precomposed (NFC).
  specialty_proto.set_display_name("Tổ hợp tác \xC4\x90" "a\xCC\xA3\xCC\x86" "c sản Đồng Hỷ");
  specialty_proto.set_external_id("TN-DH-042");
  specialty_proto.set_tax_code("4600123456");
  specialty_proto.mutable_representative()->set_full_name("Hoàng Thị Lụa");
  v1::Producer specialty;
  ASSERT_TRUE(CreateProducer(specialty_proto, &specialty).ok());
  EXPECT_EQ(specialty.display_name(), "Tổ hợp tác Đặc sản Đồng Hỷ");

  auto search = [&](const std::string& query) {
    v1::ListProducersRequest request;
    request.set_query(query);
    v1::ListProducersResponse response;
    EXPECT_TRUE(stub_->ListProducers(Context().get(), request, &response).ok());
    std::vector<std::string> names;
    for (const v1::Producer& producer : response.producers()) names.push_back(producer.name());
    return names;
  };
  EXPECT_EQ(search("dac san dong hy"), std::vector<std::string>{specialty.name()});
  EXPECT_EQ(search("ĐẶC SẢN"), std::vector<std::string>{specialty.name()});
  EXPECT_EQ(search("che tan cuong"), std::vector<std::string>{tea.name()});
  EXPECT_EQ(search("tan cuo"), std::vector<std::string>{tea.name()});  // word prefixes
  EXPECT_EQ(search("tn dh 042"), std::vector<std::string>{specialty.name()});
  EXPECT_EQ(search("4600123456"), std::vector<std::string>{specialty.name()});
  EXPECT_EQ(search("hoang thi lua"), std::vector<std::string>{specialty.name()});
  EXPECT_EQ(search("htx"), std::vector<std::string>{tea.name()});
  EXPECT_TRUE(search("mat ong").empty());
  // FTS syntax in the query is just punctuation.
  EXPECT_EQ(search("\"tân\" OR (cương)*"), std::vector<std::string>{});
  EXPECT_EQ(search("\"tân\" (cương)*"), std::vector<std::string>{tea.name()});
  EXPECT_EQ(search("").size(), 2u);
}

TEST_P(RegistryServiceTest, UpdateWithEtagReplacesFieldsAndRefusesAStaleVersion) {
  v1::Producer created;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &created).ok());
  v1::UpdateProducerRequest request;
  *request.mutable_producer() = created;
  request.mutable_producer()->set_phone("0208 3855 111");
  request.mutable_producer()->add_sales_channels(v1::SALES_CHANNEL_ECOMMERCE);
  request.mutable_producer()->add_sales_channels(v1::SALES_CHANNEL_SUPERMARKET);
  request.mutable_producer()->mutable_representative()->set_full_name("Nguyễn Thị Hoa");
  request.mutable_producer()->mutable_representative()->set_gender(v1::GENDER_FEMALE);
  request.mutable_producer()->mutable_representative()->set_ethnic_minority(true);
  request.mutable_producer()->mutable_representative()->set_ethnicity("Tày");
  request.mutable_producer()->mutable_location()->set_latitude(21.5867);
  request.mutable_producer()->mutable_location()->set_longitude(105.7716);
  request.mutable_update_mask()->add_paths("phone");
  request.mutable_update_mask()->add_paths("sales_channels");
  request.mutable_update_mask()->add_paths("representative");
  request.mutable_update_mask()->add_paths("location");
  request.mutable_producer()->set_display_name("ignored: not in the mask");
  v1::Producer updated;
  grpc::Status status = stub_->UpdateProducer(Context().get(), request, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.phone(), "0208 3855 111");
  EXPECT_EQ(updated.display_name(), "HTX Chè Tân Cương");
  ASSERT_EQ(updated.sales_channels_size(), 2);
  EXPECT_EQ(updated.sales_channels(0), v1::SALES_CHANNEL_SUPERMARKET);  // sorted
  EXPECT_EQ(updated.representative().gender(), v1::GENDER_FEMALE);
  EXPECT_TRUE(updated.representative().ethnic_minority());
  EXPECT_DOUBLE_EQ(updated.location().latitude(), 21.5867);
  EXPECT_NE(updated.etag(), created.etag());

  // The same update again changes nothing: same etag, no new change on the feed.
  request.mutable_producer()->set_etag(updated.etag());
  v1::Producer again;
  ASSERT_TRUE(stub_->UpdateProducer(Context().get(), request, &again).ok());
  EXPECT_EQ(again.etag(), updated.etag());

  // An update based on the first version is refused and stores nothing.
  request.mutable_producer()->set_etag(created.etag());
  request.mutable_producer()->set_phone("0999");
  status = stub_->UpdateProducer(Context().get(), request, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_TRUE(status.error_message().starts_with("producer.etag: ")) << status.error_message();

  request.mutable_producer()->clear_etag();
  request.mutable_update_mask()->add_paths("name");
  status = stub_->UpdateProducer(Context().get(), request, &again);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "update_mask: 'name' is not an updatable field");

  v1::GetProducerRequest get;
  get.set_name(created.name());
  v1::Producer stored;
  ASSERT_TRUE(stub_->GetProducer(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.phone(), "0208 3855 111");
  EXPECT_EQ(stored.etag(), updated.etag());

  // Feed: the create and one update, nothing for the no-op or the refused ones.
  auto context = Context();
  auto reader = stub_->WatchChanges(context.get(), common::v1::WatchChangesRequest());
  common::v1::Change change;
  ASSERT_TRUE(reader->Read(&change));
  EXPECT_EQ(change.generation(), 1);
  ASSERT_TRUE(reader->Read(&change));
  EXPECT_EQ(change.generation(), 2);
  context->TryCancel();
}

// Workforce and value chain are updated by their own mask paths and checked before anything is stored.
TEST_P(RegistryServiceTest, WorkforceAndValueChainAreValidatedAndUpdatedByMask) {
  v1::Producer created;
  ASSERT_TRUE(CreateProducer(TeaCooperative(), &created).ok());
  EXPECT_EQ(created.workforce().workers(), 0);
  v1::UpdateProducerRequest request;
  *request.mutable_producer() = created;
  request.mutable_producer()->mutable_workforce()->set_workers(30);
  request.mutable_producer()->mutable_workforce()->set_trained_workers(12);
  request.mutable_producer()->mutable_value_chain()->set_green_or_circular(true);
  request.mutable_producer()->mutable_value_chain()->set_raw_material_hectares(8.5);
  request.mutable_producer()->mutable_value_chain()->set_raw_material_area("Vùng chè Tân Cương");
  request.mutable_producer()->set_phone("0999 999");  // not in the mask
  request.mutable_update_mask()->add_paths("workforce");
  v1::Producer updated;
  ASSERT_THAT(FromGrpcStatus(stub_->UpdateProducer(Context().get(), request, &updated)), IsOk());
  EXPECT_EQ(updated.workforce().workers(), 30);
  EXPECT_EQ(updated.workforce().trained_workers(), 12);
  EXPECT_FALSE(updated.value_chain().green_or_circular());  // not in the mask
  EXPECT_EQ(updated.phone(), created.phone());
  request.mutable_update_mask()->add_paths("value_chain");
  request.mutable_producer()->set_etag(updated.etag());
  ASSERT_THAT(FromGrpcStatus(stub_->UpdateProducer(Context().get(), request, &updated)), IsOk());
  EXPECT_TRUE(updated.value_chain().green_or_circular());
  EXPECT_EQ(updated.value_chain().raw_material_hectares(), 8.5);

  request.mutable_producer()->clear_etag();
  struct Bad {
    int workers, trained;
    double hectares;
    const char* message;
  };
  for (const Bad& bad : {Bad{-1, 0, 0, "producer.workforce.workers: must be within [0, 1000000]"},
                         Bad{5, 6, 0, "producer.workforce.trained_workers: must be within [0, workers (5)]"},
                         Bad{5, 5, -1, "producer.value_chain.raw_material_hectares: must be within [0, 1000000]"},
                         Bad{5, 5, std::nan(""), "producer.value_chain.raw_material_hectares: must be within [0, 1000000]"}}) {
    request.mutable_producer()->mutable_workforce()->set_workers(bad.workers);
    request.mutable_producer()->mutable_workforce()->set_trained_workers(bad.trained);
    request.mutable_producer()->mutable_value_chain()->set_raw_material_hectares(bad.hectares);
    EXPECT_THAT(FromGrpcStatus(stub_->UpdateProducer(Context().get(), request, &updated)),
                StatusIs(absl::StatusCode::kInvalidArgument, bad.message));
  }
  v1::GetProducerRequest get;
  get.set_name(created.name());
  v1::Producer stored;
  ASSERT_TRUE(stub_->GetProducer(Context().get(), get, &stored).ok());
  EXPECT_EQ(stored.workforce().trained_workers(), 12);
  EXPECT_EQ(stored.value_chain().raw_material_area(), "Vùng chè Tân Cương");
}

TEST_P(RegistryServiceTest, TaxCodeAndExternalIdAreValidatedAndUnique) {
  for (const char* valid : {"4600123456", "4600123456-001", "019085001234"}) {
    v1::Producer producer = TeaCooperative();
    producer.set_tax_code(valid);
    v1::Producer out;
    EXPECT_TRUE(CreateProducer(producer, &out).ok()) << valid;
  }
  for (const char* invalid : {"46001234", "4600123456001", "4600123456-01", "46001234ab"}) {
    v1::Producer producer = TeaCooperative();
    producer.set_tax_code(invalid);
    v1::Producer out;
    grpc::Status status = CreateProducer(producer, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << invalid;
    EXPECT_TRUE(status.error_message().starts_with("producer.tax_code: ")) << status.error_message();
  }
  v1::Producer duplicate = TeaCooperative();
  duplicate.set_tax_code("4600123456");
  v1::Producer out;
  grpc::Status status = CreateProducer(duplicate, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_TRUE(status.error_message().starts_with("producer.tax_code: 4600123456 already belongs to producers/"));

  v1::Producer with_id = TeaCooperative();
  with_id.set_external_id("TN-001");
  ASSERT_TRUE(CreateProducer(with_id, &out).ok());
  status = CreateProducer(with_id, &out);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_TRUE(status.error_message().starts_with("producer.external_id: TN-001 already belongs to"));

  v1::Producer twice = TeaCooperative();
  twice.add_sales_channels(v1::SALES_CHANNEL_EXPORT);
  twice.add_sales_channels(v1::SALES_CHANNEL_EXPORT);
  status = CreateProducer(twice, &out);
  EXPECT_EQ(status.error_message(), "producer.sales_channels: lists a channel twice");
  EXPECT_EQ(CountProducers(), 4);
}


TEST(CertificateValidity, RunsThirtySixMonthsLessADay) {
  EXPECT_EQ(DefaultValidUntil(absl::CivilDay(2024, 3, 15)), absl::CivilDay(2027, 3, 14));
  EXPECT_EQ(DefaultValidUntil(absl::CivilDay(2024, 1, 31)), absl::CivilDay(2027, 1, 30));
  EXPECT_EQ(DefaultValidUntil(absl::CivilDay(2024, 2, 29)), absl::CivilDay(2027, 2, 27));  // no 29 Feb 2027
  EXPECT_EQ(DefaultValidUntil(absl::CivilDay(2025, 12, 1)), absl::CivilDay(2028, 11, 30));
  OcopRating rating;
  rating.stars = 4;
  rating.valid_until = "2027-03-14";
  EXPECT_EQ(RatingStateOn(rating, absl::CivilDay(2027, 3, 14)), RatingState::kCertified);
  EXPECT_EQ(RatingStateOn(rating, absl::CivilDay(2027, 3, 15)), RatingState::kExpired);
  rating.stars = 2;
  EXPECT_EQ(RatingStateOn(rating, absl::CivilDay(2026, 1, 1)), RatingState::kNotCertified);
  // Midnight in Vietnam is 17:00 UTC the day before.
  EXPECT_EQ(VietnamDay(absl::FromCivil(absl::CivilSecond(2027, 3, 14, 16, 59, 59), absl::UTCTimeZone())),
            absl::CivilDay(2027, 3, 14));
  EXPECT_EQ(VietnamDay(absl::FromCivil(absl::CivilSecond(2027, 3, 14, 17, 0, 0), absl::UTCTimeZone())),
            absl::CivilDay(2027, 3, 15));
}

v1::OcopRating Rating(int score, v1::CouncilLevel level, const std::string& decision_date,
                      const std::string& certificate = "TN-OCOP-1") {
  v1::OcopRating rating;
  rating.set_score(score);
  rating.set_council_level(level);
  rating.set_decision_date(decision_date);
  rating.set_decision_number("99/QĐ-UBND");
  rating.set_certificate_number(certificate);
  return rating;
}

class RatingTest : public RegistryServiceTest {
 protected:
  void SetUp() override {
    RegistryServiceTest::SetUp();
    ASSERT_TRUE(CreateProducer(TeaCooperative(), &producer_).ok());
    ASSERT_TRUE(CreateProduct(producer_.name(), 0, &product_).ok());
  }

  grpc::Status AddRating(const v1::OcopRating& rating, v1::OcopRating* out, const std::string& request_id = "",
                         const std::string& product = "") {
    v1::AddRatingRequest request;
    request.set_parent(product.empty() ? product_.name() : product);
    *request.mutable_rating() = rating;
    request.set_request_id(request_id);
    return stub_->AddRating(Context().get(), request, out);
  }

  v1::Product Current() {
    v1::GetProductRequest get;
    get.set_name(product_.name());
    v1::Product product;
    EXPECT_TRUE(stub_->GetProduct(Context().get(), get, &product).ok());
    return product;
  }

  v1::Producer producer_;
  v1::Product product_;
};

// Stars are the province's decision: a producer cannot give itself stars (not by AddRating, not
// inside CreateProduct, not by lifting a suspension), and an office rates, reports on and edits
// only its own province's producers.
INSTANTIATE_TEST_SUITE_P(Engines, RatingTest, ocop::testing::AllStoreEngines(), ocop::testing::StoreEngineName);

TEST_P(RatingTest, OnlyTheProductsProvinceRatesItAndReportsStayInTheirProvince) {
  using ocop::testing::ContextAs;
  const Actor producer("users/coop", "producer", producer_.name());
  Actor thai_nguyen("users/office-tn", "office");
  thai_nguyen.province = "19";
  Actor hoa_binh("users/office-hb", "office");
  hoa_binh.province = "17";

  v1::AddRatingRequest rate;
  rate.set_parent(product_.name());
  *rate.mutable_rating() = Rating(95, v1::COUNCIL_LEVEL_PROVINCE, "2025-08-01");
  v1::OcopRating rating;
  grpc::Status status = stub_->AddRating(ContextAs(producer).get(), rate, &rating);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  status = stub_->AddRating(ContextAs(hoa_binh).get(), rate, &rating);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_NE(status.error_message().find("is in province 19: an office acts only for its own province (17)"),
            std::string::npos)
      << status.error_message();
  EXPECT_FALSE(Current().has_rating());
  *rate.mutable_rating() = Rating(78, v1::COUNCIL_LEVEL_PROVINCE, "2025-08-01");
  status = stub_->AddRating(ContextAs(thai_nguyen).get(), rate, &rating);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(rating.recorded_by(), "users/office-tn");

  // A producer's own new product comes without stars; with stars it is refused.
  v1::CreateProductRequest create;
  create.mutable_product()->set_producer(producer_.name());
  create.mutable_product()->set_display_name("Trà xanh túi lọc");
  create.mutable_product()->set_group(v1::PRODUCT_GROUP_BEVERAGES);
  *create.mutable_product()->mutable_rating() = Rating(95, v1::COUNCIL_LEVEL_PROVINCE, "2025-08-01");
  v1::Product created;
  status = stub_->CreateProduct(ContextAs(producer).get(), create, &created);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  create.mutable_product()->clear_rating();
  EXPECT_TRUE(stub_->CreateProduct(ContextAs(producer).get(), create, &created).ok());
  create.mutable_product()->set_producer("producers/rival");
  EXPECT_EQ(stub_->CreateProduct(ContextAs(producer).get(), create, &created).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // The producer's record (phone, tax code) is for itself and its province only.
  v1::GetProducerRequest get;
  get.set_name(producer_.name());
  v1::Producer read;
  EXPECT_TRUE(stub_->GetProducer(ContextAs(producer).get(), get, &read).ok());
  EXPECT_TRUE(stub_->GetProducer(ContextAs(thai_nguyen).get(), get, &read).ok());
  EXPECT_EQ(stub_->GetProducer(ContextAs(hoa_binh).get(), get, &read).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::UpdateProducerRequest update;
  *update.mutable_producer() = producer_;
  update.mutable_producer()->set_display_name("HTX đổi tên");
  update.mutable_update_mask()->add_paths("display_name");
  EXPECT_EQ(stub_->UpdateProducer(ContextAs(hoa_binh).get(), update, &read).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Reports: an office's are pinned to its province; asking for another is refused.
  v1::ReportCertifiedProductsRequest report;
  report.set_province_code("19");
  v1::CertifiedProductsReport certified;
  status = stub_->ReportCertifiedProducts(ContextAs(hoa_binh).get(), report, &certified);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(status.error_message(), "province_code: 19 is not your province (17)");
  v1::ListProducersRequest list;
  v1::ListProducersResponse listed;
  ASSERT_TRUE(stub_->ListProducers(ContextAs(hoa_binh).get(), list, &listed).ok());
  EXPECT_EQ(listed.producers_size(), 0);  // only Hoà Bình's, and there are none
  ASSERT_TRUE(stub_->ListProducers(ContextAs(thai_nguyen).get(), list, &listed).ok());
  EXPECT_EQ(listed.producers_size(), 1);
}

TEST_P(RatingTest, StarsFollowTheBandsAtEveryBoundary) {
  const std::vector<std::pair<int, int>> bands = {{0, 1},  {29, 1}, {30, 2}, {49, 2}, {50, 3},
                                                  {69, 3}, {70, 4}, {89, 4}, {90, 5}, {100, 5}};
  for (const auto& [score, stars] : bands) {
    v1::OcopRating out;
    grpc::Status status = AddRating(
        Rating(score, stars == 5 ? v1::COUNCIL_LEVEL_CENTRAL : v1::COUNCIL_LEVEL_PROVINCE, "2025-08-01"), &out);
    ASSERT_TRUE(status.ok()) << score << ": " << status.error_message();
    EXPECT_EQ(out.stars(), stars) << score;
    EXPECT_EQ(out.state(), stars >= 3 ? v1::RATING_STATE_CERTIFIED : v1::RATING_STATE_NOT_CERTIFIED) << score;
  }
  for (int score : {-1, 101}) {
    v1::OcopRating out;
    grpc::Status status = AddRating(Rating(score, v1::COUNCIL_LEVEL_PROVINCE, "2025-08-01"), &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(status.error_message(), "rating.score: must be between 0 and 100");
  }
  v1::OcopRating wrong = Rating(69, v1::COUNCIL_LEVEL_PROVINCE, "2025-08-01");
  wrong.set_stars(4);
  v1::OcopRating out;
  EXPECT_EQ(AddRating(wrong, &out).error_message(), "rating.stars: a score of 69 gives 3 stars, not 4");
}

TEST_P(RatingTest, TheRuleSetDecidesWhichLevelMayAwardWhichStars) {
  struct Case {
    int score;
    v1::CouncilLevel level;
    std::string date;
    std::string error;  // empty: accepted
  };
  const std::vector<Case> cases = {
      {65, v1::COUNCIL_LEVEL_DISTRICT, "2024-05-10", ""},
      // Under Decision 1048 (2019) the district scored and the province recognised 3 and 4 stars.
      {45, v1::COUNCIL_LEVEL_DISTRICT, "2021-03-01", ""},
      {60, v1::COUNCIL_LEVEL_DISTRICT, "2021-03-01",
       "rating.council_level: a district council may not award 3 stars on 2021-03-01 under the council rule set"},
      {60, v1::COUNCIL_LEVEL_PROVINCE, "2023-02-23", ""},
      // Decision 148 took effect on 2023-02-24: 3 stars became the district's.
      {60, v1::COUNCIL_LEVEL_DISTRICT, "2023-02-24", ""},
      {60, v1::COUNCIL_LEVEL_PROVINCE, "2023-02-24",
       "rating.council_level: a province council may not award 3 stars on 2023-02-24 under the council rule set"},
      {45, v1::COUNCIL_LEVEL_PROVINCE, "2024-05-10", ""},
      {75, v1::COUNCIL_LEVEL_PROVINCE, "2024-05-10", ""},
      // With no districts from 2025-07-01, the province recognises 3 stars again.
      {60, v1::COUNCIL_LEVEL_PROVINCE, "2025-07-01", ""},
      {75, v1::COUNCIL_LEVEL_DISTRICT, "2024-05-10",
       "rating.council_level: a district council may not award 4 stars on 2024-05-10 under the council rule set"},
      {65, v1::COUNCIL_LEVEL_DISTRICT, "2025-07-01",
       "rating.council_level: a district council may not award 3 stars on 2025-07-01 under the council rule set"},
      {85, v1::COUNCIL_LEVEL_PROVINCE, "2025-07-01", ""},
      {92, v1::COUNCIL_LEVEL_PROVINCE, "2025-07-01",
       "rating.council_level: a province council may not award 5 stars on 2025-07-01 under the council rule set"},
      {92, v1::COUNCIL_LEVEL_CENTRAL, "2024-12-20", ""},
      {80, v1::COUNCIL_LEVEL_CENTRAL, "2024-12-20",
       "rating.council_level: the central council may not award 4 stars on 2024-12-20 under the council rule set"},
      {80, v1::COUNCIL_LEVEL_UNSPECIFIED, "2024-12-20", "rating.council_level: must be set"},
  };
  int accepted = 0;
  for (const Case& c : cases) {
    v1::OcopRating out;
    grpc::Status status = AddRating(Rating(c.score, c.level, c.date), &out);
    if (c.error.empty()) {
      EXPECT_TRUE(status.ok()) << c.score << " " << c.date << ": " << status.error_message();
      ++accepted;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
      EXPECT_EQ(status.error_message(), c.error);
    }
  }
  v1::GetCouncilRulesRequest request;
  v1::CouncilRuleSet rules;
  ASSERT_TRUE(stub_->GetCouncilRules(Context().get(), request, &rules).ok());
  ASSERT_EQ(rules.rules_size(), 7);
  for (const v1::CouncilRule& rule : rules.rules()) EXPECT_FALSE(rule.source().empty());
  v1::ListRatingsRequest list;
  list.set_parent(product_.name());
  v1::ListRatingsResponse ratings;
  ASSERT_TRUE(stub_->ListRatings(Context().get(), list, &ratings).ok());
  EXPECT_EQ(ratings.ratings_size(), accepted);  // refused ratings left nothing behind
}

TEST_P(RatingTest, RatingsAreAppendOnlyAndTheLatestDecisionIsCurrent) {
  v1::OcopRating first, upgrade, history;
  ASSERT_TRUE(AddRating(Rating(62, v1::COUNCIL_LEVEL_PROVINCE, "2022-04-01", "TN-2022-07"), &first).ok());
  EXPECT_EQ(first.name(), product_.name() + "/ratings/1");
  EXPECT_EQ(first.valid_until(), "2025-03-31");
  EXPECT_EQ(first.state(), v1::RATING_STATE_EXPIRED);
  EXPECT_EQ(first.recorded_by(), "tester");
  EXPECT_EQ(Current().rating().state(), v1::RATING_STATE_EXPIRED);  // never shown as certified

  ASSERT_TRUE(AddRating(Rating(81, v1::COUNCIL_LEVEL_PROVINCE, "2025-03-20", "TN-2025-31"), &upgrade).ok());
  v1::Product current = Current();
  EXPECT_EQ(current.rating().name(), product_.name() + "/ratings/2");
  EXPECT_EQ(current.rating().stars(), 4);
  EXPECT_EQ(current.rating().valid_until(), "2028-03-19");
  EXPECT_EQ(current.rating().state(), v1::RATING_STATE_CERTIFIED);

  // Recording an older decision later (history) does not replace the current rating.
  v1::OcopRating legacy = Rating(55, v1::COUNCIL_LEVEL_PROVINCE, "2019-05-02", "TN-2019-03");
  legacy.set_product_group(v1::PRODUCT_GROUP_BEVERAGES);
  ASSERT_TRUE(AddRating(legacy, &history).ok());
  EXPECT_EQ(Current().rating().name(), upgrade.name());

  v1::ListRatingsRequest list;
  list.set_parent(product_.name());
  v1::ListRatingsResponse ratings;
  ASSERT_TRUE(stub_->ListRatings(Context().get(), list, &ratings).ok());
  ASSERT_EQ(ratings.ratings_size(), 3);
  EXPECT_EQ(ratings.ratings(0).certificate_number(), "TN-2022-07");
  EXPECT_EQ(ratings.ratings(1).certificate_number(), "TN-2025-31");
  EXPECT_EQ(ratings.ratings(2).certificate_number(), "TN-2019-03");

  // A retried AddRating is stored once.
  v1::OcopRating retry1, retry2;
  ASSERT_TRUE(AddRating(Rating(91, v1::COUNCIL_LEVEL_CENTRAL, "2025-09-09", "TW-5"), &retry1, "rate-5").ok());
  ASSERT_TRUE(AddRating(Rating(91, v1::COUNCIL_LEVEL_CENTRAL, "2025-09-09", "TW-5"), &retry2, "rate-5").ok());
  EXPECT_EQ(retry1.name(), retry2.name());
  ASSERT_TRUE(stub_->ListRatings(Context().get(), list, &ratings).ok());
  EXPECT_EQ(ratings.ratings_size(), 4);
  EXPECT_EQ(Current().rating().stars(), 5);
}

TEST_P(RatingTest, BadRatingsAreRefusedNamingTheField) {
  struct Case {
    v1::OcopRating rating;
    std::string error;
  };
  v1::OcopRating future = Rating(75, v1::COUNCIL_LEVEL_PROVINCE, "2999-01-01");
  v1::OcopRating no_certificate = Rating(75, v1::COUNCIL_LEVEL_PROVINCE, "2025-01-01", "");
  v1::OcopRating before = Rating(75, v1::COUNCIL_LEVEL_PROVINCE, "2025-01-01");
  before.set_valid_until("2024-12-31");
  v1::OcopRating bad_date = Rating(75, v1::COUNCIL_LEVEL_PROVINCE, "2025-02-30");
  v1::OcopRating legacy_now = Rating(75, v1::COUNCIL_LEVEL_PROVINCE, "2025-01-01");
  legacy_now.set_product_group(v1::PRODUCT_GROUP_LEGACY_2019_SOUVENIRS);
  const std::vector<Case> cases = {
      {future, "rating.decision_date: 2999-01-01 is in the future"},
      {no_certificate, "rating.certificate_number: must not be empty"},
      {before, "rating.valid_until: 2024-12-31 is before the decision date 2025-01-01"},
      {bad_date, "rating.decision_date: "},
      {legacy_now, "rating.product_group: that group was not in force on 2025-01-01"},
  };
  for (const Case& c : cases) {
    v1::OcopRating out;
    grpc::Status status = AddRating(c.rating, &out);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.error;
    EXPECT_TRUE(status.error_message().starts_with(c.error)) << status.error_message();
  }
  v1::OcopRating out;
  grpc::Status status = AddRating(Rating(75, v1::COUNCIL_LEVEL_PROVINCE, "2025-01-01"), &out, "", "products/nope");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_FALSE(Current().has_rating());
}

TEST_P(RatingTest, OlderRatingsKeepTheGroupTheyWereRatedUnder) {
  v1::Product craft;
  ASSERT_TRUE(CreateProduct(producer_.name(), 0, &craft, v1::PRODUCT_GROUP_HANDICRAFTS).ok());
  // Handicrafts did not exist as a group in 2021: the rating must say which 2019 group it had.
  v1::OcopRating out;
  grpc::Status status = AddRating(Rating(66, v1::COUNCIL_LEVEL_PROVINCE, "2021-06-01"), &out, "", craft.name());
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(status.error_message().starts_with("rating.product_group: that group was not in force on 2021-06-01"));
  v1::OcopRating old = Rating(66, v1::COUNCIL_LEVEL_PROVINCE, "2021-06-01");
  old.set_product_group(v1::PRODUCT_GROUP_LEGACY_2019_SOUVENIRS);
  ASSERT_TRUE(AddRating(old, &out, "", craft.name()).ok());
  EXPECT_EQ(out.product_group(), v1::PRODUCT_GROUP_LEGACY_2019_SOUVENIRS);
  ASSERT_TRUE(AddRating(Rating(72, v1::COUNCIL_LEVEL_PROVINCE, "2024-06-01"), &out, "", craft.name()).ok());
  EXPECT_EQ(out.product_group(), v1::PRODUCT_GROUP_HANDICRAFTS);

  // Products themselves are classified by the 2023 groups.
  v1::Product legacy;
  EXPECT_EQ(CreateProduct(producer_.name(), 0, &legacy, v1::PRODUCT_GROUP_LEGACY_2019_TEXTILES).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_P(RatingTest, ProductUpdatesCarryTheFullRecordAndStatus) {
  v1::UpdateProductRequest request;
  v1::Product* update = request.mutable_product();
  update->set_name(product_.name());
  update->set_etag(product_.etag());
  update->set_sub_group("Chè và sản phẩm từ chè");
  update->set_ingredients("100% búp chè Trung du");
  update->set_shelf_life_days(540);
  update->set_storage("Nơi khô ráo, thoáng mát");
  v1::ProductImage* image = update->add_images();
  image->set_uri("https://ocop.example.vn/images/che-tan-cuong.jpg");
  image->set_sha256(std::string(64, 'A'));
  v1::IntellectualProperty* mark = update->add_intellectual_property();
  mark->set_kind(v1::INTELLECTUAL_PROPERTY_KIND_COLLECTIVE_MARK);
  mark->set_number("4-0123456-000");
  mark->set_holder("Hội Chè Tân Cương");
  mark->set_grant_date("2007-05-17");
  update->set_status(v1::PRODUCT_STATUS_SUSPENDED);
  update->set_external_id("TN-SP-0001");
  for (const char* path : {"sub_group", "ingredients", "shelf_life_days", "storage", "images", "intellectual_property",
                           "status", "external_id"}) {
    request.mutable_update_mask()->add_paths(path);
  }
  v1::Product updated;
  grpc::Status status = stub_->UpdateProduct(Context().get(), request, &updated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(updated.images(0).sha256(), std::string(64, 'a'));  // stored lower case
  EXPECT_EQ(updated.intellectual_property(0).holder(), "Hội Chè Tân Cương");
  EXPECT_EQ(updated.status(), v1::PRODUCT_STATUS_SUSPENDED);
  EXPECT_EQ(updated.shelf_life_days(), 540);
  EXPECT_NE(updated.etag(), product_.etag());

  // Stale etag; bad image digest; non-https image.
  status = stub_->UpdateProduct(Context().get(), request, &updated);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::ABORTED);
  update->clear_etag();
  update->mutable_images(0)->set_sha256("abc");
  status = stub_->UpdateProduct(Context().get(), request, &updated);
  EXPECT_EQ(status.error_message(), "product.images[0].sha256: must be 64 hex digits (SHA-256 of the image)");
  update->mutable_images(0)->set_sha256(std::string(64, 'b'));
  update->mutable_images(0)->set_uri("http://insecure.example/x.jpg");
  status = stub_->UpdateProduct(Context().get(), request, &updated);
  EXPECT_EQ(status.error_message(), "product.images[0].uri: must be an https URL of at most 2000 bytes");
  EXPECT_EQ(Current().images(0).sha256(), std::string(64, 'a'));  // nothing stored by the refused ones

  // Products are searchable by name words, without diacritics.
  v1::ListProductsRequest search;
  search.set_query("che tan cuong dac biet");
  v1::ListProductsResponse found;
  ASSERT_TRUE(stub_->ListProducts(Context().get(), search, &found).ok());
  ASSERT_EQ(found.products_size(), 1);
  EXPECT_EQ(found.products(0).external_id(), "TN-SP-0001");
  search.set_query("mat ong");
  ASSERT_TRUE(stub_->ListProducts(Context().get(), search, &found).ok());
  EXPECT_EQ(found.products_size(), 0);
}

}  // namespace
}  // namespace ocop::registry
