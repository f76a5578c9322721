// Lookup's Prometheus metrics (docs/operations.md): scans by verdict, the view cache's hits per
// entity and level, and the public HTTP routes. Counters are found once and kept, so counting a
// scan takes no lock.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "ocop/lookup/v1/lookup.pb.h"

namespace ocop::lookup {

// One scanned code resolved to `verdict` (ocop_lookup_scans_total{verdict="genuine"}).
void CountVerdict(v1::Verdict verdict);
// One scanned code that got no verdict: "unreadable" (INVALID_ARGUMENT), "cannot_check"
// (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED: the page says so) or "error".
void CountResolveFailure(const absl::Status& status);

// Where a view was found: in this process's memory, in Redis, or fetched from its backend.
enum class CacheLevel { kMemory, kRedis, kBackend };
// One view looked up by its cache key ("batch:batches/x"); the entity is the key's prefix.
void CountCacheLookup(std::string_view key, CacheLevel level);

// One HTTP request answered with `status` after `elapsed`, by route (the path's first segments).
void CountHttpRequest(std::string_view target, int status, absl::Duration elapsed);

}  // namespace ocop::lookup
