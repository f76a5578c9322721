#include "common/redis/redis_client.h"

#include <hiredis/hiredis.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace ocop::redis {

struct RedisClient::Reply {
  int type = 0;
  int64_t integer = 0;
  std::string text;
};

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {
  for (int i = 0; i < std::max(1, options_.connections); ++i) connections_.push_back(std::make_unique<Connection>());
}

RedisClient::~RedisClient() {
  for (auto& connection : connections_) {
    if (connection->context != nullptr) redisFree(connection->context);
  }
}

std::unique_lock<std::mutex> RedisClient::Acquire(Connection*& connection) {
  const size_t start = next_.fetch_add(1, std::memory_order_relaxed);
  for (size_t i = 0; i < connections_.size(); ++i) {
    Connection& candidate = *connections_[(start + i) % connections_.size()];
    std::unique_lock lock(candidate.mutex, std::try_to_lock);
    if (lock.owns_lock()) {
      connection = &candidate;
      return lock;
    }
  }
  connection = connections_[start % connections_.size()].get();
  return std::unique_lock(connection->mutex);
}

void RedisClient::DisconnectLocked(Connection& connection, absl::Time now) {
  if (connection.context != nullptr) redisFree(connection.context);
  connection.context = nullptr;
  connection.retry_after = now + options_.reconnect_backoff;
}

absl::Status RedisClient::EnsureConnectedLocked(Connection& connection) {
  if (connection.context != nullptr) return absl::OkStatus();
  absl::Time now = absl::Now();
  if (now < connection.retry_after) return absl::UnavailableError("redis: unavailable (backing off)");
  connection.context = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                               absl::ToTimeval(options_.connect_timeout));
  if (connection.context == nullptr || connection.context->err != 0) {
    std::string reason = connection.context != nullptr ? connection.context->errstr : "out of memory";
    DisconnectLocked(connection, now);
    return absl::UnavailableError(absl::StrCat("redis: connect to ", options_.host, ":",
                                               options_.port, ": ", reason));
  }
  redisSetTimeout(connection.context, absl::ToTimeval(options_.command_timeout));
  if (!options_.password.empty()) {
    auto* reply = static_cast<redisReply*>(
        redisCommand(connection.context, "AUTH %b", options_.password.data(), options_.password.size()));
    std::string refusal;
    if (reply == nullptr) {
      refusal = connection.context->errstr;
    } else if (reply->type == REDIS_REPLY_ERROR) {
      refusal = std::string(reply->str, reply->len);
    }
    if (reply != nullptr) freeReplyObject(reply);
    if (!refusal.empty()) {
      DisconnectLocked(connection, now);
      return absl::UnavailableError(absl::StrCat("redis: ", options_.host, ":", options_.port,
                                                 " refused our password (AUTH): ", refusal));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisClient::Reply> RedisClient::Command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  Connection* connection = nullptr;
  std::unique_lock lock = Acquire(connection);
  OCOP_RETURN_IF_ERROR(EnsureConnectedLocked(*connection));
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(connection->context, static_cast<int>(args.size()), argv.data(), lengths.data()));
  if (raw == nullptr) {
    std::string reason = connection->context->errstr;
    DisconnectLocked(*connection, absl::Now());
    return absl::UnavailableError(absl::StrCat("redis: ", args[0], ": ", reason));
  }
  Reply reply;
  reply.type = raw->type;
  reply.integer = raw->integer;
  if (raw->str != nullptr) reply.text.assign(raw->str, raw->len);
  freeReplyObject(raw);
  if (reply.type == REDIS_REPLY_ERROR) {
    // A Redis that wants a password we were not given cannot be used at all: like one that is down.
    if (absl::StartsWith(reply.text, "NOAUTH")) {
      return absl::UnavailableError(absl::StrCat("redis: ", args[0], ": ", reply.text, " (no password configured)"));
    }
    return absl::InternalError(absl::StrCat("redis: ", args[0], ": ", reply.text));
  }
  return reply;
}

absl::StatusOr<std::optional<std::string>> RedisClient::Get(const std::string& key) {
  OCOP_ASSIGN_OR_RETURN(Reply reply, Command({"GET", key}));
  if (reply.type == REDIS_REPLY_NIL) return std::nullopt;
  return std::optional<std::string>(std::move(reply.text));
}

absl::Status RedisClient::SetWithTtl(const std::string& key, const std::string& value,
                                     absl::Duration ttl) {
  int64_t millis = std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl));
  return Command({"SET", key, value, "PX", absl::StrCat(millis)}).status();
}

absl::StatusOr<int64_t> RedisClient::Delete(const std::vector<std::string>& keys) {
  if (keys.empty()) return 0;
  std::vector<std::string> args = {"DEL"};
  args.insert(args.end(), keys.begin(), keys.end());
  OCOP_ASSIGN_OR_RETURN(Reply reply, Command(args));
  return reply.integer;
}

absl::Status RedisClient::Ping() { return Command({"PING"}).status(); }

namespace {

RedisReply Convert(const redisReply& raw) {
  RedisReply reply;
  switch (raw.type) {
    case REDIS_REPLY_INTEGER: reply.type = RedisReply::Type::kInteger; break;
    case REDIS_REPLY_STRING: reply.type = RedisReply::Type::kString; break;
    case REDIS_REPLY_STATUS: reply.type = RedisReply::Type::kStatus; break;
    case REDIS_REPLY_ARRAY: reply.type = RedisReply::Type::kArray; break;
    case REDIS_REPLY_ERROR: reply.type = RedisReply::Type::kError; break;
    default: reply.type = RedisReply::Type::kNil;
  }
  reply.integer = raw.integer;
  if (raw.str != nullptr) reply.text.assign(raw.str, raw.len);
  if (raw.type == REDIS_REPLY_ARRAY) {
    reply.elements.reserve(raw.elements);
    for (size_t i = 0; i < raw.elements; ++i) reply.elements.push_back(Convert(*raw.element[i]));
  }
  return reply;
}

}  // namespace

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(const std::vector<std::vector<std::string>>& commands) {
  std::vector<RedisReply> replies;
  if (commands.empty()) return replies;
  Connection* connection = nullptr;
  std::unique_lock lock = Acquire(connection);
  OCOP_RETURN_IF_ERROR(EnsureConnectedLocked(*connection));
  redisContext* context = connection->context;
  for (const std::vector<std::string>& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context, static_cast<int>(args.size()), argv.data(), lengths.data()) != REDIS_OK) {
      DisconnectLocked(*connection, absl::Now());
      return absl::UnavailableError("redis: pipeline: out of memory");
    }
  }
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw_reply = nullptr;
    if (redisGetReply(context, &raw_reply) != REDIS_OK || raw_reply == nullptr) {
      std::string reason = context->errstr;
      DisconnectLocked(*connection, absl::Now());
      return absl::UnavailableError(absl::StrCat("redis: pipeline: ", reason));
    }
    auto* raw = static_cast<redisReply*>(raw_reply);
    RedisReply reply = Convert(*raw);
    // CONFIG GET answers [name, value]: keep the value as the text too.
    if (raw->type == REDIS_REPLY_ARRAY && raw->elements == 2 && raw->element[1]->str != nullptr) {
      reply.text.assign(raw->element[1]->str, raw->element[1]->len);
    }
    freeReplyObject(raw);
    replies.push_back(std::move(reply));
  }
  return replies;
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Transaction(const std::vector<std::vector<std::string>>& commands) {
  if (commands.empty()) return std::vector<RedisReply>();
  std::vector<std::vector<std::string>> wrapped;
  wrapped.reserve(commands.size() + 2);
  wrapped.push_back({"MULTI"});
  wrapped.insert(wrapped.end(), commands.begin(), commands.end());
  wrapped.push_back({"EXEC"});
  OCOP_ASSIGN_OR_RETURN(std::vector<RedisReply> replies, Pipeline(wrapped));
  if (replies.size() != wrapped.size()) return absl::InternalError("redis: transaction: replies missing");
  const RedisReply& exec = replies.back();
  if (exec.type != RedisReply::Type::kArray) {
    // EXECABORT: name the command Redis refused and why (e.g. "OOM command not allowed ...").
    std::string reason = exec.text;
    for (size_t i = 1; i + 1 < replies.size(); ++i) {
      if (replies[i].type == RedisReply::Type::kError) {
        reason = absl::StrCat(commands[i - 1].front(), ": ", replies[i].text);
        break;
      }
    }
    return absl::ResourceExhaustedError(absl::StrCat("redis: transaction not applied: ", reason));
  }
  if (exec.elements.size() != commands.size()) return absl::InternalError("redis: transaction: replies missing");
  return std::move(replies.back().elements);
}

}  // namespace ocop::redis
