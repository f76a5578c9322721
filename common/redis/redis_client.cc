#include "common/redis/redis_client.h"

#include <hiredis/hiredis.h>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace ocop::redis {

struct RedisClient::Reply {
  int type = 0;
  int64_t integer = 0;
  std::string text;
};

RedisClient::RedisClient(RedisOptions options) : options_(std::move(options)) {}

RedisClient::~RedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

void RedisClient::DisconnectLocked(absl::Time now) {
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
  retry_after_ = now + options_.reconnect_backoff;
}

absl::Status RedisClient::EnsureConnectedLocked() {
  if (context_ != nullptr) return absl::OkStatus();
  absl::Time now = absl::Now();
  if (now < retry_after_) return absl::UnavailableError("redis: unavailable (backing off)");
  context_ = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                     absl::ToTimeval(options_.connect_timeout));
  if (context_ == nullptr || context_->err != 0) {
    std::string reason = context_ != nullptr ? context_->errstr : "out of memory";
    DisconnectLocked(now);
    return absl::UnavailableError(absl::StrCat("redis: connect to ", options_.host, ":",
                                               options_.port, ": ", reason));
  }
  redisSetTimeout(context_, absl::ToTimeval(options_.command_timeout));
  return absl::OkStatus();
}

absl::StatusOr<RedisClient::Reply> RedisClient::Command(const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  std::lock_guard lock(mutex_);
  OCOP_RETURN_IF_ERROR(EnsureConnectedLocked());
  auto* raw = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()));
  if (raw == nullptr) {
    std::string reason = context_->errstr;
    DisconnectLocked(absl::Now());
    return absl::UnavailableError(absl::StrCat("redis: ", args[0], ": ", reason));
  }
  Reply reply;
  reply.type = raw->type;
  reply.integer = raw->integer;
  if (raw->str != nullptr) reply.text.assign(raw->str, raw->len);
  freeReplyObject(raw);
  if (reply.type == REDIS_REPLY_ERROR) {
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
  std::lock_guard lock(mutex_);
  OCOP_RETURN_IF_ERROR(EnsureConnectedLocked());
  for (const std::vector<std::string>& args : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(args.size()), argv.data(), lengths.data()) != REDIS_OK) {
      DisconnectLocked(absl::Now());
      return absl::UnavailableError("redis: pipeline: out of memory");
    }
  }
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw_reply = nullptr;
    if (redisGetReply(context_, &raw_reply) != REDIS_OK || raw_reply == nullptr) {
      std::string reason = context_->errstr;
      DisconnectLocked(absl::Now());
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

}  // namespace ocop::redis
