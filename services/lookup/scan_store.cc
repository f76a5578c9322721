#include "services/lookup/scan_store.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ocop::lookup {
namespace {

// Shared by both scripts: what a raised error says, PFADD in slices (Lua's unpack has a limit),
// and a bucket field's value split into its count and its one client, if it holds one.
constexpr char kLuaHelpers[] = R"lua(
local function describe(err)
  if type(err) == 'table' then return tostring(err.err) end
  return tostring(err)
end
local function pfadd(key, elements)
  for i = 1, #elements, 500 do
    redis.call('PFADD', key, unpack(elements, i, math.min(i + 499, #elements)))
  end
end
local function parse(value, where)
  local sep = string.find(value, ':', 1, true)
  local count = tonumber(sep and string.sub(value, 1, sep - 1) or value)
  if count == nil then error(where .. ' holds no scan count') end
  return count, sep and string.sub(value, sep + 1) or nil
end
)lua";

// KEYS[1]: the batch's marker; then per stamp-day its bucket and its HyperLogLog.
// ARGV[1]: the keys' TTL in seconds; then per stamp-day: field, scans, number of clients, clients.
// Each stamp-day is applied on its own (pcall), so one key of the wrong type costs that one
// stamp-day, not the batch. A shebang without flags: Redis refuses the whole script while it is
// out of memory, before any of it runs.
constexpr char kAddScript[] = R"lua(#!lua
)lua"
                              "%HELPERS%"
                              R"lua(
local function add(bucket, sketch, field, scans, clients, ttl)
  local old = redis.call('HGET', bucket, field)
  local count, single = 0, nil
  if old then count, single = parse(old, bucket .. ' ' .. field) end
  local value
  if old and not single then
    -- The day already counts its clients in its HyperLogLog.
    pfadd(sketch, clients)
    if redis.call('TTL', sketch) == -1 then redis.call('EXPIRE', sketch, ttl) end
    value = tostring(count + scans)
  else
    local distinct, seen = {}, {}
    if single then distinct[1] = single; seen[single] = true end
    for _, client in ipairs(clients) do
      if not seen[client] then seen[client] = true; distinct[#distinct + 1] = client end
    end
    if #distinct == 0 then error('no client for ' .. bucket .. ' ' .. field) end
    if #distinct == 1 then
      value = tostring(count + scans) .. ':' .. distinct[1]
    else
      -- A second client this day: from now on the day's clients go to a HyperLogLog.
      pfadd(sketch, distinct)
      redis.call('EXPIRE', sketch, ttl)
      value = tostring(count + scans)
    end
  end
  redis.call('HSET', bucket, field, value)
  if redis.call('TTL', bucket) == -1 then redis.call('EXPIRE', bucket, ttl) end
end
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, 0, ''} end
local ttl = ARGV[1]
local failed, first_error = 0, ''
local a = 2
for k = 2, #KEYS, 2 do
  local field, scans, n = ARGV[a], tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local clients = {}
  for c = 1, n do clients[c] = ARGV[a + 2 + c] end
  a = a + 3 + n
  local ok, err = pcall(add, KEYS[k], KEYS[k + 1], field, scans, clients, ttl)
  if not ok then
    failed = failed + 1
    if first_error == '' then first_error = KEYS[k] .. ' ' .. field .. ': ' .. describe(err) end
  end
end
redis.call('SET', KEYS[1], '1', 'EX', 86400)
return {1, failed, first_error}
)lua";

// ARGV[1]: the number of stamps; then per stamp its field and its number of days D.
// KEYS per stamp: its D day buckets, its D HyperLogLogs, a scratch key.
// Returns per stamp its scans, days scanned and distinct clients (scans -1: unreadable), then the
// first error. Days with one client each are counted exactly; with HyperLogLogs as well, those
// are merged with the single clients in the scratch key (deleted at once), so a phone scanning on
// several days counts once. allow-oom: reading works while Redis is full.
constexpr char kReadScript[] = R"lua(#!lua flags=allow-oom
)lua"
                               "%HELPERS%"
                               R"lua(
local function read(k, field, days)
  local scans, scanned, singles, seen, sketches = 0, 0, {}, {}, {}
  for d = 0, days - 1 do
    local value = redis.call('HGET', KEYS[k + d], field)
    if value then
      local count, single = parse(value, KEYS[k + d] .. ' ' .. field)
      scans = scans + count
      scanned = scanned + 1
      if single then
        if not seen[single] then seen[single] = true; singles[#singles + 1] = single end
      else
        sketches[#sketches + 1] = KEYS[k + days + d]
      end
    end
  end
  if #sketches == 0 then return {scans, scanned, #singles} end
  if #singles == 0 then return {scans, scanned, redis.call('PFCOUNT', unpack(sketches))} end
  local scratch = KEYS[k + 2 * days]
  redis.call('PFMERGE', scratch, unpack(sketches))
  pfadd(scratch, singles)
  local clients = redis.call('PFCOUNT', scratch)
  redis.call('DEL', scratch)
  return {scans, scanned, clients}
end
local out, first_error = {}, ''
local k, a = 1, 2
for s = 1, tonumber(ARGV[1]) do
  local field, days = ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  local ok, counts = pcall(read, k, field, days)
  k = k + 2 * days + 1
  if not ok then
    if first_error == '' then first_error = describe(counts) end
    counts = {-1, 0, 0}
  end
  for _, n in ipairs(counts) do out[#out + 1] = n end
end
out[#out + 1] = first_error
return out
)lua";

std::string WithHelpers(const char* script) {
  std::string text = script;
  const size_t at = text.find("%HELPERS%");
  text.replace(at, 9, kLuaHelpers);
  return text;
}

const std::string& AddScript() {
  static const std::string* const text = new std::string(WithHelpers(kAddScript));
  return *text;
}

const std::string& ReadScript() {
  static const std::string* const text = new std::string(WithHelpers(kReadScript));
  return *text;
}

// An error reply to EVAL: the script did not run (out of memory, busy) or stopped outside its
// per-stamp protection; either way the caller may retry.
absl::Status ScriptRefused(const char* what, const redis::RedisReply& reply) {
  if (absl::StartsWith(reply.text, "OOM")) {
    return absl::ResourceExhaustedError(absl::StrCat("redis: ", what, ": ", reply.text));
  }
  return absl::UnavailableError(absl::StrCat("redis: ", what, ": ", reply.text));
}

}  // namespace

ScanStore::ScanStore(redis::RedisClient* redis, int64_t ttl_seconds)
    : redis_(redis), ttl_(absl::StrCat(ttl_seconds)) {}

std::string ScanStore::BucketKey(uint64_t serial, const std::string& day) {
  return absl::StrCat("scan:", day, ":", serial / kStampsPerBucket);
}

std::string ScanStore::BucketField(uint64_t serial) { return absl::StrCat(serial % kStampsPerBucket); }

std::string ScanStore::ClientsKey(uint64_t serial, const std::string& day) {
  return absl::StrCat("scan:", serial, ":c:", day);
}

std::optional<int64_t> ScanStore::ScansIn(const std::string& value) {
  int64_t scans = 0;
  if (!absl::SimpleAtoi(value.substr(0, value.find(':')), &scans)) return std::nullopt;
  return scans;
}

std::string ScanStore::ClientTag(uint64_t client_id) {
  return absl::StrCat(absl::Hex(client_id >> 40, absl::kZeroPad6));
}

absl::StatusOr<ScanStore::Added> ScanStore::Add(const std::string& batch_id, absl::Span<const DayScans> scans) {
  std::vector<std::string> eval = {"EVAL", AddScript(), absl::StrCat(1 + 2 * scans.size()),
                                   absl::StrCat("scan:batch:", batch_id)};
  for (const DayScans& day : scans) {
    eval.push_back(BucketKey(day.serial, day.day));
    eval.push_back(ClientsKey(day.serial, day.day));
  }
  eval.push_back(ttl_);
  for (const DayScans& day : scans) {
    eval.push_back(BucketField(day.serial));
    eval.push_back(absl::StrCat(day.scans));
    eval.push_back(absl::StrCat(day.client_tags.size()));
    eval.insert(eval.end(), day.client_tags.begin(), day.client_tags.end());
  }
  absl::StatusOr<std::vector<redis::RedisReply>> replies = redis_->Pipeline({std::move(eval)});
  if (!replies.ok()) return replies.status();
  const redis::RedisReply& reply = replies->front();
  if (reply.type == redis::RedisReply::Type::kError) return ScriptRefused("counting scans", reply);
  if (reply.type != redis::RedisReply::Type::kArray || reply.elements.size() != 3) {
    return absl::InternalError("redis: counting scans: unexpected reply");
  }
  Added added;
  added.applied_before = reply.elements[0].integer == 0;
  added.failed = reply.elements[1].integer;
  added.first_error = reply.elements[2].text;
  return added;
}

absl::StatusOr<ScanStore::Found> ScanStore::Read(absl::Span<const StampWindow> stamps) {
  Found found;
  if (stamps.empty()) return found;
  std::vector<std::string> keys;
  std::vector<std::string> args = {absl::StrCat(stamps.size())};
  for (const StampWindow& stamp : stamps) {
    for (const std::string& day : stamp.days) keys.push_back(BucketKey(stamp.serial, day));
    for (const std::string& day : stamp.days) keys.push_back(ClientsKey(stamp.serial, day));
    keys.push_back(absl::StrCat("scan:", stamp.serial, ":u"));
    args.push_back(BucketField(stamp.serial));
    args.push_back(absl::StrCat(stamp.days.size()));
  }
  std::vector<std::string> eval = {"EVAL", ReadScript(), absl::StrCat(keys.size())};
  eval.insert(eval.end(), std::make_move_iterator(keys.begin()), std::make_move_iterator(keys.end()));
  eval.insert(eval.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
  absl::StatusOr<std::vector<redis::RedisReply>> replies = redis_->Pipeline({std::move(eval)});
  if (!replies.ok()) return replies.status();
  const redis::RedisReply& reply = replies->front();
  if (reply.type == redis::RedisReply::Type::kError) return ScriptRefused("reading scan counts", reply);
  if (reply.type != redis::RedisReply::Type::kArray || reply.elements.size() != 3 * stamps.size() + 1) {
    return absl::InternalError("redis: reading scan counts: unexpected reply");
  }
  for (size_t i = 0; i < stamps.size(); ++i) {
    const redis::RedisReply* stamp = &reply.elements[3 * i];
    if (stamp[0].type != redis::RedisReply::Type::kInteger || stamp[0].integer < 0) {
      found.counts.emplace_back();
      continue;
    }
    found.counts.push_back(ScanCounts{stamp[0].integer, stamp[2].integer, stamp[1].integer});
  }
  found.first_error = reply.elements.back().text;
  return found;
}

absl::StatusOr<std::vector<int64_t>> ScanStore::ScansOn(absl::Span<const uint64_t> serials, const std::string& day) {
  std::vector<std::vector<std::string>> hgets;
  hgets.reserve(serials.size());
  for (uint64_t serial : serials) hgets.push_back({"HGET", BucketKey(serial, day), BucketField(serial)});
  absl::StatusOr<std::vector<redis::RedisReply>> replies = redis_->Pipeline(hgets);
  if (!replies.ok()) return replies.status();
  std::vector<int64_t> scans;
  scans.reserve(replies->size());
  for (const redis::RedisReply& reply : *replies) {
    if (reply.type == redis::RedisReply::Type::kNil) {
      scans.push_back(0);
    } else {
      scans.push_back(reply.type == redis::RedisReply::Type::kString ? ScansIn(reply.text).value_or(-1) : -1);
    }
  }
  return scans;
}

}  // namespace ocop::lookup
