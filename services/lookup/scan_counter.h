// Scan counting without a write on the scan path. A scan is queued in memory; a background thread
// flushes the queue every `flush_interval` to Redis (per stamp and Vietnam day a count and its
// clients' salted, truncated hashes, laid out by ScanStore and expiring after the window, so Redis
// forgets old scans by itself), then reads back the counts of the stamps it touched over the sliding
// window of days, so the scan path judges "possible copy" from memory and never waits for Redis:
// a stamp whose counts are not in memory is answered without them. A stamp scanned once and never
// before at this lookup (a package's first scan, nearly every scan at the peak) is only remembered
// as seen; its counts are read from its next scan here on. A second thread sends the durable
// history to the stamp service (RecordScans) every `history_interval`, folded per stamp, day,
// client and verdict. The queue and the remembered counts are sharded, so scanning threads do not
// wait for each other.
// docs/privacy.md says what is kept and for how long.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "common/cache/sharded_lru.h"
#include "common/crypto/digest.h"
#include "common/metrics/metrics.h"
#include "common/redis/redis_client.h"
#include "ocop/stamp/v1/stamp.pb.h"
#include "services/lookup/scan_store.h"

namespace ocop::lookup {

// What a scan is of: the same for every scan of a lot, so the scan path shares it rather than
// copying its names into every scan.
struct ScanSubject {
  std::string batch;
  std::string product;
  std::string producer;
  std::string province_code;
};

// One scan of a genuine stamp, as the scan path hands it over.
struct ScanEvent {
  uint64_t serial = 0;
  absl::Time time;
  std::string verdict;  // the ResolveResponse verdict's name, e.g. "VERDICT_GENUINE"
  std::shared_ptr<const ScanSubject> subject;
};

// Where durable scan history goes (the stamp service's RecordScans).
using ScanSink = std::function<absl::Status(const std::vector<stamp::v1::ScanRecord>&)>;

struct ScanCounterOptions {
  absl::Duration flush_interval = absl::Milliseconds(200);
  // How often the durable history goes to the stamp service (its own thread), folded per stamp,
  // day, client and verdict over the interval; sooner when it reaches a quarter of max_pending
  // records (distinct stamps do not fold). Flush() sends it at once.
  absl::Duration history_interval = absl::Seconds(30);
  // Scans held when Redis or the stamp service cannot take them; the oldest are dropped beyond.
  size_t max_pending = 100000;
  // Stamps whose counts are remembered in memory.
  size_t max_remembered = 200000;
  // The sliding window "possible copy" looks at; per-day keys expire a day after leaving it.
  int window_days = 30;
  // Today, for the window.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // The history thread runs this much nicer than the scan path: it builds and sends batches of
  // thousands of records that nobody waits for.
  int history_nice = 10;
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
  // (http::ClientNetwork) and gives the scan its id. The flush then reads the stamp's counts,
  // leaving out the days through `ignore_through`, into memory.
  void Record(ScanEvent scan, const std::string& client_address, const std::string& ignore_through = "");
  // What is known of `serial`'s scans in the window, leaving out the days up to and including
  // `ignore_through` ("YYYY-MM-DD"; empty: none), from memory only: nothing when not remembered
  // for this `ignore_through` and today.
  std::optional<ScanCounts> CountsInMemory(uint64_t serial, const std::string& ignore_through = "") const;
  // Flushes now and waits (tests, shutdown).
  void Flush();

  // The salted, truncated hash of a client address: 16 hex digits of HMAC-SHA256(salt, address).
  std::string ClientHash(const std::string& client_address) const;
  // The same as a number (its 16 hex digits are ClientHash).
  uint64_t ClientId(const std::string& client_address) const;
  // Scans dropped because the queue was full.
  int64_t dropped() const;
  // Scans written to Redis, and flushes Redis refused or did not answer in time (then retried).
  int64_t counted() const { return counted_.load(); }
  int64_t failed_flushes() const { return failed_flushes_.load(); }
  // Stamp-days Redis refused to count while running (e.g. a key of the wrong type).
  int64_t failed_commands() const { return failed_commands_.load(); }
  // The most memory the queue and the remembered counts may take.
  static size_t MaxBytes(const ScanCounterOptions& options);
  // Scans written per script run (ScanStore::Add): a backlog after an outage, or a flush at the
  // peak, never becomes one run that holds Redis for long or outlasts the client's timeout.
  static constexpr size_t kScansPerBatch = 5000;
  // Stamps read back per script run (ScanStore::Read, up to 61 keys each).
  static constexpr size_t kStampsPerRead = 200;

 private:
  // A scan waiting for the flush, then for Redis: its client's address until the flush, then the
  // client's id (the first 8 bytes of the salted hash; the history gets it as hex, Redis a tag).
  struct Pending {
    ScanEvent scan;
    std::string client_address;
    std::string ignore_through;  // the days its counts leave out
    uint64_t client_id = 0;
    bool hashed = false;
    int64_t day = 0;  // of the scan's time in Vietnam, days since 1970-01-01; set by the flush
    // The batch it was first sent to Redis in (empty: not sent yet). A batch whose answer did not
    // come is sent again under the same id, so Redis applies it once whatever happened to it.
    std::string batch_id;
  };
  // The history is folded on this key.
  struct FoldKey {
    uint64_t serial;
    int64_t day;
    uint64_t client_id;
    std::string verdict;
    bool operator==(const FoldKey& other) const {
      return serial == other.serial && day == other.day && client_id == other.client_id && verdict == other.verdict;
    }
    template <typename H>
    friend H AbslHashValue(H state, const FoldKey& key) {
      return H::combine(std::move(state), key.serial, key.day, key.client_id, key.verdict);
    }
  };
  // Scans are queued in the shard of the recording thread.
  struct QueueShard {
    std::mutex mutex;
    std::vector<Pending> scans;
  };
  static constexpr size_t kQueueShards = 8;

  // Runs `work` every `interval` until stopped, or sooner when `*due` (may be null) is set and
  // `wake` notified: the flush thread, and the history thread (sooner when a flush finds the
  // history large).
  void Run(absl::Duration interval, std::condition_variable& wake, bool* due, const std::function<void()>& work);
  // The queue's and backlogs' metrics (read when scraped).
  void RegisterMetrics();
  // Counts the queued scans in Redis (and folds them into the history not sent yet).
  void FlushOnce();
  // Sends the history not sent yet, and what could not be sent before, to the stamp service.
  void SendHistory();
  // Adds a hashed scan to the history not sent yet (under history_mutex_).
  void FoldForHistoryLocked(const Pending& pending);
  template <typename Item>
  void KeepLocked(std::vector<Item>& pending, std::vector<Item>& items, size_t from);
  // Counts `scans` (one batch) in Redis, then reads back the counts of the stamps they touched.
  absl::Status FlushToRedis(absl::Span<const Pending> scans, const std::string& batch_id);
  // Reads the counts of each serial (with the days it ignores) from Redis and remembers them.
  void ReadCounts(const std::vector<std::pair<uint64_t, std::string>>& serials);
  // The window's days, oldest first, after `ignore_through`.
  std::vector<std::string> WindowDays(const std::string& ignore_through) const;
  absl::CivilDay Today() const;

  struct Remembered {
    ScanCounts counts;
    std::string ignore_through;
    absl::CivilDay today;  // the window slides at midnight: then the counts are read again
    bool known;            // false: only seen (scanned once here), counts not read yet
  };

  redis::RedisClient* redis_;
  std::optional<ScanStore> store_;  // with redis_
  ScanSink sink_;
  const crypto::HmacSha256Key salt_key_;
  const ScanCounterOptions options_;

  QueueShard queue_[kQueueShards];  // recorded since the last flush
  std::atomic<int64_t> queued_{0};  // in all shards
  mutable std::mutex mutex_;        // what follows
  std::condition_variable wake_;
  std::condition_variable history_wake_;
  bool history_due_ = false;
  std::vector<Pending> redis_pending_;                  // Redis was down
  std::vector<stamp::v1::ScanRecord> history_pending_;  // the stamp service was down
  bool stopping_ = false;
  std::atomic<int64_t> dropped_{0};
  std::atomic<int64_t> counted_{0};
  std::atomic<int64_t> failed_flushes_{0};
  std::atomic<int64_t> failed_commands_{0};
  std::atomic<int64_t> failed_reads_{0};
  int64_t reported_dropped_ = 0;  // under flush_mutex_
  absl::Time last_drop_report_ = absl::InfinitePast();
  mutable cache::ShardedLru<Remembered> counts_;  // by serial
  std::mutex flush_mutex_;         // one flush at a time (the thread, or Flush())
  std::mutex history_send_mutex_;  // one history send at a time
  std::mutex history_mutex_;       // what follows
  // The history not sent yet, folded: one record per stamp, day, client and verdict.
  std::vector<stamp::v1::ScanRecord> unsent_;
  absl::flat_hash_map<FoldKey, size_t> unsent_index_;
  std::thread thread_;          // Redis, every flush_interval
  std::thread history_thread_;  // the stamp service, every history_interval
  // Read when scraped (queue depth, backlogs, totals); last, so unregistered first.
  std::vector<std::unique_ptr<metrics::ScrapedValue>> scraped_;
};

// The salt in `path`, or a fresh 32-byte one written there (0600, folder 0700) when it is missing.
// FAILED_PRECONDITION when the file is readable by group or others.
absl::StatusOr<std::string> LoadOrCreateSalt(const std::string& path);

}  // namespace ocop::lookup
