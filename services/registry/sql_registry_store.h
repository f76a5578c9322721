// The registry's storage on either store engine (SQLite or PostgreSQL; common/store): one
// repository per part of the registry, all over one database. The tables are in registry_schema.h.
#pragma once

#include <memory>

#include "common/store/database.h"
#include "common/store/outbox.h"
#include "services/registry/import_repository.h"
#include "services/registry/producer_repository.h"
#include "services/registry/product_repository.h"
#include "services/registry/report_repository.h"
#include "services/registry/product_idea_repository.h"
#include "services/registry/sales_point_repository.h"
#include "services/registry/unit_repository.h"

namespace ocop::registry {

// sql_unit_repository.cc
class SqlUnitRepository final : public UnitRepository {
 public:
  explicit SqlUnitRepository(store::Database* database) : database_(database) {}
  absl::Status LoadAdminUnits(const AdminUnitTables& tables) override;
  absl::StatusOr<UnitResolution> ResolveUnits(const std::string& version, const std::string& province_code,
                                              const std::string& commune_code) override;
  absl::StatusOr<std::optional<UnitRecord>> FindUnit(const std::string& version, UnitLevel level,
                                                     const std::string& code) override;
  absl::StatusOr<std::string> ProvinceToday(const std::string& old_province_code) override;

 private:
  store::Database* database_;
};

// sql_producer_repository.cc. Writes signal `notifier` (the change feed's wake-up).
class SqlProducerRepository final : public ProducerRepository {
 public:
  SqlProducerRepository(store::Database* database, store::ChangeNotifier* notifier)
      : database_(database), notifier_(notifier) {}
  absl::StatusOr<Producer> CreateProducer(const Producer& producer, const store::IdempotencyKey& key) override;
  absl::StatusOr<Producer> UpdateProducer(const Producer& producer, int64_t expected_generation) override;
  absl::StatusOr<Producer> GetProducer(const std::string& name) override;
  absl::StatusOr<Page<Producer>> ListProducers(const ProducerFilter& filter, int64_t after_position,
                                               int limit) override;

 private:
  store::Database* database_;
  store::ChangeNotifier* notifier_;
};

// sql_product_repository.cc
class SqlProductRepository final : public ProductRepository {
 public:
  SqlProductRepository(store::Database* database, store::ChangeNotifier* notifier)
      : database_(database), notifier_(notifier) {}
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

 private:
  store::Database* database_;
  store::ChangeNotifier* notifier_;
};

// sql_import_repository.cc
class SqlImportRepository final : public ImportRepository {
 public:
  SqlImportRepository(store::Database* database, store::ChangeNotifier* notifier)
      : database_(database), notifier_(notifier) {}
  absl::StatusOr<ImportLookup> LookUpForImport(const std::vector<std::string>& producer_external_ids,
                                               const std::vector<std::string>& product_external_ids) override;
  absl::Status ApplyImport(const ImportBatch& batch) override;

 private:
  store::Database* database_;
  store::ChangeNotifier* notifier_;
};

// sql_report_repository.cc
class SqlReportRepository final : public ReportRepository {
 public:
  SqlReportRepository(store::Database* database, store::ChangeNotifier* notifier)
      : database_(database), notifier_(notifier) {}
  absl::StatusOr<std::vector<CertifiedReportRow>> CountCertifiedProducts(
      const std::string& as_of, const UnitScope& scope, const std::vector<ReportDimension>& group_by) override;
  absl::StatusOr<std::vector<ProducerReportRow>> CountProducers(const std::string& as_of,
                                                               const UnitScope& scope,
                                                               bool include_uncertified) override;
  absl::StatusOr<std::vector<ExpiringCertificate>> ListExpiring(const std::string& as_of, const std::string& last_day,
                                                               const UnitScope& scope, int64_t offset,
                                                               int limit) override;
  absl::StatusOr<int64_t> CountFirstRatedWithin(const UnitScope& scope, int min_stars,
                                                const std::string& from, const std::string& to) override;
  absl::StatusOr<DecisionCounts> CountCertificatesDecided(const UnitScope& scope, const std::string& from,
                                                         const std::string& to) override;
  absl::StatusOr<std::vector<std::string>> ListCertifiedProducts(const std::string& as_of, const UnitScope& scope,
                                                                 int min_stars) override;
  absl::StatusOr<ReRatingCounts> CountReRatedWithin(const UnitScope& scope, const std::string& from,
                                                    const std::string& to) override;
  absl::StatusOr<int64_t> CountProducersFirstCertifiedWithin(const UnitScope& scope, const std::string& from,
                                                             const std::string& to) override;
  absl::StatusOr<int64_t> CountSalesPointsWithin(const UnitScope& scope, const std::string& from,
                                                 const std::string& to, SalesPointTier tier, bool upgrades) override;
  absl::StatusOr<ProvincePlan> SavePlan(const ProvincePlan& plan, absl::Time when) override;
  absl::StatusOr<ProvincePlan> GetPlan(const std::string& name) override;

 private:
  store::Database* database_;
  store::ChangeNotifier* notifier_;
};

// sql_sales_point_repository.cc
class SqlSalesPointRepository final : public SalesPointRepository {
 public:
  explicit SqlSalesPointRepository(store::Database* database) : database_(database) {}
  absl::StatusOr<SalesPoint> SaveSalesPoint(const SalesPoint& point) override;
  absl::StatusOr<SalesPoint> GetSalesPoint(const std::string& name) override;
  absl::StatusOr<Page<SalesPoint>> ListSalesPoints(const SalesPointFilter& filter, int64_t offset,
                                                   int limit) override;

 private:
  store::Database* database_;
};

// sql_product_idea_repository.cc
class SqlProductIdeaRepository final : public ProductIdeaRepository {
 public:
  explicit SqlProductIdeaRepository(store::Database* database) : database_(database) {}
  absl::StatusOr<ProductIdea> SaveProductIdea(const ProductIdea& idea) override;
  absl::StatusOr<ProductIdea> GetProductIdea(const std::string& name) override;
  absl::StatusOr<Page<ProductIdea>> ListProductIdeas(const ProductIdeaFilter& filter, int64_t offset,
                                                     int limit) override;

 private:
  store::Database* database_;
};

// The registry's database with its repositories. Other parts of the registry process (evaluation,
// identity, audit, the change feed) share database() and notifier().
class SqlRegistryStore {
 public:
  // Opens (and migrates) the store at `location`: a SQLite file path or a postgresql:// URL.
  static absl::StatusOr<std::unique_ptr<SqlRegistryStore>> Open(const std::string& location,
                                                                const store::StoreOptions& options = {});

  store::Database* database() { return database_.get(); }
  store::ChangeNotifier* notifier() { return &notifier_; }
  UnitRepository* units() { return &units_; }
  ProducerRepository* producers() { return &producers_; }
  ProductRepository* products() { return &products_; }
  ImportRepository* imports() { return &imports_; }
  ReportRepository* reports() { return &reports_; }
  SalesPointRepository* sales_points() { return &sales_points_; }
  ProductIdeaRepository* product_ideas() { return &product_ideas_; }

 private:
  explicit SqlRegistryStore(std::unique_ptr<store::Database> database);
  // Declared first: the database's change listener signals it until the database is gone.
  store::ChangeNotifier notifier_;
  std::unique_ptr<store::Database> database_;
  SqlUnitRepository units_;
  SqlProducerRepository producers_;
  SqlProductRepository products_;
  SqlImportRepository imports_;
  SqlReportRepository reports_;
  SqlSalesPointRepository sales_points_;
  SqlProductIdeaRepository product_ideas_;
};

}  // namespace ocop::registry
