#include "services/registry/registry.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"

namespace ocop::registry {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

absl::Status ValidateProducer(const Producer& producer) {
  OCOP_RETURN_IF_ERROR(validate::Text("producer.display_name", producer.display_name, 300, true));
  if (producer.kind == ProducerKind::kUnspecified) {
    return absl::InvalidArgumentError("producer.kind: must be set");
  }
  OCOP_RETURN_IF_ERROR(validate::DigitCode("producer.address.province_code", producer.address.province_code, 2));
  OCOP_RETURN_IF_ERROR(validate::DigitCode("producer.address.commune_code", producer.address.commune_code, 5));
  OCOP_RETURN_IF_ERROR(validate::Text("producer.address.street", producer.address.street, 300, false));
  OCOP_RETURN_IF_ERROR(validate::Text("producer.address.commune_name", producer.address.commune_name, 200, false));
  OCOP_RETURN_IF_ERROR(validate::Text("producer.address.province_name", producer.address.province_name, 200, false));
  OCOP_RETURN_IF_ERROR(validate::Text("producer.address.district_name", producer.address.district_name, 200, false));
  for (char c : producer.phone) {
    if (!(c >= '0' && c <= '9') && c != '+' && c != ' ' && c != '.' && c != '-') {
      return absl::InvalidArgumentError("producer.phone: only digits, '+', ' ', '.' and '-' are allowed");
    }
  }
  return validate::Text("producer.phone", producer.phone, 20, false);
}

absl::Status ValidateProduct(const Product& product) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("product.producer", product.producer, "producers"));
  OCOP_RETURN_IF_ERROR(validate::Text("product.display_name", product.display_name, 300, true));
  if (product.group == ProductGroup::kUnspecified) {
    return absl::InvalidArgumentError("product.group: must be set");
  }
  OCOP_RETURN_IF_ERROR(validate::Text("product.description", product.description, 4000, false));
  if (!product.gtin.empty()) OCOP_RETURN_IF_ERROR(validate::Gtin("product.gtin", product.gtin).status());
  if (product.rating.has_value()) {
    const OcopRating& rating = *product.rating;
    if (rating.score < 0 || rating.score > 100) {
      return absl::InvalidArgumentError("product.rating.score: must be between 0 and 100");
    }
    if (rating.stars != StarsForScore(rating.score)) {
      return absl::InvalidArgumentError(absl::StrCat("product.rating.stars: a score of ", rating.score,
                                                     " gives ", StarsForScore(rating.score),
                                                     " stars, not ", rating.stars));
    }
    OCOP_RETURN_IF_ERROR(validate::Text("product.rating.certificate_number", rating.certificate_number, 100, true));
    OCOP_RETURN_IF_ERROR(validate::Date("product.rating.valid_until", rating.valid_until).status());
  }
  return absl::OkStatus();
}

store::IdempotencyKey Key(const Actor& actor, const char* method, const std::string& request_id,
                          const std::string& fingerprint) {
  return store::IdempotencyKey{actor.subject, method, request_id, fingerprint};
}

}  // namespace

int StarsForScore(int score) {
  if (score >= 90) return 5;
  if (score >= 70) return 4;
  if (score >= 50) return 3;
  if (score >= 30) return 2;
  return 1;
}

absl::StatusOr<Producer> Registry::CreateProducer(const Actor& actor, Producer producer,
                                                  const std::string& request_id,
                                                  const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_RETURN_IF_ERROR(ValidateProducer(producer));
  producer.name = absl::StrCat("producers/", validate::NewId(issuer_));
  producer.create_time = clock_();
  return repository_->CreateProducer(producer, Key(actor, "CreateProducer", request_id, request_fingerprint));
}

absl::StatusOr<Producer> Registry::GetProducer(const Actor&, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "producers"));
  return repository_->GetProducer(name);
}

absl::StatusOr<Page<Producer>> Registry::ListProducers(const Actor&, const ProducerFilter& filter,
                                                       const PageRequest& page) {
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, kDefaultPageSize, kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  if (!filter.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("province_code", filter.province_code, 2));
  }
  return repository_->ListProducers(filter, after, size);
}

absl::StatusOr<Product> Registry::CreateProduct(const Actor& actor, Product product,
                                                const std::string& request_id,
                                                const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_RETURN_IF_ERROR(ValidateProduct(product));
  if (!product.gtin.empty()) product.gtin = *validate::Gtin("product.gtin", product.gtin);
  product.name = absl::StrCat("products/", validate::NewId(issuer_));
  product.create_time = clock_();
  return repository_->CreateProduct(product, Key(actor, "CreateProduct", request_id, request_fingerprint));
}

absl::StatusOr<Product> Registry::GetProduct(const Actor&, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "products"));
  return repository_->GetProduct(name);
}

absl::StatusOr<Page<Product>> Registry::ListProducts(const Actor&, const ProductFilter& filter,
                                                     const PageRequest& page) {
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, kDefaultPageSize, kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  if (!filter.producer.empty()) {
    OCOP_RETURN_IF_ERROR(validate::ResourceName("producer", filter.producer, "producers"));
  }
  if (!filter.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("province_code", filter.province_code, 2));
  }
  if (filter.stars < 0 || filter.stars > 5) {
    return absl::InvalidArgumentError("stars: must be between 0 (any) and 5");
  }
  return repository_->ListProducts(filter, after, size);
}

}  // namespace ocop::registry
