#include "services/lookup/scan_counter.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/crypto/digest.h"
#include "common/grpc/proto_time.h"
#include "common/http/client_address.h"
#include "common/keys/secret_files.h"
#include "common/threads/lower_priority.h"
#include "common/status/status_macros.h"

namespace ocop::lookup {
namespace {

constexpr size_t kMaxScansPerRecordCall = 5000;

bool IsRetryable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) || absl::IsResourceExhausted(status) ||
         absl::IsAborted(status);
}

// Made once: absl::FixedTimeZone looks the zone up in a table under a lock on every call.
const absl::TimeZone& VietnamZone() {
  static const absl::TimeZone* const zone = new absl::TimeZone(absl::FixedTimeZone(7 * 3600));
  return *zone;
}

std::string VietnamDay(absl::Time time) { return absl::FormatCivilTime(absl::ToCivilDay(time, VietnamZone())); }

constexpr int64_t kSecondsPerDay = 24 * 3600;
constexpr int64_t kVietnamOffsetSeconds = 7 * 3600;

// The Vietnam day of `time`, as days since 1970-01-01.
int64_t VietnamDayNumber(absl::Time time) {
  const int64_t local = absl::ToUnixSeconds(time) + kVietnamOffsetSeconds;
  return local >= 0 ? local / kSecondsPerDay : (local - kSecondsPerDay + 1) / kSecondsPerDay;
}

// "YYYY-MM-DD" of day numbers, each formatted once per flush (formatting costs more than
// everything else a flush does with a scan).
class VietnamDays {
 public:
  const std::string& Name(int64_t day) {
    auto [it, fresh] = names_.try_emplace(day);
    if (fresh) it->second = VietnamDay(absl::FromUnixSeconds(day * kSecondsPerDay - kVietnamOffsetSeconds));
    return it->second;
  }

 private:
  absl::flat_hash_map<int64_t, std::string> names_;
};

std::string ClientHex(uint64_t client_id) { return absl::StrCat(absl::Hex(client_id, absl::kZeroPad16)); }

}  // namespace

ScanCounter::ScanCounter(redis::RedisClient* redis, ScanSink sink, std::string salt, ScanCounterOptions options)
    : redis_(redis),
      sink_(std::move(sink)),
      salt_key_(salt),
      options_(options),
      counts_(cache::ShardedLru<Remembered>::Bounds::Entries(options.max_remembered)) {
  // A day's keys live for the window and one more day, so Redis forgets old scans without a sweeper.
  if (redis_ != nullptr) store_.emplace(redis_, static_cast<int64_t>(options_.window_days + 1) * 24 * 3600);
  thread_ = std::thread([this] { Run(options_.flush_interval, wake_, nullptr, [this] { FlushOnce(); }); });
  RegisterMetrics();
  if (sink_) {
    history_thread_ = std::thread([this] {
      threads::LowerThisThreadPriority(options_.history_nice);
      Run(options_.history_interval, history_wake_, &history_due_, [this] { SendHistory(); });
    });
  }
}

ScanCounter::~ScanCounter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  history_wake_.notify_all();
  thread_.join();
  if (history_thread_.joinable()) history_thread_.join();
  FlushOnce();
  SendHistory();
}

std::string ScanCounter::ClientHash(const std::string& client_address) const {
  return ClientHex(ClientId(client_address));
}

uint64_t ScanCounter::ClientId(const std::string& client_address) const {
  const std::string mac = salt_key_.Mac(client_address);
  uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id = (id << 8) | static_cast<unsigned char>(mac[static_cast<size_t>(i)]);
  return id;
}

void ScanCounter::Record(ScanEvent scan, const std::string& client_address, const std::string& ignore_through) {
  // The bound is on the whole queue (one atomic count), whichever shards the threads use.
  if (queued_.fetch_add(1) >= static_cast<int64_t>(options_.max_pending)) {
    --queued_;
    ++dropped_;
    return;
  }
  QueueShard& shard = queue_[std::hash<std::thread::id>{}(std::this_thread::get_id()) % kQueueShards];
  std::lock_guard lock(shard.mutex);
  // Hashing waits for the flush thread: the scan path only queues.
  shard.scans.push_back(Pending{std::move(scan), client_address, ignore_through, 0, false, 0, ""});
}

int64_t ScanCounter::dropped() const { return dropped_.load(); }

void ScanCounter::RegisterMetrics() {
  using metrics::ScrapedValue;
  const auto backlog = [this](bool redis) {
    std::lock_guard lock(mutex_);
    return static_cast<double>(redis ? redis_pending_.size() : history_pending_.size());
  };
  const std::string backlog_help =
      "Scans kept because their target was down or slow: redis (counting) or stamp_history (RecordScans).";
  scraped_.push_back(std::make_unique<ScrapedValue>(
      "ocop_lookup_scan_queue_depth", "Scans queued since the last flush (bounded by max_pending).",
      prometheus::Labels{}, [this] { return static_cast<double>(queued_.load()); }));
  scraped_.push_back(std::make_unique<ScrapedValue>("ocop_lookup_scan_backlog", backlog_help,
                                                    prometheus::Labels{{"target", "redis"}},
                                                    [backlog] { return backlog(true); }));
  scraped_.push_back(std::make_unique<ScrapedValue>("ocop_lookup_scan_backlog", backlog_help,
                                                    prometheus::Labels{{"target", "stamp_history"}},
                                                    [backlog] { return backlog(false); }));
  scraped_.push_back(std::make_unique<ScrapedValue>(
      "ocop_lookup_scans_dropped_total", "Scans not counted because the queue was full.", prometheus::Labels{},
      [this] { return static_cast<double>(dropped_.load()); }, ScrapedValue::Type::kCounter));
  scraped_.push_back(std::make_unique<ScrapedValue>(
      "ocop_lookup_scans_counted_total", "Scans written to Redis.", prometheus::Labels{},
      [this] { return static_cast<double>(counted_.load()); }, ScrapedValue::Type::kCounter));
  scraped_.push_back(std::make_unique<ScrapedValue>(
      "ocop_lookup_scan_flush_failures_total", "Flushes Redis refused or did not answer in time (retried).",
      prometheus::Labels{}, [this] { return static_cast<double>(failed_flushes_.load()); },
      ScrapedValue::Type::kCounter));
}

size_t ScanCounter::MaxBytes(const ScanCounterOptions& options) {
  // A queued scan: the record with its names and address (about 400 bytes), twice over while a
  // flush holds it, and once more in the history not sent yet; a remembered count: an entry of the
  // sharded map.
  return 3 * options.max_pending * 400 +
         options.max_remembered * (cache::ShardedLru<Remembered>::kEntryOverheadBytes + sizeof(Remembered) + 64);
}

void ScanCounter::Run(absl::Duration interval, std::condition_variable& wake, bool* due,
                      const std::function<void()>& work) {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake.wait_for(lock, absl::ToChronoMilliseconds(interval), [&] { return stopping_ || (due != nullptr && *due); });
    if (stopping_) break;
    if (due != nullptr) *due = false;
    lock.unlock();
    work();
    lock.lock();
  }
}

void ScanCounter::Flush() {
  FlushOnce();
  SendHistory();
}

// Keeps `items[from..]` at the front of `pending` for the next flush, as many as fit.
template <typename Item>
void ScanCounter::KeepLocked(std::vector<Item>& pending, std::vector<Item>& items, size_t from) {
  size_t room = options_.max_pending > pending.size() ? options_.max_pending - pending.size() : 0;
  size_t keep = std::min(items.size() - from, room);
  dropped_ += static_cast<int64_t>(items.size() - from - keep);
  pending.insert(pending.begin(), std::make_move_iterator(items.begin() + from),
                 std::make_move_iterator(items.begin() + from + keep));
}

void ScanCounter::FoldForHistoryLocked(const Pending& pending) {
  const ScanEvent& scan = pending.scan;
  auto [it, fresh] =
      unsent_index_.try_emplace(FoldKey{scan.serial, pending.day, pending.client_id, scan.verdict}, unsent_.size());
  if (!fresh) {
    stamp::v1::ScanRecord& record = unsent_[it->second];
    record.set_count(record.count() + 1);
    grpcutil::ToProtoTime(scan.time, record.mutable_scan_time());
    return;
  }
  if (unsent_.size() >= options_.max_pending) {
    unsent_index_.erase(it);
    ++dropped_;
    return;
  }
  stamp::v1::ScanRecord& record = unsent_.emplace_back();
  record.set_serial(scan.serial);
  grpcutil::ToProtoTime(scan.time, record.mutable_scan_time());
  record.set_verdict(scan.verdict);
  record.set_client_hash(ClientHex(pending.client_id));
  record.set_count(1);
  if (scan.subject != nullptr) {
    record.set_batch(scan.subject->batch);
    record.set_product(scan.subject->product);
    record.set_producer(scan.subject->producer);
    record.set_province_code(scan.subject->province_code);
  }
}

void ScanCounter::FlushOnce() {
  std::lock_guard flush_lock(flush_mutex_);
  const absl::Time started = absl::Now();
  // Says so when scans were dropped (at most every 10 s): a queue that fills up means the flush
  // cannot keep up with the scans, which operators must see.
  struct ReportDrops {
    ScanCounter& counter;
    absl::Time started;
    ~ReportDrops() {
      static prometheus::Histogram& seconds =
          metrics::HistogramFamily("ocop_lookup_scan_flush_seconds",
                                   "Time one flush of the scan queue to Redis took (counts read back included).")
              .Add({}, metrics::LatencyBuckets());
      seconds.Observe(absl::ToDoubleSeconds(absl::Now() - started));
      const int64_t dropped = counter.dropped_.load();
      if (dropped > counter.reported_dropped_ && absl::Now() - counter.last_drop_report_ > absl::Seconds(10)) {
        logs::Warning("scans dropped: the scan queue is full",
                      {{"dropped_so_far", dropped}, {"flush_ms", absl::Now() - started}});
        counter.reported_dropped_ = dropped;
        counter.last_drop_report_ = absl::Now();
      }
    }
  } report{*this, started};
  std::vector<Pending> fresh;
  for (QueueShard& shard : queue_) {
    std::vector<Pending> scans;
    {
      std::lock_guard lock(shard.mutex);
      scans.swap(shard.scans);
    }
    queued_ -= static_cast<int64_t>(scans.size());
    if (fresh.empty()) {
      fresh = std::move(scans);
    } else {
      fresh.insert(fresh.end(), std::make_move_iterator(scans.begin()), std::make_move_iterator(scans.end()));
    }
  }
  std::vector<Pending> for_redis;
  {
    std::lock_guard lock(mutex_);
    for_redis.swap(redis_pending_);
  }
  // The raw addresses end here: each becomes its salted hash.
  absl::flat_hash_map<std::string, uint64_t> hashes;
  for (Pending& pending : fresh) {
    auto [it, inserted] = hashes.try_emplace(pending.client_address);
    // One client is one network (an IPv6 /64): a host rotating addresses stays one client.
    if (inserted) it->second = ClientId(http::ClientNetwork(it->first));
    pending.client_id = it->second;
    pending.hashed = true;
    pending.client_address.clear();
    pending.client_address.shrink_to_fit();
    pending.day = VietnamDayNumber(pending.scan.time);
  }
  hashes.clear();
  if (sink_) {
    // The durable history is folded over the history interval (one record per stamp, day, client
    // and verdict with its count), so a phone re-scanning, or many phones scanning one stamp,
    // cost the stamp service a row per client and interval rather than per scan.
    size_t unsent = 0;
    {
      std::lock_guard lock(history_mutex_);
      for (const Pending& pending : fresh) FoldForHistoryLocked(pending);
      unsent = unsent_.size();
    }
    // Distinct stamps (a first-scan peak) do not fold: send before the history grows too large.
    if (unsent >= options_.max_pending / 4) {
      std::lock_guard lock(mutex_);
      history_due_ = true;
      history_wake_.notify_one();
    }
  }
  if (redis_ != nullptr) {
    for_redis.insert(for_redis.end(), std::make_move_iterator(fresh.begin()), std::make_move_iterator(fresh.end()));
  }
  // Scans go to Redis in batches, each applied at most once under its id. A batch sent before
  // whose answer did not come goes again as it was (its scans are kept together, in order); new
  // scans form batches of up to kScansPerBatch. When one fails, it and the batches after it wait
  // for the next flush (the ones before were applied).
  for (size_t from = 0; from < for_redis.size();) {
    size_t end = from + 1;
    std::string batch_id = for_redis[from].batch_id;
    if (!batch_id.empty()) {
      while (end < for_redis.size() && for_redis[end].batch_id == batch_id) ++end;
    } else {
      while (end < for_redis.size() && end - from < kScansPerBatch && for_redis[end].batch_id.empty()) ++end;
      absl::StatusOr<std::string> random = crypto::RandomBytes(12);
      if (random.ok()) {
        batch_id = crypto::HexEncode(*random);
        for (size_t i = from; i < end; ++i) for_redis[i].batch_id = batch_id;
      }
    }
    absl::Status flushed =
        batch_id.empty() ? absl::UnavailableError("no random batch id")
                         : FlushToRedis(absl::MakeConstSpan(for_redis).subspan(from, end - from), batch_id);
    if (!flushed.ok()) {
      if (failed_flushes_++ == 0) {
        logs::Warning("cannot count scans in Redis; keeping them to retry", {{"error", flushed}});
      }
      std::lock_guard lock(mutex_);
      KeepLocked(redis_pending_, for_redis, from);
      return;
    }
    counted_ += static_cast<int64_t>(end - from);
    from = end;
  }
}

void ScanCounter::SendHistory() {
  if (!sink_) return;
  // One sender at a time (the history thread, or Flush()); Redis flushes go on meanwhile.
  std::lock_guard send_lock(history_send_mutex_);
  const absl::Time started = absl::Now();
  std::vector<stamp::v1::ScanRecord> for_history;
  {
    std::lock_guard lock(mutex_);
    for_history.swap(history_pending_);
  }
  {
    std::lock_guard lock(history_mutex_);
    // Only unsent records are folded: a record already sent keeps its scan id and count, so a
    // retry of a call whose answer was lost is still recognised by the stamp service.
    for (stamp::v1::ScanRecord& record : unsent_) {
      // Time first, then randomness: ids of one send sort together, so the stamp service appends
      // them to its index instead of scattering them.
      absl::StatusOr<std::string> random = crypto::RandomBytes(8);
      record.set_scan_id(absl::StrCat(
          absl::Hex(absl::ToUnixMicros(started), absl::kZeroPad14),
          crypto::HexEncode(random.ok() ? *random : crypto::Sha256(record.SerializeAsString()).substr(0, 8))));
      for_history.push_back(std::move(record));
    }
    unsent_.clear();
    unsent_index_.clear();
  }
  size_t sent = 0;
  while (sent < for_history.size()) {
    size_t end = std::min(for_history.size(), sent + kMaxScansPerRecordCall);
    std::vector<stamp::v1::ScanRecord> chunk(for_history.begin() + sent, for_history.begin() + end);
    absl::Status recorded = sink_(chunk);
    if (IsRetryable(recorded)) break;  // the stamp service is busy or down: retry (scan ids make it safe)
    if (!recorded.ok()) {
      // Refused for good (a bug on one side): keeping it would block every later scan.
      logs::Error("the stamp service refused scans; dropped", {{"scans", chunk.size()}, {"error", recorded}});
      dropped_ += static_cast<int64_t>(chunk.size());
    }
    sent = end;
  }
  if (sent < for_history.size()) {
    std::lock_guard lock(mutex_);
    KeepLocked(history_pending_, for_history, sent);
  }
}

absl::Status ScanCounter::FlushToRedis(absl::Span<const Pending> scans, const std::string& batch_id) {
  // One entry per stamp and day, however often it was scanned since the last flush.
  absl::flat_hash_map<std::pair<uint64_t, int64_t>, size_t> index;
  std::vector<DayScans> days;
  std::vector<std::vector<uint64_t>> clients;  // of each entry of `days`
  // Each stamp is read back leaving out the days its latest scan asked to.
  struct Touched {
    std::string ignore_through;
    int scans = 0;
  };
  absl::flat_hash_map<uint64_t, Touched> touched_serials;
  VietnamDays names;
  for (const Pending& pending : scans) {
    auto [it, fresh] = index.try_emplace({pending.scan.serial, pending.day}, days.size());
    if (fresh) {
      days.push_back(DayScans{pending.scan.serial, names.Name(pending.day), 0, {}});
      clients.emplace_back();
    }
    ++days[it->second].scans;
    clients[it->second].push_back(pending.client_id);
    Touched& touched = touched_serials[pending.scan.serial];
    touched.ignore_through = pending.ignore_through;
    ++touched.scans;
  }
  for (size_t i = 0; i < days.size(); ++i) {
    std::vector<uint64_t>& ids = clients[i];
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<std::string>& tags = days[i].client_tags;
    for (uint64_t id : ids) tags.push_back(ScanStore::ClientTag(id));
    tags.erase(std::unique(tags.begin(), tags.end()), tags.end());  // sorted ids give sorted tags
  }
  OCOP_ASSIGN_OR_RETURN(ScanStore::Added added, store_->Add(batch_id, days));
  // A stamp-day Redis refused while running (a key of the wrong type, written by something else)
  // will be refused again on a retry, and the others are counted: report it, do not retry.
  if (added.failed > 0) {
    if (failed_commands_.fetch_add(added.failed) == 0) {
      logs::Error("Redis refused scan-count commands", {{"error", added.first_error}});
    }
  }
  // Counts are read back for the stamps this lookup has seen before, or saw more than once now. A
  // stamp scanned once and never before (at the peak, nearly every stamp: a package's first scan)
  // is only remembered as seen: reading its 30 days back would cost more than its scan did.
  std::vector<std::pair<uint64_t, std::string>> touched;
  const absl::CivilDay today = Today();
  for (auto& [serial, seen] : touched_serials) {
    if (seen.scans > 1 || counts_.Get(absl::StrCat(serial)).has_value()) {
      touched.emplace_back(serial, std::move(seen.ignore_through));
    } else {
      counts_.Put(absl::StrCat(serial), Remembered{ScanCounts(), seen.ignore_through, today, /*known=*/false});
    }
  }
  // Read back in slices, so one flush of a Tet peak does not make one long script run.
  for (size_t from = 0; from < touched.size(); from += kStampsPerRead) {
    std::vector<std::pair<uint64_t, std::string>> slice(
        touched.begin() + static_cast<std::ptrdiff_t>(from),
        touched.begin() + static_cast<std::ptrdiff_t>(std::min(touched.size(), from + kStampsPerRead)));
    ReadCounts(slice);
  }
  return absl::OkStatus();
}

absl::CivilDay ScanCounter::Today() const {
  return absl::ToCivilDay(options_.clock(), VietnamZone());
}

std::vector<std::string> ScanCounter::WindowDays(const std::string& ignore_through) const {
  const absl::CivilDay today = Today();
  std::vector<std::string> days;
  for (int back = options_.window_days - 1; back >= 0; --back) {
    std::string day = absl::FormatCivilTime(today - back);
    if (day > ignore_through) days.push_back(std::move(day));  // "YYYY-MM-DD" compare as text
  }
  return days;
}

void ScanCounter::ReadCounts(const std::vector<std::pair<uint64_t, std::string>>& serials) {
  std::map<std::string, std::vector<std::string>> window_of;  // by ignore_through: computed once
  std::vector<StampWindow> stamps;
  stamps.reserve(serials.size());
  for (const auto& [serial, ignore_through] : serials) {
    auto [window, fresh] = window_of.try_emplace(ignore_through);
    if (fresh) window->second = WindowDays(ignore_through);
    stamps.push_back(StampWindow{serial, window->second});  // empty when cleared today: nothing counts yet
  }
  absl::StatusOr<ScanStore::Found> found = store_->Read(stamps);
  if (!found.ok() || found->counts.size() != serials.size()) return;  // read again with the next scan
  const absl::CivilDay today = Today();
  for (size_t i = 0; i < serials.size(); ++i) {
    // A stamp whose counts Redis could not give stays unknown rather than zero.
    if (!found->counts[i].has_value()) {
      if (failed_reads_++ == 0) {
        logs::Warning("cannot read scan counts in Redis", {{"error", found->first_error}});
      }
      continue;
    }
    // Beyond the bound the least recently used are forgotten: read again with their next scan.
    counts_.Put(absl::StrCat(serials[i].first), Remembered{*found->counts[i], serials[i].second, today, /*known=*/true});
  }
}

std::optional<ScanCounts> ScanCounter::CountsInMemory(uint64_t serial, const std::string& ignore_through) const {
  std::optional<Remembered> remembered = counts_.Get(absl::StrCat(serial));
  if (!remembered.has_value() || !remembered->known || remembered->ignore_through != ignore_through ||
      remembered->today != Today()) {
    return std::nullopt;
  }
  return remembered->counts;
}

absl::StatusOr<std::string> LoadOrCreateSalt(const std::string& path) {
  if (std::filesystem::exists(path)) return keys::ReadSecretFile(path);
  std::filesystem::path folder = std::filesystem::path(path).parent_path();
  if (!folder.empty()) OCOP_RETURN_IF_ERROR(keys::EnsureSecretFolder(folder.string()));
  OCOP_ASSIGN_OR_RETURN(std::string salt, crypto::RandomBytes(32));
  OCOP_RETURN_IF_ERROR(keys::WriteSecretFile(path, salt));
  return salt;
}

}  // namespace ocop::lookup
