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
#include "common/http/client_address.h"
#include "common/keys/secret_files.h"
#include "common/status/status_macros.h"

namespace ocop::lookup {
namespace {

constexpr size_t kMaxScansPerRecordCall = 5000;

bool IsRetryable(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) || absl::IsResourceExhausted(status) ||
         absl::IsAborted(status);
}

// "scan:{serial}:c:{day}" (HyperLogLog of client hashes) and "scan:{serial}:n:{day}" (count).
std::string Key(uint64_t serial, const char* what, const std::string& day) {
  return absl::StrCat("scan:", serial, ":", what, ":", day);
}

std::string VietnamDay(absl::Time time) {
  return absl::FormatCivilTime(absl::ToCivilDay(time, absl::FixedTimeZone(7 * 3600)));
}

std::string VietnamDay(const google::protobuf::Timestamp& time) { return VietnamDay(grpcutil::FromProtoTime(time)); }

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
    // One client is one network (an IPv6 /64): a host rotating addresses stays one client.
    if (inserted) it->second = ClientHash(http::ClientNetwork(it->first));
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
  // Four commands per stamp and day, however often it was scanned since the last flush. A day's
  // keys live for the window and one more day, so Redis forgets old scans without a sweeper.
  struct PerDay {
    std::set<std::string> clients;
    int64_t scans = 0;
  };
  std::map<std::pair<uint64_t, std::string>, PerDay> days;
  for (const stamp::v1::ScanRecord& scan : scans) {
    PerDay& day = days[{scan.serial(), VietnamDay(scan.scan_time())}];
    day.clients.insert(scan.client_hash());
    day.scans += std::max<int64_t>(1, scan.count());
  }
  const std::string ttl = absl::StrCat((options_.window_days + 1) * 24 * 3600);
  std::vector<std::vector<std::string>> commands;
  std::vector<std::pair<uint64_t, std::string>> touched;
  for (const auto& [key, day] : days) {
    const auto& [serial, date] = key;
    std::vector<std::string> pfadd = {"PFADD", Key(serial, "c", date)};
    pfadd.insert(pfadd.end(), day.clients.begin(), day.clients.end());
    commands.push_back(std::move(pfadd));
    commands.push_back({"EXPIRE", Key(serial, "c", date), ttl});
    commands.push_back({"INCRBY", Key(serial, "n", date), absl::StrCat(day.scans)});
    commands.push_back({"EXPIRE", Key(serial, "n", date), ttl});
    if (touched.empty() || touched.back().first != serial) touched.emplace_back(serial, "");
  }
  absl::StatusOr<std::vector<redis::RedisReply>> replies = redis_->Pipeline(commands);
  if (!replies.ok()) return replies.status();
  {
    // Each stamp is read back with the days it ignores, as last asked.
    std::lock_guard lock(mutex_);
    for (auto& [serial, ignore_through] : touched) {
      auto it = counts_.find(serial);
      if (it != counts_.end()) ignore_through = it->second.ignore_through;
    }
  }
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

std::string ScanCounter::Today() const { return VietnamDay(options_.clock()); }

std::vector<std::string> ScanCounter::WindowDays(const std::string& ignore_through) const {
  const absl::CivilDay today = absl::ToCivilDay(options_.clock(), absl::FixedTimeZone(7 * 3600));
  std::vector<std::string> days;
  for (int back = options_.window_days - 1; back >= 0; --back) {
    std::string day = absl::FormatCivilTime(today - back);
    if (day > ignore_through) days.push_back(std::move(day));  // "YYYY-MM-DD" compare as text
  }
  return days;
}

std::optional<ScanCounts> ScanCounter::ReadCounts(const std::vector<std::pair<uint64_t, std::string>>& serials) {
  // Per stamp: PFCOUNT over the window's day keys (a union, so a client seen on several days
  // counts once) and MGET of the day counts (a day with a count is a day scanned).
  std::vector<std::vector<std::string>> commands;
  std::vector<size_t> days_of;
  for (const auto& [serial, ignore_through] : serials) {
    std::vector<std::string> days = WindowDays(ignore_through);
    days_of.push_back(days.size());
    if (days.empty()) continue;  // cleared today: nothing counts yet
    std::vector<std::string> pfcount = {"PFCOUNT"};
    std::vector<std::string> mget = {"MGET"};
    for (const std::string& day : days) {
      pfcount.push_back(Key(serial, "c", day));
      mget.push_back(Key(serial, "n", day));
    }
    commands.push_back(std::move(pfcount));
    commands.push_back(std::move(mget));
  }
  std::vector<redis::RedisReply> replies;
  if (!commands.empty()) {
    absl::StatusOr<std::vector<redis::RedisReply>> read = redis_->Pipeline(commands);
    if (!read.ok() || read->size() != commands.size()) return std::nullopt;
    replies = std::move(*read);
  }
  const std::string today = Today();
  ScanCounts last;
  size_t next = 0;
  for (size_t i = 0; i < serials.size(); ++i) {
    ScanCounts counts;
    if (days_of[i] > 0) {
      counts.distinct_clients = replies[next].integer;
      for (const redis::RedisReply& day : replies[next + 1].elements) {
        int64_t scans = 0;
        if (day.type == redis::RedisReply::Type::kNil || !absl::SimpleAtoi(day.text, &scans)) continue;
        counts.scans += scans;
        ++counts.distinct_days;
      }
      next += 2;
    }
    std::lock_guard lock(mutex_);
    // A crude bound: forgetting everything is cheap to recover from (one Redis read per stamp).
    if (counts_.size() >= options_.max_remembered) counts_.clear();
    counts_[serials[i].first] = Remembered{counts, serials[i].second, today};
    last = counts;
  }
  return last;
}

std::optional<ScanCounts> ScanCounter::CountsInMemory(uint64_t serial, const std::string& ignore_through) const {
  const std::string today = Today();
  std::lock_guard lock(mutex_);
  auto it = counts_.find(serial);
  if (it == counts_.end() || it->second.ignore_through != ignore_through || it->second.today != today) {
    return std::nullopt;
  }
  return it->second.counts;
}

std::optional<ScanCounts> ScanCounter::Counts(uint64_t serial, const std::string& ignore_through) {
  if (std::optional<ScanCounts> known = CountsInMemory(serial, ignore_through)) return known;
  if (redis_ == nullptr) return std::nullopt;
  return ReadCounts({{serial, ignore_through}});
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
