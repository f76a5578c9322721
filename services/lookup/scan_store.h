// How scan counts are laid out in Redis, and the two Lua scripts that write and read them.
//
// Nearly every scan at a peak is the first scan of its stamp, so the layout is built around a
// stamp-day with one scan from one client: it costs one field in a hash shared by 128 stamps
// ("scan:{day}:{serial / 128}", field "{serial % 128}", value "{count}:{client tag}") rather than
// keys of its own. Only when a second client scans the stamp that day does the day get a
// HyperLogLog of its own ("scan:{serial}:c:{day}", the field then holds the count alone). Redis
// keeps small hashes as one compact allocation, so a first scan costs about 25 bytes of Redis
// memory and one command in the append-only file (it cost two keys of about 150 bytes each and
// four commands). Each day's keys expire a day after the window, so Redis forgets old scans by
// itself. docs/decisions.md (36) says why; docs/privacy.md says what this keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "common/redis/redis_client.h"

namespace ocop::lookup {

// A stamp's scans over the window (the last `window_days` Vietnam days, today included), after
// the day an office cleared its copy flag if it did.
struct ScanCounts {
  int64_t scans = 0;
  int64_t distinct_clients = 0;  // exact up to one client a day, else a HyperLogLog estimate
  int64_t distinct_days = 0;
};

// One stamp's scans on one Vietnam day, as one flush adds them.
struct DayScans {
  uint64_t serial = 0;
  std::string day;  // "YYYY-MM-DD"
  int64_t scans = 0;
  std::vector<std::string> client_tags;  // distinct ScanStore::ClientTag values
};

// A stamp whose counts are wanted, over `days` ("YYYY-MM-DD", oldest first).
struct StampWindow {
  uint64_t serial = 0;
  std::vector<std::string> days;
};

class ScanStore {
 public:
  // `ttl_seconds`: how long a day's keys live after the day's first scan.
  ScanStore(redis::RedisClient* redis, int64_t ttl_seconds);

  // What Add did.
  struct Added {
    bool applied_before = false;  // the batch id was seen: nothing added again
    int64_t failed = 0;           // stamp-days Redis refused while running (a key of the wrong type)
    std::string first_error;
  };
  // Adds `scans` in one script run, at most once per `batch_id`: a retry of a batch whose answer
  // was lost (a timeout after Redis had applied it) is recognised and not counted twice. An error
  // status means nothing was added (Redis unreachable, or out of memory: the script is refused
  // before it starts), so the caller retries with the same id.
  absl::StatusOr<Added> Add(const std::string& batch_id, absl::Span<const DayScans> scans);

  // What Read found: per stamp in order, its counts, or nullopt when Redis could not read them (a
  // key of the wrong type, which `first_error` names).
  struct Found {
    std::vector<std::optional<ScanCounts>> counts;
    std::string first_error;
  };
  // The counts of each stamp over its days, in one script run. An error status: none were read.
  absl::StatusOr<Found> Read(absl::Span<const StampWindow> stamps);

  // The scans of each of `serials` on `day`, in one round trip: 0 for none, -1 for a value Redis
  // could not give (tests and tools that check what was counted).
  absl::StatusOr<std::vector<int64_t>> ScansOn(absl::Span<const uint64_t> serials, const std::string& day);

  // The layout, for tests and tools that check what was counted.
  static constexpr uint64_t kStampsPerBucket = 128;  // within Redis's compact-hash default (128)
  static std::string BucketKey(uint64_t serial, const std::string& day);
  static std::string BucketField(uint64_t serial);
  static std::string ClientsKey(uint64_t serial, const std::string& day);
  // The scan count a bucket field holds, nullopt when `value` is not one.
  static std::optional<int64_t> ScansIn(const std::string& value);
  // A client as the counts know it: the first 24 bits of its salted hash as 6 hex digits. Enough
  // to tell apart the few clients of one stamp (two of 20 share a tag with odds of 1 in 88,000),
  // too few to name a phone: some 16.8 million tags for Vietnam's phones.
  static std::string ClientTag(uint64_t client_id);

 private:
  redis::RedisClient* redis_;
  const std::string ttl_;
};

}  // namespace ocop::lookup
