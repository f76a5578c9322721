// Scan counting without a write on the scan path. A scan is queued in memory; a background thread
// flushes the queue every `flush_interval`: to Redis (per stamp and Vietnam day a HyperLogLog of
// salted, truncated client hashes and a count, each expiring after the window, so Redis forgets
// old scans by itself) and to the stamp service's durable history (RecordScans). It then reads
// back the counts of the stamps it touched over the sliding window of days, so the scan path
// judges "possible copy" from memory. docs/privacy.md says what is kept and for how long.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/redis/redis_client.h"
#include "ocop/stamp/v1/stamp.pb.h"

namespace ocop::lookup {

// A stamp's scans over the window (the last `window_days` Vietnam days, today included), after
// the day an office cleared its copy flag if it did.
struct ScanCounts {
  int64_t scans = 0;
  int64_t distinct_clients = 0;  // HyperLogLog estimate over the window's days
  int64_t distinct_days = 0;
};

// Where durable scan history goes (the stamp service's RecordScans).
using ScanSink = std::function<absl::Status(const std::vector<stamp::v1::ScanRecord>&)>;

struct ScanCounterOptions {
  absl::Duration flush_interval = absl::Milliseconds(200);
  // Scans held when Redis or the stamp service cannot take them; the oldest are dropped beyond.
  size_t max_pending = 100000;
  // Stamps whose counts are remembered in memory.
  size_t max_remembered = 200000;
  // The sliding window "possible copy" looks at; per-day keys expire a day after leaving it.
  int window_days = 30;
  // Today, for the window.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

class ScanCounter {
 public:
  // `redis` and `sink` may be null (counting or history off). `salt` keys the client hash; every
  // lookup replica must use the same salt. Starts the flushing thread.
  ScanCounter(redis::RedisClient* redis, ScanSink sink, std::string salt, ScanCounterOptions options);
  ~ScanCounter();  // flushes what is queued, then stops
  ScanCounter(const ScanCounter&) = delete;
  ScanCounter& operator=(const ScanCounter&) = delete;

  // Queues one scan; never blocks on I/O. The address stays in memory only until the next flush
  // (at most `flush_interval`), which replaces it with the salted hash of its network
  // (http::ClientNetwork) and gives the scan its id.
  void Record(stamp::v1::ScanRecord scan, const std::string& client_address);
  // What is known of `serial`'s scans in the window, leaving out the days up to and including
  // `ignore_through` ("YYYY-MM-DD"; empty: none): from memory, else one Redis round trip
  // (remembered).
  std::optional<ScanCounts> Counts(uint64_t serial, const std::string& ignore_through = "");
  // From memory only: nothing when not remembered for this `ignore_through` and today.
  std::optional<ScanCounts> CountsInMemory(uint64_t serial, const std::string& ignore_through = "") const;
  // Flushes now and waits (tests, shutdown).
  void Flush();

  // The salted, truncated hash of a client address: 16 hex digits of HMAC-SHA256(salt, address).
  std::string ClientHash(const std::string& client_address) const;
  // Scans dropped because the queue was full.
  int64_t dropped() const;

 private:
  void Run();
  void FlushOnce();
  void KeepLocked(std::vector<stamp::v1::ScanRecord>& pending, std::vector<stamp::v1::ScanRecord>& scans,
                  size_t from);
  absl::Status FlushToRedis(const std::vector<stamp::v1::ScanRecord>& scans);
  // One record per stamp, day, client and verdict, with its count.
  static std::vector<stamp::v1::ScanRecord> Fold(const std::vector<stamp::v1::ScanRecord>& scans);
  // Reads the counts of each serial (with the days it ignores) from Redis and remembers them.
  std::optional<ScanCounts> ReadCounts(const std::vector<std::pair<uint64_t, std::string>>& serials);
  // The window's days, oldest first, after `ignore_through`.
  std::vector<std::string> WindowDays(const std::string& ignore_through) const;
  std::string Today() const;

  struct Remembered {
    ScanCounts counts;
    std::string ignore_through;
    std::string today;  // the window slides at midnight: then the counts are read again
  };

  redis::RedisClient* redis_;
  ScanSink sink_;
  const std::string salt_;
  const ScanCounterOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<stamp::v1::ScanRecord> queue_;            // recorded since the last flush
  std::vector<stamp::v1::ScanRecord> redis_pending_;    // Redis was down
  std::vector<stamp::v1::ScanRecord> history_pending_;  // the stamp service was down
  std::unordered_map<uint64_t, Remembered> counts_;
  int64_t dropped_ = 0;
  bool stopping_ = false;
  std::mutex flush_mutex_;  // one flush at a time (the thread, or Flush())
  std::thread thread_;
};

// The salt in `path`, or a fresh 32-byte one written there (0600, folder 0700) when it is missing.
// FAILED_PRECONDITION when the file is readable by group or others.
absl::StatusOr<std::string> LoadOrCreateSalt(const std::string& path);

}  // namespace ocop::lookup
