// Scan counting without a write on the scan path. A scan is queued in memory; a background thread
// flushes the queue every `flush_interval`: to Redis (per stamp a HyperLogLog of salted, truncated
// client hashes, the set of Vietnam days it was scanned on, and a raw count; no TTL, so these are
// never evicted under volatile-lru) and to the stamp service's durable history (RecordScans).
// It then reads back the counts of the stamps it touched, so the scan path judges "possible copy"
// from memory. docs/privacy.md says what is kept and for how long.
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

struct ScanCounts {
  int64_t scans = 0;
  int64_t distinct_clients = 0;  // HyperLogLog estimate
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
  // (at most `flush_interval`), which replaces it with its salted hash and gives the scan its id.
  void Record(stamp::v1::ScanRecord scan, const std::string& client_address);
  // What is known of `serial`'s scans: from memory, else one Redis round trip (remembered).
  std::optional<ScanCounts> Counts(uint64_t serial);
  // From memory only.
  std::optional<ScanCounts> CountsInMemory(uint64_t serial) const;
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
  std::optional<ScanCounts> ReadCounts(const std::vector<uint64_t>& serials);
  void Remember(uint64_t serial, const ScanCounts& counts);

  redis::RedisClient* redis_;
  ScanSink sink_;
  const std::string salt_;
  const ScanCounterOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<stamp::v1::ScanRecord> queue_;            // recorded since the last flush
  std::vector<stamp::v1::ScanRecord> redis_pending_;    // Redis was down
  std::vector<stamp::v1::ScanRecord> history_pending_;  // the stamp service was down
  std::unordered_map<uint64_t, ScanCounts> counts_;
  int64_t dropped_ = 0;
  bool stopping_ = false;
  std::mutex flush_mutex_;  // one flush at a time (the thread, or Flush())
  std::thread thread_;
};

// The salt in `path`, or a fresh 32-byte one written there (0600, folder 0700) when it is missing.
// FAILED_PRECONDITION when the file is readable by group or others.
absl::StatusOr<std::string> LoadOrCreateSalt(const std::string& path);

}  // namespace ocop::lookup
