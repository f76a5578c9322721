// SqlImportRepository: bulk import in one transaction.
#include <cstdio>

#include "common/status/status_macros.h"
#include "common/log/log.h"
#include "services/registry/sql_registry_internal.h"
#include "services/registry/sql_registry_store.h"

namespace ocop::registry {

absl::StatusOr<ImportLookup> SqlImportRepository::LookUpForImport(
    const std::vector<std::string>& producer_external_ids, const std::vector<std::string>& product_external_ids) {
  ImportLookup found;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    for (const std::string& external_id : producer_external_ids) {
      if (found.producers.count(external_id) > 0) continue;
      OCOP_ASSIGN_OR_RETURN(std::optional<Producer> producer,
                            sql_internal::FindProducerByExternalId(connection, external_id));
      if (producer.has_value()) found.producers.emplace(external_id, std::move(*producer));
    }
    for (const std::string& external_id : product_external_ids) {
      if (found.products.count(external_id) > 0) continue;
      OCOP_ASSIGN_OR_RETURN(std::optional<Product> product,
                            sql_internal::FindProductByExternalId(connection, external_id));
      if (!product.has_value()) continue;
      OCOP_ASSIGN_OR_RETURN(found.ratings[external_id], sql_internal::RatingsOf(connection, product->name));
      found.products.emplace(external_id, std::move(*product));
    }
    return absl::OkStatus();
  }));
  return found;
}

namespace {
// Imports this large refresh PostgreSQL's planner statistics at once.
constexpr size_t kAnalyzeAfterImportRows = 1000;
}  // namespace

absl::Status SqlImportRepository::ApplyImport(const ImportBatch& batch) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    for (const Producer& producer : batch.new_producers) {
      OCOP_RETURN_IF_ERROR(sql_internal::InsertProducerRow(connection, producer));
    }
    for (const auto& [producer, expected_generation] : batch.changed_producers) {
      OCOP_RETURN_IF_ERROR(sql_internal::UpdateProducerRow(connection, producer, expected_generation));
    }
    for (const ImportBatch::NewProduct& created : batch.new_products) {
      OCOP_RETURN_IF_ERROR(sql_internal::InsertProductRow(connection, created.product, created.status));
    }
    for (const ImportBatch::ChangedProduct& changed : batch.changed_products) {
      OCOP_RETURN_IF_ERROR(
          sql_internal::UpdateProductRow(connection, changed.product, changed.expected_generation, changed.status));
    }
    for (const auto& [product, rating] : batch.new_ratings) {
      OCOP_RETURN_IF_ERROR(sql_internal::AppendRatingRow(connection, product, rating).status());
    }
    return absl::OkStatus();
  }));
  notifier_->Notify();
  // PostgreSQL plans queries from table statistics, which autovacuum refreshes only a minute or so
  // after a bulk load: until then the reports plan for empty tables and run 8 times slower
  // (bench_registry). SQLite plans from its indexes alone.
  const size_t rows = batch.new_producers.size() + batch.changed_producers.size() + batch.new_products.size() +
                      batch.changed_products.size() + batch.new_ratings.size();
  if (database_->dialect() == store::Dialect::kPostgresql && rows >= kAnalyzeAfterImportRows) {
    absl::Status analyzed = database_->Transact([](store::Connection& connection) {
      return connection.Execute("ANALYZE producers, products, ratings, product_statuses");
    });
    // The import is committed; stale statistics only slow reports until autovacuum catches up.
    if (!analyzed.ok()) logs::Warning("ANALYZE after import failed", {{"error", analyzed}});
  }
  return absl::OkStatus();
}

}  // namespace ocop::registry
