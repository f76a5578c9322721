// A small synchronous Redis client over hiredis with connect and command timeouts and reconnects.
// Calls block: run them on worker threads, never on an I/O or reactor thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

struct redisContext;

namespace ocop::redis {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  absl::Duration connect_timeout = absl::Milliseconds(200);
  absl::Duration command_timeout = absl::Milliseconds(200);
  // After a failure, calls fail fast with UNAVAILABLE for this long before reconnecting, so a
  // down Redis costs callers nothing but a branch.
  absl::Duration reconnect_backoff = absl::Milliseconds(500);
  // Connections, each used by one call at a time: a long pipeline on one does not hold up the
  // short GETs of the scan path on the others.
  int connections = 1;
  // Sent with AUTH on every new connection when not empty (Redis's `requirepass`). A refused
  // password makes calls fail UNAVAILABLE, naming the refusal, never the password.
  std::string password;
};

// One reply of a pipelined command.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kStatus, kArray, kError };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string text;  // string, status or error text
  std::vector<RedisReply> elements;  // array (e.g. MGET: one per key, kNil for a missing key)
};

// Thread-safe; `connections` connections, each serving one call at a time.
class RedisClient {
 public:
  explicit RedisClient(RedisOptions options);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // The value at `key`, or nullopt when absent. UNAVAILABLE when Redis cannot be reached.
  absl::StatusOr<std::optional<std::string>> Get(const std::string& key);
  // SET key value PX ttl.
  absl::Status SetWithTtl(const std::string& key, const std::string& value, absl::Duration ttl);
  // DEL keys; returns how many existed.
  absl::StatusOr<int64_t> Delete(const std::vector<std::string>& keys);
  // PING.
  absl::Status Ping();
  // Sends every command, then reads every reply: one round trip for the lot. A command Redis
  // refuses gives a kError reply in its place; UNAVAILABLE when Redis cannot be reached.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(const std::vector<std::vector<std::string>>& commands);
  // The commands as one MULTI/EXEC transaction in one round trip: all run or none does. A command
  // Redis refuses while queueing (out of memory under maxmemory, a wrong argument count) aborts
  // the lot: RESOURCE_EXHAUSTED naming Redis's reason, nothing applied. Otherwise one reply per
  // command; a command that failed while running (WRONGTYPE) has a kError reply in its place and
  // the others were applied (Redis does not roll back).
  absl::StatusOr<std::vector<RedisReply>> Transaction(const std::vector<std::vector<std::string>>& commands);

 private:
  struct Reply;
  struct Connection {
    std::mutex mutex;
    redisContext* context = nullptr;
    absl::Time retry_after = absl::InfinitePast();
  };
  // A free connection, locked; waits for one when all are busy.
  std::unique_lock<std::mutex> Acquire(Connection*& connection);
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);
  absl::Status EnsureConnectedLocked(Connection& connection);
  void DisconnectLocked(Connection& connection, absl::Time now);

  const RedisOptions options_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::atomic<size_t> next_{0};
};

}  // namespace ocop::redis
