// The registry's storage on either store engine (SQLite or PostgreSQL; common/store). The tables
// are in registry_schema.h.
#pragma once

#include <memory>

#include "common/store/database.h"
#include "common/store/outbox.h"
#include "services/registry/registry_repository.h"

namespace ocop::registry {

class SqlRegistryRepository final : public RegistryRepository {
 public:
  // Opens (and migrates) the store at `location`: a SQLite file path or a postgresql:// URL.
  static absl::StatusOr<std::unique_ptr<SqlRegistryRepository>> Open(const std::string& location,
                                                                     const store::StoreOptions& options = {});

  absl::Status LoadAdminUnits(const AdminUnitTables& tables) override;
  absl::StatusOr<UnitResolution> ResolveUnits(const std::string& version, const std::string& province_code,
                                              const std::string& commune_code) override;
  absl::StatusOr<Producer> CreateProducer(const Producer& producer, const store::IdempotencyKey& key) override;
  absl::StatusOr<Producer> UpdateProducer(const Producer& producer, int64_t expected_generation) override;
  absl::StatusOr<Producer> GetProducer(const std::string& name) override;
  absl::StatusOr<Page<Producer>> ListProducers(const ProducerFilter& filter, int64_t after_position,
                                               int limit) override;
  absl::StatusOr<Product> CreateProduct(const Product& product, const std::optional<StatusChange>& status,
                                        const store::IdempotencyKey& key) override;
  absl::StatusOr<Product> UpdateProduct(const Product& product, int64_t expected_generation,
                                        const std::optional<StatusChange>& status) override;
  absl::StatusOr<Product> GetProduct(const std::string& name) override;
  absl::StatusOr<Page<Product>> ListProducts(const ProductFilter& filter, int64_t after_position,
                                             int limit) override;
  absl::StatusOr<OcopRating> AddRating(const std::string& product, const OcopRating& rating,
                                       const store::IdempotencyKey& key) override;
  absl::StatusOr<Page<OcopRating>> ListRatings(const std::string& product, int64_t after_position,
                                               int limit) override;

  absl::StatusOr<ImportLookup> LookUpForImport(const std::vector<std::string>& producer_external_ids,
                                               const std::vector<std::string>& product_external_ids) override;
  absl::Status ApplyImport(const ImportBatch& batch) override;

  absl::StatusOr<std::vector<CertifiedReportRow>> CountCertifiedProducts(
      const std::string& as_of, const std::string& province_code,
      const std::vector<ReportDimension>& group_by) override;
  absl::StatusOr<std::vector<ProducerReportRow>> CountProducers(const std::string& as_of,
                                                               const std::string& province_code,
                                                               bool include_uncertified) override;
  absl::StatusOr<std::vector<ExpiringCertificate>> ListExpiring(const std::string& as_of, const std::string& last_day,
                                                               const std::string& province_code, int64_t offset,
                                                               int limit) override;
  absl::StatusOr<int64_t> CountFirstRatedWithin(const std::string& province_code, int min_stars,
                                                const std::string& from, const std::string& to) override;
  absl::StatusOr<ProvincePlan> SavePlan(const ProvincePlan& plan, absl::Time when) override;
  absl::StatusOr<ProvincePlan> GetPlan(const std::string& name) override;

  store::Database* database() { return database_.get(); }
  store::ChangeNotifier* notifier() { return &notifier_; }

 private:
  explicit SqlRegistryRepository(std::unique_ptr<store::Database> database)
      : database_(std::move(database)) {}
  // Declared first: the database's change listener signals it until the database is gone.
  store::ChangeNotifier notifier_;
  std::unique_ptr<store::Database> database_;
};

}  // namespace ocop::registry
