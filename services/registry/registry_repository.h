// Storage interface of the registry: the domain talks to this, so a PostgreSQL backend can replace
// the SQLite one without touching the domain.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/idempotency.h"
#include "services/registry/admin_units.h"
#include "services/registry/registry_types.h"
#include "services/registry/report_types.h"

namespace ocop::registry {

// What the unit table says about an address's codes.
struct UnitResolution {
  bool province_found = false;
  bool commune_found = false;
  std::string province_name;
  std::string commune_name;
  std::string commune_province_code;  // the province the commune belongs to in that version
  std::string district_name;          // communes before the merger
  std::string current_province_code;  // today's units; empty when unknown
  std::string current_commune_code;
};

// A change of a product's status, effective from a day.
struct StatusChange {
  ProductStatus status = ProductStatus::kActive;
  std::string effective_date;  // YYYY-MM-DD
  std::string recorded_by;
  absl::Time record_time;
};

// What a bulk import writes, all in one transaction.
struct ImportBatch {
  struct NewProduct {
    Product product;  // product.rating: its first rating, if any
    std::optional<StatusChange> status;
  };
  struct ChangedProduct {
    Product product;
    int64_t expected_generation = 0;
    std::optional<StatusChange> status;
  };
  std::vector<Producer> new_producers;
  std::vector<std::pair<Producer, int64_t>> changed_producers;  // with the generation read
  std::vector<NewProduct> new_products;
  std::vector<ChangedProduct> changed_products;
  std::vector<std::pair<std::string, OcopRating>> new_ratings;  // product name, rating
};

// What an import finds already stored, by external id.
struct ImportLookup {
  std::map<std::string, Producer> producers;
  std::map<std::string, Product> products;
  std::map<std::string, std::vector<OcopRating>> ratings;  // by product external id
};

class RegistryRepository {
 public:
  virtual ~RegistryRepository() = default;

  // Replaces the stored unit tables unless they came from the same source files.
  virtual absl::Status LoadAdminUnits(const AdminUnitTables& tables) = 0;
  // Looks the codes up in unit table `version` and maps them to today's units.
  virtual absl::StatusOr<UnitResolution> ResolveUnits(const std::string& version,
                                                      const std::string& province_code,
                                                      const std::string& commune_code) = 0;

  // Stores `producer` (name already assigned) and a change-feed entry in one transaction. When
  // `key` was used before for the same body, returns the producer created then instead;
  // ALREADY_EXISTS when it was used for another body.
  virtual absl::StatusOr<Producer> CreateProducer(const Producer& producer,
                                                  const store::IdempotencyKey& key) = 0;
  // Replaces the stored producer when its generation is still `expected_generation` (ABORTED
  // otherwise) and records a change; ALREADY_EXISTS naming the field when the external id or tax
  // code belongs to another producer.
  virtual absl::StatusOr<Producer> UpdateProducer(const Producer& producer, int64_t expected_generation) = 0;
  // NOT_FOUND naming the producer when absent.
  virtual absl::StatusOr<Producer> GetProducer(const std::string& name) = 0;
  // Producers matching `filter` created after `after_position`, oldest first, at most `limit`.
  virtual absl::StatusOr<Page<Producer>> ListProducers(const ProducerFilter& filter,
                                                       int64_t after_position, int limit) = 0;

  // As CreateProducer, storing product.rating (if any) as the first rating and `status` (if any)
  // as its first status change; NOT_FOUND naming product.producer when the producer does not exist;
  // ALREADY_EXISTS naming product.external_id when another product holds it.
  virtual absl::StatusOr<Product> CreateProduct(const Product& product, const std::optional<StatusChange>& status,
                                                const store::IdempotencyKey& key) = 0;
  // As UpdateProducer; also records `status` when the status changed.
  virtual absl::StatusOr<Product> UpdateProduct(const Product& product, int64_t expected_generation,
                                                const std::optional<StatusChange>& status) = 0;
  // With its current rating (state not filled).
  virtual absl::StatusOr<Product> GetProduct(const std::string& name) = 0;
  virtual absl::StatusOr<Page<Product>> ListProducts(const ProductFilter& filter,
                                                     int64_t after_position, int limit) = 0;

  // Appends `rating` to `product`'s ratings (its name assigned here), makes the latest decision
  // the product's current rating and records a product change; idempotent by `key`. NOT_FOUND
  // naming parent when the product does not exist.
  virtual absl::StatusOr<OcopRating> AddRating(const std::string& product, const OcopRating& rating,
                                               const store::IdempotencyKey& key) = 0;
  // `product`'s ratings in the order recorded; NOT_FOUND naming parent.
  virtual absl::StatusOr<Page<OcopRating>> ListRatings(const std::string& product, int64_t after_position,
                                                       int limit) = 0;

  // Bulk import: lookups by the office's references, then one transaction for everything. ApplyImport
  // writes all of `batch` or nothing (ABORTED when a record changed since it was read).
  // The stored producers and products with these external ids (absent ones are left out), and
  // the ratings of those products, read in one snapshot.
  virtual absl::StatusOr<ImportLookup> LookUpForImport(const std::vector<std::string>& producer_external_ids,
                                                       const std::vector<std::string>& product_external_ids) = 0;
  virtual absl::Status ApplyImport(const ImportBatch& batch) = 0;

  // Reports. Days are "YYYY-MM-DD"; an empty province means all. See docs/registry.md for what
  // "certified as of a day" means.
  virtual absl::StatusOr<std::vector<CertifiedReportRow>> CountCertifiedProducts(
      const std::string& as_of, const std::string& province_code, const std::vector<ReportDimension>& group_by) = 0;
  // Producers by kind; only OCOP producers (a product certified as_of) unless `include_uncertified`.
  virtual absl::StatusOr<std::vector<ProducerReportRow>> CountProducers(const std::string& as_of,
                                                                       const std::string& province_code,
                                                                       bool include_uncertified) = 0;
  // Certificates valid on `as_of` with their last day on or before `last_day`, soonest first,
  // skipping `offset`.
  virtual absl::StatusOr<std::vector<ExpiringCertificate>> ListExpiring(const std::string& as_of,
                                                                       const std::string& last_day,
                                                                       const std::string& province_code,
                                                                       int64_t offset, int limit) = 0;
  // Products of the province whose first rating with at least `min_stars` stars was decided within
  // [from, to].
  virtual absl::StatusOr<int64_t> CountFirstRatedWithin(const std::string& province_code, int min_stars,
                                                        const std::string& from, const std::string& to) = 0;
  // Creates or replaces the plan.
  virtual absl::StatusOr<ProvincePlan> SavePlan(const ProvincePlan& plan, absl::Time when) = 0;
  // NOT_FOUND naming the plan.
  virtual absl::StatusOr<ProvincePlan> GetPlan(const std::string& name) = 0;
};

}  // namespace ocop::registry
