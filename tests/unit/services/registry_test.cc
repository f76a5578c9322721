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
  elsewhere_proto.mutable_address()->set_province_code("25");
  elsewhere_proto.mutable_address()->set_commune_code("07210");
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

}  // namespace
}  // namespace ocop::registry
