// The registry service over real gRPC on a loopback port, with a real SQLite file.
#include <gtest/gtest.h>

#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"

namespace ocop::registry {
namespace {

using ::ocop::testing::Context;
using ::ocop::testing::IsOk;
using ::ocop::testing::TeaCooperative;

class RegistryServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Restart(); }

  void Restart() {
    harness_.reset();
    auto harness = ocop::testing::RegistryHarness::Start(dir_.File("registry.db"));
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
      rating->set_valid_until("2028-06-30");
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
  std::unique_ptr<ocop::testing::RegistryHarness> harness_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
};

TEST_F(RegistryServiceTest, CreateThenGetReturnsTheStoredProducer) {
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

TEST_F(RegistryServiceTest, EmptyNameIsRefusedNamingTheFieldAndStoresNothing) {
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

TEST_F(RegistryServiceTest, RetriedCreateIsAppliedOnceAndAReusedIdWithAnotherBodyIsRefused) {
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

TEST_F(RegistryServiceTest, ProductNeedsAnExistingProducerAndConsistentStars) {
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
  request.mutable_product()->mutable_rating()->set_valid_until("2028-01-01");
  status = stub_->CreateProduct(Context().get(), request, &product);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "product.rating.stars: a score of 69 gives 3 stars, not 4");
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

TEST_F(RegistryServiceTest, ListFiltersByProvinceGroupAndStarsAndPages) {
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

TEST_F(RegistryServiceTest, DataSurvivesARestart) {
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

TEST_F(RegistryServiceTest, WatchChangesStreamsEveryCreateInOrder) {
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

TEST_F(RegistryServiceTest, GetUnknownOrMalformedNames) {
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

TEST_F(RegistryServiceTest, AnOldAddressKeepsItsCodesAndResolvesToTodaysUnits) {
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

TEST_F(RegistryServiceTest, UnitCodesAreCheckedAgainstTheirTable) {
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

TEST_F(RegistryServiceTest, SearchIgnoresCaseAndDiacritics) {
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

TEST_F(RegistryServiceTest, UpdateWithEtagReplacesFieldsAndRefusesAStaleVersion) {
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

TEST_F(RegistryServiceTest, TaxCodeAndExternalIdAreValidatedAndUnique) {
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

}  // namespace
}  // namespace ocop::registry
