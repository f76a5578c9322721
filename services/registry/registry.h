// Registry domain logic: validates producers, products and ratings, assigns names, and applies
// the programme's rules (unit tables, rating bands and council rules, append-only ratings).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "common/store/idempotency.h"
#include "services/registry/import_types.h"
#include "services/registry/ratings.h"
#include "services/registry/registry_repository.h"
#include "services/registry/registry_types.h"
#include "services/registry/report_types.h"

namespace ocop::registry {

struct PageRequest {
  int page_size = 0;
  std::string page_token;
};

class Registry {
 public:
  // `repository` is not owned. `issuer` prefixes new ids (may be empty).
  Registry(RegistryRepository* repository, CouncilRules rules, std::function<absl::Time()> clock, std::string issuer)
      : repository_(repository), rules_(std::move(rules)), clock_(std::move(clock)), issuer_(std::move(issuer)) {}

  // INVALID_ARGUMENT naming the field for a bad producer; ALREADY_EXISTS for a request_id reused
  // with another body. `request_fingerprint` identifies the request body.
  absl::StatusOr<Producer> CreateProducer(const Actor& actor, Producer producer,
                                          const std::string& request_id,
                                          const std::string& request_fingerprint);
  // Replaces the fields named in `field_paths` (all when empty) of producer `update.name`. ABORTED
  // when `etag` is set and no longer current. Writes nothing (and emits no change) when the result
  // equals the stored producer, so a retried or repeated update is harmless.
  absl::StatusOr<Producer> UpdateProducer(const Actor& actor, const Producer& update,
                                          const std::vector<std::string>& field_paths, const std::string& etag);
  absl::StatusOr<Producer> GetProducer(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<Producer>> ListProducers(const Actor& actor, ProducerFilter filter,
                                               const PageRequest& page);

  // As CreateProducer; NOT_FOUND when product.producer does not exist. product.rating, when set,
  // is checked like AddRating and becomes the first rating.
  absl::StatusOr<Product> CreateProduct(const Actor& actor, Product product,
                                        const std::string& request_id,
                                        const std::string& request_fingerprint);
  // As UpdateProducer, for the product fields (not the producer or the ratings).
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
  const CouncilRules& council_rules() const { return rules_; }

  // Bulk import (registry_import.cc): checks every row first; when all are good (and not
  // `validate_only`) writes them in one transaction. Bad rows are listed in the result, which is
  // then not applied; an error status is for failures of the registry itself.
  absl::StatusOr<ImportResult> Import(const Actor& actor, std::vector<ImportProducerRow> producers,
                                      std::vector<ImportProductRow> products, bool validate_only);

  // Reports (registry_reports.cc). `as_of` is "YYYY-MM-DD", empty for today (Vietnam time);
  // `province_code` empty for all provinces.
  absl::StatusOr<CertifiedReport> ReportCertifiedProducts(const Actor& actor, const std::string& as_of,
                                                          const std::string& province_code,
                                                          const std::vector<ReportDimension>& group_by);
  absl::StatusOr<ProducersReport> ReportProducers(const Actor& actor, const std::string& as_of,
                                                  const std::string& province_code, bool include_uncertified);
  // Certificates valid on as_of that end within `within_days` days, soonest first.
  absl::StatusOr<Page<ExpiringCertificate>> ListExpiringCertificates(const Actor& actor, const std::string& as_of,
                                                                     int within_days, const std::string& province_code,
                                                                     const PageRequest& page);
  // Creates or replaces a province plan after checking it.
  absl::StatusOr<ProvincePlan> SetPlan(const Actor& actor, ProvincePlan plan);

  // For feed scopes (auth::FeedScope): the producer a change is about (a producer or a product;
  // NOT_FOUND for any other entity), and a producer's province.
  absl::StatusOr<std::string> ProducerOfChange(const std::string& entity, const std::string& name);
  absl::StatusOr<std::string> ProvinceOf(const std::string& producer);
  absl::StatusOr<PlanProgress> GetPlanProgress(const Actor& actor, const std::string& name, const std::string& as_of);

 private:
  // OK when `actor` may change `resource`, which belongs to `producer` (auth::CheckOwner; an office
  // is checked against the producer's province).
  absl::Status CheckOwner(const Actor& actor, const std::string& resource, const std::string& producer);
  // Checks the address's codes against its unit table, fills the official names and today's units.
  absl::Status ResolveAddress(Address& address);
  absl::CivilDay Today() const { return VietnamDay(clock_()); }
  // `as_of` checked (naming the field "as_of"), or today when empty.
  absl::StatusOr<std::string> ReportDay(const std::string& as_of) const;
  void FillRatingState(Product& product) const;

  RegistryRepository* repository_;
  CouncilRules rules_;
  std::function<absl::Time()> clock_;
  std::string issuer_;
};

// The producer's etag: opaque to callers, changes on every update.
std::string ProducerEtag(const Producer& producer);
// The product's etag, likewise.
std::string ProductEtag(const Product& product);

}  // namespace ocop::registry
