#include "services/lookup/scan_counter.h"

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/digest.h"
#include "common/grpc/proto_time.h"
#include "common/keys/secret_files.h"
#include "common/status/status_macros.h"

namespace ocop::lookup {
namespace {

constexpr size_t kMaxScansPerRecordCall = 5000;

bool IsRetryable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) || absl::IsResourceExhausted(status) ||
         absl::IsAborted(status);
}

std::string Key(uint64_t serial, const char* what) { return absl::StrCat("scan:", serial, ":", what); }

std::string VietnamDay(const google::protobuf::Timestamp& time) {
  return absl::FormatCivilTime(absl::ToCivilDay(grpcutil::FromProtoTime(time), absl::FixedTimeZone(7 * 3600)));
}

}  // namespace

ScanCounter::ScanCounter(redis::RedisClient* redis, ScanSink sink, std::string salt, ScanCounterOptions options)
    : redis_(redis), sink_(std::move(sink)), salt_(std::move(salt)), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

ScanCounter::~ScanCounter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  FlushOnce();
}

std::string ScanCounter::ClientHash(const std::string& client_address) const {
  return crypto::HexEncode(crypto::HmacSha256(salt_, client_address).substr(0, 8));
}

void ScanCounter::Record(stamp::v1::ScanRecord scan, const std::string& client_address) {
  // Hashing waits for the flush thread: the scan path only queues.
  scan.set_client_hash(client_address);
  std::lock_guard lock(mutex_);
  if (queue_.size() >= options_.max_pending) {
    ++dropped_;
    return;
  }
  queue_.push_back(std::move(scan));
}

int64_t ScanCounter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void ScanCounter::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, absl::ToChronoMilliseconds(options_.flush_interval));
    if (stopping_) break;
    lock.unlock();
    FlushOnce();
    lock.lock();
  }
}

void ScanCounter::Flush() { FlushOnce(); }

// Keeps `scans[from..]` at the front of `pending` for the next flush, as many as fit.
void ScanCounter::KeepLocked(std::vector<stamp::v1::ScanRecord>& pending, std::vector<stamp::v1::ScanRecord>& scans,
                             size_t from) {
  size_t room = options_.max_pending > pending.size() ? options_.max_pending - pending.size() : 0;
  size_t keep = std::min(scans.size() - from, room);
  dropped_ += static_cast<int64_t>(scans.size() - from - keep);
  pending.insert(pending.begin(), std::make_move_iterator(scans.begin() + from),
                 std::make_move_iterator(scans.begin() + from + keep));
}

void ScanCounter::FlushOnce() {
  std::lock_guard flush_lock(flush_mutex_);
  std::vector<stamp::v1::ScanRecord> fresh;
  std::vector<stamp::v1::ScanRecord> for_redis;
  std::vector<stamp::v1::ScanRecord> for_history;
  {
    std::lock_guard lock(mutex_);
    fresh.swap(queue_);
    for_redis.swap(redis_pending_);
    for_history.swap(history_pending_);
  }
  // The raw addresses end here: each becomes its salted hash.
  std::map<std::string, std::string> hashes;
  for (stamp::v1::ScanRecord& scan : fresh) {
    auto [it, inserted] = hashes.emplace(scan.client_hash(), "");
    if (inserted) it->second = ClientHash(it->first);
    scan.set_client_hash(it->second);
  }
  hashes.clear();
  if (redis_ != nullptr) for_redis.insert(for_redis.end(), fresh.begin(), fresh.end());
  if (sink_) {
    // Only new scans are folded: a record already sent keeps its scan id and count, so a retry of
    // a call whose answer was lost is still recognised by the stamp service.
    for (stamp::v1::ScanRecord& record : Fold(fresh)) {
      absl::StatusOr<std::string> id = crypto::RandomBytes(12);
      record.set_scan_id(crypto::HexEncode(id.ok() ? *id : crypto::Sha256(record.SerializeAsString()).substr(0, 12)));
      for_history.push_back(std::move(record));
    }
  }
  // Redis and the stamp service fail independently; each keeps its own backlog.
  if (!for_redis.empty() && !FlushToRedis(for_redis).ok()) {
    std::lock_guard lock(mutex_);
    KeepLocked(redis_pending_, for_redis, 0);
  }
  size_t sent = 0;
  while (sent < for_history.size()) {
    size_t end = std::min(for_history.size(), sent + kMaxScansPerRecordCall);
    std::vector<stamp::v1::ScanRecord> chunk(for_history.begin() + sent, for_history.begin() + end);
    absl::Status recorded = sink_(chunk);
    if (IsRetryable(recorded)) break;  // the stamp service is busy or down: retry (scan ids make it safe)
    if (!recorded.ok()) {
      // Refused for good (a bug on one side): keeping it would block every later scan.
      std::fprintf(stderr, "lookup: stamp service refused %zu scans: %s\n", chunk.size(),
                   recorded.ToString().c_str());
      std::lock_guard lock(mutex_);
      dropped_ += static_cast<int64_t>(chunk.size());
    }
    sent = end;
  }
  if (sent < for_history.size()) {
    std::lock_guard lock(mutex_);
    KeepLocked(history_pending_, for_history, sent);
  }
}

absl::Status ScanCounter::FlushToRedis(const std::vector<stamp::v1::ScanRecord>& scans) {
  // Three commands per stamp, however often it was scanned since the last flush.
  struct PerStamp {
    std::set<std::string> clients;
    std::set<std::string> days;
    int64_t scans = 0;
  };
  std::map<uint64_t, PerStamp> stamps;
  for (const stamp::v1::ScanRecord& scan : scans) {
    PerStamp& stamp = stamps[scan.serial()];
    stamp.clients.insert(scan.client_hash());
    stamp.days.insert(VietnamDay(scan.scan_time()));
    stamp.scans += std::max<int64_t>(1, scan.count());
  }
  std::vector<std::vector<std::string>> commands;
  std::vector<uint64_t> touched;
  for (const auto& [serial, stamp] : stamps) {
    std::vector<std::string> pfadd = {"PFADD", Key(serial, "c")};
    pfadd.insert(pfadd.end(), stamp.clients.begin(), stamp.clients.end());
    std::vector<std::string> sadd = {"SADD", Key(serial, "d")};
    sadd.insert(sadd.end(), stamp.days.begin(), stamp.days.end());
    commands.push_back(std::move(pfadd));
    commands.push_back(std::move(sadd));
    commands.push_back({"INCRBY", Key(serial, "n"), absl::StrCat(stamp.scans)});
    touched.push_back(serial);
  }
  absl::StatusOr<std::vector<redis::RedisReply>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  ReadCounts(touched);
  return absl::OkStatus();
}

std::vector<stamp::v1::ScanRecord> ScanCounter::Fold(const std::vector<stamp::v1::ScanRecord>& scans) {
  std::map<std::tuple<uint64_t, std::string, std::string, std::string>, size_t> index;
  std::vector<stamp::v1::ScanRecord> folded;
  for (const stamp::v1::ScanRecord& scan : scans) {
    auto key = std::make_tuple(scan.serial(), VietnamDay(scan.scan_time()), scan.client_hash(), scan.verdict());
    auto [it, fresh] = index.emplace(key, folded.size());
    if (fresh) {
      folded.push_back(scan);
      folded.back().set_count(1);
      continue;
    }
    stamp::v1::ScanRecord& record = folded[it->second];
    record.set_count(record.count() + 1);
    *record.mutable_scan_time() = scan.scan_time();
  }
  return folded;
}

std::optional<ScanCounts> ScanCounter::ReadCounts(const std::vector<uint64_t>& serials) {
  std::vector<std::vector<std::string>> commands;
  for (uint64_t serial : serials) {
    commands.push_back({"PFCOUNT", Key(serial, "c")});
    commands.push_back({"SCARD", Key(serial, "d")});
    commands.push_back({"GET", Key(serial, "n")});
  }
  absl::StatusOr<std::vector<redis::RedisReply>> replies = redis_->Pipeline(commands);
  if (!replies.ok() || replies->size() != commands.size()) return std::nullopt;
  ScanCounts last;
  for (size_t i = 0; i < serials.size(); ++i) {
    ScanCounts counts;
    counts.distinct_clients = (*replies)[3 * i].integer;
    counts.distinct_days = (*replies)[3 * i + 1].integer;
    (void)absl::SimpleAtoi((*replies)[3 * i + 2].text, &counts.scans);
    Remember(serials[i], counts);
    last = counts;
  }
  return last;
}

void ScanCounter::Remember(uint64_t serial, const ScanCounts& counts) {
  std::lock_guard lock(mutex_);
  // A crude bound: forgetting everything is cheap to recover from (one Redis read per stamp).
  if (counts_.size() >= options_.max_remembered) counts_.clear();
  counts_[serial] = counts;
}

std::optional<ScanCounts> ScanCounter::CountsInMemory(uint64_t serial) const {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(serial);
  if (it == counts_.end()) return std::nullopt;
  return it->second;
}

std::optional<ScanCounts> ScanCounter::Counts(uint64_t serial) {
  if (std::optional<ScanCounts> known = CountsInMemory(serial)) return known;
  if (redis_ == nullptr) return std::nullopt;
  return ReadCounts({serial});
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
