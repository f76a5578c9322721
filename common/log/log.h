// Structured logs: one JSON object per line on stderr, so a log shipper (journald, Fluent Bit,
// Kubernetes' node agent) can index every field without parsing prose. A line looks like
//   {"time":"2026-12-04T21:54:16.123456Z","level":"info","service":"stamp","msg":"serving gRPC",
//    "port":50053,"request_id":"4f0c9b1e2a7d6c35"}
// `request_id` is the thread's current request (RequestScope), when there is one.
//
// Never log a secret: values are written as given. Keys, PINs, passwords and tokens stay out of
// fields and messages (the e2e test NoSecretReachesALogOrAnErrorMessage scans every log).
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace ocop::logs {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning" (or "warn"), "error"; INVALID_ARGUMENT otherwise.
absl::Status ParseLevel(std::string_view text, Level* level);
std::string_view LevelName(Level level);

// One named value of a log line.
class Field {
 public:
  using Value = std::variant<std::string, std::int64_t, double, bool>;
  Field(std::string_view key, std::string_view value) : key_(key), value_(std::string(value)) {}
  Field(std::string_view key, const char* value) : key_(key), value_(std::string(value)) {}
  Field(std::string_view key, const std::string& value) : key_(key), value_(value) {}
  Field(std::string_view key, bool value) : key_(key), value_(value) {}
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  Field(std::string_view key, T value) : key_(key), value_(static_cast<std::int64_t>(value)) {}
  template <std::floating_point T>
  Field(std::string_view key, T value) : key_(key), value_(static_cast<double>(value)) {}
  // A status as its code name and message ("status":"UNAVAILABLE: ...").
  Field(std::string_view key, const absl::Status& status) : key_(key), value_(status.ToString()) {}
  // Milliseconds, with microsecond precision.
  Field(std::string_view key, absl::Duration elapsed) : key_(key), value_(absl::ToDoubleMilliseconds(elapsed)) {}

  std::string_view key() const { return key_; }
  const Value& value() const { return value_; }

 private:
  std::string_view key_;  // a literal at every call site
  Value value_;
};

struct Options {
  std::string service;  // "lookup", "ocopctl", ...
  Level level = Level::kInfo;
  // Share of requests whose access line is written (0 to 1). The decision is a hash of the request
  // id, so one request is logged by every service it passes through, or by none. Failed and slow
  // requests are always logged.
  double access_sample = 0.01;
  absl::Duration slow_request = absl::Seconds(1);
  // Where lines go; stderr when empty. Called with one whole line, newline included, under no lock:
  // the default writes it with one write(2), which lines up whole lines from many threads.
  std::function<void(std::string_view line)> sink;
  // The time stamp of each line; absl::Now when empty.
  std::function<absl::Time()> clock;
};

// Replaces the process's options. Call once in main() before threads start (and in tests).
void Configure(Options options);
// Options from --log_level, --access_log_sample and --slow_request_ms for `service`;
// INVALID_ARGUMENT naming the flag when one is out of range.
absl::Status ConfigureFromFlags(std::string_view service);

bool Enabled(Level level);
void Log(Level level, std::string_view message, std::initializer_list<Field> fields = {});
inline void Debug(std::string_view message, std::initializer_list<Field> fields = {}) {
  Log(Level::kDebug, message, fields);
}
inline void Info(std::string_view message, std::initializer_list<Field> fields = {}) {
  Log(Level::kInfo, message, fields);
}
inline void Warning(std::string_view message, std::initializer_list<Field> fields = {}) {
  Log(Level::kWarning, message, fields);
}
inline void Error(std::string_view message, std::initializer_list<Field> fields = {}) {
  Log(Level::kError, message, fields);
}

// One line as Log would write it (without the time stamp's clock call being special); for tests
// and for tools that print the same format.
std::string FormatLine(absl::Time time, Level level, std::string_view service, std::string_view message,
                       std::string_view request_id, std::initializer_list<Field> fields);

// --- Requests --------------------------------------------------------------------------------
//
// A request id names one request across every service it reaches: made at the edge (lookup's
// HTTP and gRPC front, ocopctl), sent to backends as gRPC metadata `x-request-id` (every channel
// from grpcutil::MakeChannel adds the calling thread's id), and written on every log line the
// request causes.

inline constexpr char kRequestIdMetadata[] = "x-request-id";
inline constexpr char kRequestIdHeader[] = "x-request-id";

// 16 lower-case hex digits from a per-thread generator (unique, not secret).
std::string NewRequestId();
// 1 to 64 characters of [A-Za-z0-9._:-]: what we accept from a caller (anything else could forge
// log structure or flood the index with junk); a caller's id that fails this is replaced.
bool IsValidRequestId(std::string_view id);
// `id` when valid, a new id otherwise.
std::string RequestIdOrNew(std::string_view id);

// The calling thread's request id ("" outside any request).
const std::string& CurrentRequestId();

// Makes `id` the thread's current request id until destroyed (then the previous one again).
class RequestScope {
 public:
  explicit RequestScope(std::string id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  std::string previous_;
};

// Whether the access line of a request that ended with `failed` after `elapsed` is written:
// always when failed or slow, else for the sampled share of request ids (at info level).
bool ShouldLogAccess(std::string_view request_id, bool failed, absl::Duration elapsed);
// The sampling decision alone: a hash of the id against --access_log_sample.
bool IsSampled(std::string_view request_id);

}  // namespace ocop::logs
