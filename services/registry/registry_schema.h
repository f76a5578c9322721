// The registry service's tables: those of its three repositories (producers, products, ratings,
// units and plans: sql_registry_store.h; the evaluation workflow:
// sql_evaluation_repository.h; identity: sql_identity_repository.h), which share one database,
// with the outbox, idempotency keys and audit trail. One migration list per store engine.
#pragma once

#include "common/store/database.h"

namespace ocop::registry {

const store::Schema& RegistrySchema();

}  // namespace ocop::registry
