// The batch service's tables (lots, growing areas, seasons, genealogy, hash-chained events) with
// the outbox, idempotency keys and audit trail, as one migration list per store engine. The
// queries are in sql_batch_repository.cc and sql_batch_events.cc.
#pragma once

#include "common/store/database.h"

namespace ocop::batch {

const store::Schema& BatchSchema();

}  // namespace ocop::batch
