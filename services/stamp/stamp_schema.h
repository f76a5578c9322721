// The stamp service's tables (rolls, range states and operations, renders and reprint orders, PIN
// tries, scan history, copy-flag clearances) with the outbox, idempotency keys and audit trail,
// as one migration list per store engine. The queries are in sql_stamp_repository.cc and
// sql_scan_repository.cc.
#pragma once

#include "common/store/database.h"

namespace ocop::stamp {

const store::Schema& StampSchema();

}  // namespace ocop::stamp
