// Products and their OCOP ratings: validates them, applies the rating bands and council rules, and
// keeps ratings append-only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "services/registry/producer_repository.h"
#include "services/registry/product_repository.h"
#include "services/registry/ratings.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

class Products {
 public:
  // Repositories and rules are not owned; `producers` answers who owns a product's producer.
  // `issuer` prefixes new ids (may be empty).
  Products(ProductRepository* repository, ProducerRepository* producers, const CouncilRules* rules,
           std::function<absl::Time()> clock, std::string issuer)
      : repository_(repository), producers_(producers), rules_(rules), clock_(std::move(clock)),
        issuer_(std::move(issuer)) {}

  // As Producers::CreateProducer; NOT_FOUND when product.producer does not exist. product.rating,
  // when set, is checked like AddRating and becomes the first rating.
  absl::StatusOr<Product> CreateProduct(const Actor& actor, Product product, const std::string& request_id,
                                        const std::string& request_fingerprint);
  // As Producers::UpdateProducer, for the product fields (not the producer or the ratings).
  absl::StatusOr<Product> UpdateProduct(const Actor& actor, const Product& update,
                                        const std::vector<std::string>& field_paths, const std::string& etag);
  // Products come with their current rating and its state today.
  absl::StatusOr<Product> GetProduct(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<Product>> ListProducts(const Actor& actor, ProductFilter filter, const PageRequest& page);

  // Appends a rating to `product` (see PrepareRating for the checks); idempotent by request_id.
  absl::StatusOr<OcopRating> AddRating(const Actor& actor, const std::string& product, OcopRating rating,
                                       const std::string& request_id, const std::string& request_fingerprint);
  absl::StatusOr<Page<OcopRating>> ListRatings(const Actor& actor, const std::string& product,
                                               const PageRequest& page);
  const CouncilRules& council_rules() const { return *rules_; }

  // For feed scopes (auth::FeedScope): the producer a change is about (a producer or a product;
  // NOT_FOUND for any other entity).
  absl::StatusOr<std::string> ProducerOfChange(const std::string& entity, const std::string& name);

 private:
  absl::CivilDay Today() const { return VietnamDay(clock_()); }
  void FillRatingState(Product& product) const;

  ProductRepository* repository_;
  ProducerRepository* producers_;
  const CouncilRules* rules_;
  std::function<absl::Time()> clock_;
  std::string issuer_;
};

// The product's etag: opaque to callers, changes on every update.
std::string ProductEtag(const Product& product);

}  // namespace ocop::registry
