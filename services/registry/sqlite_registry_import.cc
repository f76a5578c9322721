// SqliteRegistryRepository: bulk import in one transaction.
#include "common/status/status_macros.h"
#include "services/registry/sqlite_registry_internal.h"
#include "services/registry/sqlite_registry_repository.h"

namespace ocop::registry {

absl::StatusOr<std::optional<Producer>> SqliteRegistryRepository::FindProducerByExternalId(
    const std::string& external_id) {
  std::optional<Producer> producer;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(producer, sqlite_internal::FindProducerByExternalId(connection, external_id));
    return absl::OkStatus();
  }));
  return producer;
}

absl::StatusOr<std::optional<Product>> SqliteRegistryRepository::FindProductByExternalId(
    const std::string& external_id) {
  std::optional<Product> product;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(product, sqlite_internal::FindProductByExternalId(connection, external_id));
    return absl::OkStatus();
  }));
  return product;
}

absl::StatusOr<std::vector<OcopRating>> SqliteRegistryRepository::RatingsOf(const std::string& product) {
  std::vector<OcopRating> ratings;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(ratings, sqlite_internal::RatingsOf(connection, product));
    return absl::OkStatus();
  }));
  return ratings;
}

absl::Status SqliteRegistryRepository::ApplyImport(const ImportBatch& batch) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    for (const Producer& producer : batch.new_producers) {
      OCOP_RETURN_IF_ERROR(sqlite_internal::InsertProducerRow(connection, producer));
    }
    for (const auto& [producer, expected_generation] : batch.changed_producers) {
      OCOP_RETURN_IF_ERROR(sqlite_internal::UpdateProducerRow(connection, producer, expected_generation));
    }
    for (const ImportBatch::NewProduct& created : batch.new_products) {
      OCOP_RETURN_IF_ERROR(sqlite_internal::InsertProductRow(connection, created.product, created.status));
    }
    for (const ImportBatch::ChangedProduct& changed : batch.changed_products) {
      OCOP_RETURN_IF_ERROR(
          sqlite_internal::UpdateProductRow(connection, changed.product, changed.expected_generation, changed.status));
    }
    for (const auto& [product, rating] : batch.new_ratings) {
      OCOP_RETURN_IF_ERROR(sqlite_internal::AppendRatingRow(connection, product, rating).status());
    }
    return absl::OkStatus();
  }));
  notifier_.Notify();
  return absl::OkStatus();
}

}  // namespace ocop::registry
