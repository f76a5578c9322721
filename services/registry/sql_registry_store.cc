#include "services/registry/sql_registry_store.h"

#include "common/status/status_macros.h"
#include "services/registry/registry_schema.h"
#include "services/registry/sql_registry_internal.h"

namespace ocop::registry {

SqlRegistryStore::SqlRegistryStore(std::unique_ptr<store::Database> database)
    : database_(std::move(database)),
      units_(database_.get()),
      producers_(database_.get(), &notifier_),
      products_(database_.get(), &notifier_),
      imports_(database_.get(), &notifier_),
      reports_(database_.get(), &notifier_),
      sales_points_(database_.get()),
      product_ideas_(database_.get()) {
  database_->ListenForChanges(&notifier_);
}

absl::StatusOr<std::unique_ptr<SqlRegistryStore>> SqlRegistryStore::Open(const std::string& location,
                                                                         const store::StoreOptions& options) {
  OCOP_ASSIGN_OR_RETURN(std::unique_ptr<store::Database> database,
                        store::Database::Open(location, RegistrySchema(), options));
  database->EnableAudit();
  // Records stored before search existed get their folded text (folding needs ICU, not SQL).
  OCOP_RETURN_IF_ERROR(database->Transact([](store::Connection& connection) -> absl::Status {
    OCOP_RETURN_IF_ERROR(sql_internal::BackfillProducerSearch(connection));
    return sql_internal::BackfillProductSearch(connection);
  }));
  return std::unique_ptr<SqlRegistryStore>(new SqlRegistryStore(std::move(database)));
}

}  // namespace ocop::registry
