#include "common/log/log.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cmath>
#include <memory>
#include <mutex>
#include <random>
#include <shared_mutex>

#include <nlohmann/json.hpp>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

ABSL_FLAG(std::string, log_level, "info", "Least severe log lines written: debug, info, warning or error");
ABSL_FLAG(double, access_log_sample, 0.01,
          "Share of requests (0 to 1) whose access line is logged; failed and slow requests always are. "
          "Sampled by request id, so a request is logged by every service it reaches or by none");
ABSL_FLAG(int, slow_request_ms, 1000, "Requests slower than this are always access-logged");

namespace ocop::logs {
namespace {

// Replaced whole by Configure (rare); read by every written line, under a shared lock.
std::shared_mutex options_mutex;
Options& CurrentOptions() {
  static auto* options = new Options();
  return *options;
}
// What every request asks (is it logged?) is kept apart in atomics: no lock on the scan path.
std::atomic<int> minimum_level{static_cast<int>(Level::kInfo)};
// Ids hashing below this are sampled; until Configure, Options' default share (1% of 2^64).
std::atomic<std::uint64_t> sample_threshold{184467440737095516ull};
std::atomic<std::int64_t> slow_request_ns{1'000'000'000};

std::uint64_t ThresholdFor(double share) {
  if (!(share > 0)) return 0;
  if (share >= 1) return ~std::uint64_t{0};
  return static_cast<std::uint64_t>(std::ldexp(share, 64));
}

// FNV-1a: stable across processes and builds (std::hash is not), so every service samples alike.
std::uint64_t StableHash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  // FNV's low bits mix poorly for short inputs; a final avalanche spreads them (splitmix64).
  hash ^= hash >> 30;
  hash *= 0xbf58476d1ce4e5b9ull;
  hash ^= hash >> 27;
  hash *= 0x94d049bb133111ebull;
  hash ^= hash >> 31;
  return hash;
}

void WriteToStderr(std::string_view line) {
  while (!line.empty()) {
    ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;  // nowhere to complain to
    line.remove_prefix(static_cast<size_t>(written));
  }
}

// JSON text of a string; bytes that are not UTF-8 become U+FFFD rather than breaking the line.
void AppendJsonString(std::string& out, std::string_view text) {
  bool plain = true;
  for (unsigned char c : text) {
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) {
      plain = false;
      break;
    }
  }
  if (plain) {  // the common case, without nlohmann's allocation
    out += '"';
    out += text;
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(text)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void AppendValue(std::string& out, const Field::Value& value) {
  if (const auto* text = std::get_if<std::string>(&value)) {
    AppendJsonString(out, *text);
  } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
    absl::StrAppend(&out, *number);
  } else if (const auto* real = std::get_if<double>(&value)) {
    if (std::isfinite(*real)) {
      absl::StrAppendFormat(&out, "%.6g", *real);
    } else {
      out += "null";  // JSON has no NaN or infinity
    }
  } else {
    out += std::get<bool>(value) ? "true" : "false";
  }
}

thread_local std::string current_request_id;

}  // namespace

absl::Status ParseLevel(std::string_view text, Level* level) {
  const std::string lower = absl::AsciiStrToLower(std::string(text));
  if (lower == "debug") {
    *level = Level::kDebug;
  } else if (lower == "info") {
    *level = Level::kInfo;
  } else if (lower == "warning" || lower == "warn") {
    *level = Level::kWarning;
  } else if (lower == "error") {
    *level = Level::kError;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("log level \"", std::string(text), "\" is not one of debug, info, warning, error"));
  }
  return absl::OkStatus();
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarning: return "warning";
    case Level::kError: return "error";
  }
  return "info";
}

void Configure(Options options) {
  std::unique_lock lock(options_mutex);
  sample_threshold = ThresholdFor(options.access_sample);
  slow_request_ns = absl::ToInt64Nanoseconds(options.slow_request);
  minimum_level = static_cast<int>(options.level);
  CurrentOptions() = std::move(options);
}

absl::Status ConfigureFromFlags(std::string_view service) {
  Options options;
  options.service = std::string(service);
  if (absl::Status parsed = ParseLevel(absl::GetFlag(FLAGS_log_level), &options.level); !parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--log_level: ", parsed.message()));
  }
  options.access_sample = absl::GetFlag(FLAGS_access_log_sample);
  if (!(options.access_sample >= 0 && options.access_sample <= 1)) {
    return absl::InvalidArgumentError("--access_log_sample must be between 0 and 1");
  }
  if (absl::GetFlag(FLAGS_slow_request_ms) < 0) {
    return absl::InvalidArgumentError("--slow_request_ms must not be negative");
  }
  options.slow_request = absl::Milliseconds(absl::GetFlag(FLAGS_slow_request_ms));
  Configure(std::move(options));
  return absl::OkStatus();
}

bool Enabled(Level level) { return static_cast<int>(level) >= minimum_level.load(std::memory_order_relaxed); }

std::string FormatLine(absl::Time time, Level level, std::string_view service, std::string_view message,
                       std::string_view request_id, std::initializer_list<Field> fields) {
  std::string line;
  line.reserve(160);
  line += "{\"time\":\"";
  line += absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
  line += "\",\"level\":\"";
  line += LevelName(level);
  line += '"';
  if (!service.empty()) {
    line += ",\"service\":";
    AppendJsonString(line, service);
  }
  line += ",\"msg\":";
  AppendJsonString(line, message);
  for (const Field& field : fields) {
    line += ',';
    AppendJsonString(line, field.key());
    line += ':';
    AppendValue(line, field.value());
  }
  if (!request_id.empty()) {
    line += ",\"request_id\":";
    AppendJsonString(line, request_id);
  }
  line += "}\n";
  return line;
}

void Log(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (!Enabled(level)) return;
  std::shared_lock lock(options_mutex);
  const Options& options = CurrentOptions();
  const std::string line = FormatLine(options.clock ? options.clock() : absl::Now(), level, options.service,
                                      message, current_request_id, fields);
  if (options.sink) {
    options.sink(line);
  } else {
    WriteToStderr(line);
  }
}

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t bits = generator();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, bits >>= 4) id[static_cast<size_t>(i)] = kHex[bits & 15];
  return id;  // on every scan: cheaper than a format call
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' && c != '-') {
      return false;
    }
  }
  return true;
}

std::string RequestIdOrNew(std::string_view id) { return IsValidRequestId(id) ? std::string(id) : NewRequestId(); }

const std::string& CurrentRequestId() { return current_request_id; }

RequestScope::RequestScope(std::string id) : previous_(std::move(current_request_id)) {
  current_request_id = std::move(id);
}

RequestScope::~RequestScope() { current_request_id = std::move(previous_); }

bool IsSampled(std::string_view request_id) {
  const std::uint64_t threshold = sample_threshold.load(std::memory_order_relaxed);
  if (threshold == ~std::uint64_t{0}) return true;
  return StableHash(request_id) < threshold;
}

bool ShouldLogAccess(std::string_view request_id, bool failed, absl::Duration elapsed) {
  if (!Enabled(failed ? Level::kWarning : Level::kInfo)) return false;
  if (failed) return true;
  if (absl::ToInt64Nanoseconds(elapsed) >= slow_request_ns.load(std::memory_order_relaxed)) return true;
  return IsSampled(request_id);
}

}  // namespace ocop::logs
