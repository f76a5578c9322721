// Talks to a real redis-server started by the fixture on a free loopback port.
#include "common/redis/redis_client.h"

#include <gtest/gtest.h>

#include <thread>

#include "tests/support/processes.h"
#include "tests/support/status_matchers.h"

namespace ocop::redis {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

class RedisClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = ocop::testing::RedisServer::Start();
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
    RedisOptions options;
    options.port = server_->port();
    options.reconnect_backoff = absl::Milliseconds(50);
    client_ = std::make_unique<RedisClient>(options);
  }
  std::unique_ptr<ocop::testing::RedisServer> server_;
  std::unique_ptr<RedisClient> client_;
};

TEST_F(RedisClientTest, SetGetDeleteWithBinaryValues) {
  std::string value("a\0b\xff", 4);
  ASSERT_THAT(client_->SetWithTtl("k", value, absl::Seconds(10)), IsOk());
  auto got = client_->Get("k");
  ASSERT_THAT(got, IsOk());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ(**got, value);
  EXPECT_EQ(*client_->Delete({"k", "missing"}), 1);
  EXPECT_FALSE(client_->Get("k")->has_value());
}

TEST_F(RedisClientTest, APipelineAnswersEveryCommandInOrder) {
  auto replies = client_->Pipeline({{"PFADD", "h", "a", "b"},
                                    {"PFADD", "h", "b", "c"},
                                    {"PFCOUNT", "h"},
                                    {"INCR", "n"},
                                    {"GET", "missing"},
                                    {"HGET", "h", "x"},  // wrong type: an error in its place
                                    {"CONFIG", "GET", "maxmemory-policy"}});
  ASSERT_THAT(replies, IsOk());
  ASSERT_EQ(replies->size(), 7u);
  EXPECT_EQ((*replies)[2].integer, 3);
  EXPECT_EQ((*replies)[3].integer, 1);
  EXPECT_EQ((*replies)[4].type, RedisReply::Type::kNil);
  EXPECT_EQ((*replies)[5].type, RedisReply::Type::kError);
  EXPECT_EQ((*replies)[6].text, "volatile-ttl");
  // Arrays keep their elements, a missing key as nil.
  auto mget = client_->Pipeline({{"MGET", "n", "missing", "n"}});
  ASSERT_THAT(mget, IsOk());
  ASSERT_EQ(mget->front().elements.size(), 3u);
  EXPECT_EQ(mget->front().elements[0].text, "1");
  EXPECT_EQ(mget->front().elements[1].type, RedisReply::Type::kNil);
  EXPECT_EQ(mget->front().elements[2].text, "1");
  server_->Stop();
  EXPECT_THAT(client_->Pipeline({{"PING"}}), StatusIs(absl::StatusCode::kUnavailable, "redis"));
}

TEST_F(RedisClientTest, ATransactionAppliesEverythingOrNothing) {
  auto applied = client_->Transaction({{"INCRBY", "n", "5"}, {"PFADD", "h", "a"}, {"HGET", "h", "x"}, {"INCR", "n"}});
  ASSERT_THAT(applied, IsOk());
  ASSERT_EQ(applied->size(), 4u);
  EXPECT_EQ((*applied)[0].integer, 5);
  // A command that fails while running (wrong type) fails alone; Redis does not roll back.
  EXPECT_EQ((*applied)[2].type, RedisReply::Type::kError);
  EXPECT_EQ((*applied)[3].integer, 6);

  // Out of memory: Redis refuses the writes while queueing them, and none of them runs.
  ASSERT_THAT(client_->Pipeline({{"CONFIG", "SET", "maxmemory-policy", "noeviction"},
                                 {"CONFIG", "SET", "maxmemory", "1"}}),
              IsOk());
  EXPECT_THAT(client_->Transaction({{"INCRBY", "n", "100"}, {"SET", "other", "x"}}),
              StatusIs(absl::StatusCode::kResourceExhausted, "OOM"));
  ASSERT_THAT(client_->Pipeline({{"CONFIG", "SET", "maxmemory", "0"}}), IsOk());
  auto after = client_->Pipeline({{"GET", "n"}, {"EXISTS", "other"}});
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ((*after)[0].text, "6");
  EXPECT_EQ((*after)[1].integer, 0);
}

// A call blocked on one connection (BLPOP) does not hold up calls on the others: the push that
// releases it goes through another connection. With one connection it would wait out the BLPOP.
TEST_F(RedisClientTest, ABlockedConnectionDoesNotHoldUpTheOthers) {
  RedisOptions options;
  options.port = server_->port();
  options.command_timeout = absl::Seconds(10);
  options.connections = 2;
  RedisClient client(options);
  ASSERT_THAT(client.Ping(), IsOk());
  absl::StatusOr<std::vector<RedisReply>> popped;
  std::thread waiter([&] { popped = client.Pipeline({{"BLPOP", "queue", "5"}}); });
  // The waiter holds one connection; wait until Redis sees it blocked.
  for (int i = 0; i < 500; ++i) {
    auto info = client_->Pipeline({{"INFO", "clients"}});
    if (info.ok() && info->front().text.find("blocked_clients:1") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_THAT(client.Pipeline({{"LPUSH", "queue", "scan"}}), IsOk());
  waiter.join();
  ASSERT_THAT(popped, IsOk());
  ASSERT_EQ(popped->front().type, RedisReply::Type::kArray) << "BLPOP timed out: the push waited for it";
  EXPECT_EQ(popped->front().elements[1].text, "scan");
}

TEST_F(RedisClientTest, ValuesExpireAfterTheirTtl) {
  ASSERT_THAT(client_->SetWithTtl("short", "v", absl::Milliseconds(50)), IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_FALSE(client_->Get("short")->has_value());
}

TEST_F(RedisClientTest, UnavailableWhileDownAndRecoversWhenBack) {
  ASSERT_THAT(client_->Ping(), IsOk());
  server_->Stop();
  EXPECT_THAT(client_->Get("k"), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(client_->Get("k"), StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_THAT(server_->Restart(), IsOk());
  absl::Status status;
  for (int i = 0; i < 50; ++i) {
    status = client_->Ping();
    if (status.ok()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_THAT(status, IsOk());
}

TEST_F(RedisClientTest, AHungServerCostsOnlyTheCommandTimeout) {
  ASSERT_THAT(client_->Ping(), IsOk());
  server_->Pause();
  absl::Time start = absl::Now();
  EXPECT_THAT(client_->Get("k"), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  server_->Resume();
}

TEST(RedisClient, NothingListeningIsUnavailable) {
  RedisOptions options;
  options.port = ocop::testing::FreePort();
  RedisClient nowhere(options);
  EXPECT_THAT(nowhere.Ping(), StatusIs(absl::StatusCode::kUnavailable, "connect"));
}

}  // namespace
// Redis with a password (requirepass): the right one is sent with AUTH on every connection; a
// wrong or missing one makes calls UNAVAILABLE (like a Redis that is down, which callers already
// handle: lookup then answers from the backends or says it cannot check), naming the refusal and
// never the password.
TEST(RedisClientAuth, OnlyTheRightPasswordGetsIn) {
  const std::string password = "redis password of the test 2026";
  auto server = ocop::testing::RedisServer::Start("64mb", password);
  ASSERT_THAT(server, IsOk());
  RedisOptions options;
  options.port = (*server)->port();
  options.password = password;
  options.connections = 2;
  RedisClient client(options);
  EXPECT_THAT(client.SetWithTtl("k", "v", absl::Seconds(10)), IsOk());
  absl::StatusOr<std::optional<std::string>> value = client.Get("k");
  ASSERT_THAT(value, IsOk());
  EXPECT_EQ(value->value_or(""), "v");

  RedisOptions wrong = options;
  wrong.password = "not the password";
  RedisClient intruder(wrong);
  absl::Status refused = intruder.Ping();
  EXPECT_THAT(refused, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_NE(refused.message().find("AUTH"), absl::string_view::npos) << refused;
  EXPECT_EQ(refused.message().find("not the password"), absl::string_view::npos) << refused;
  EXPECT_THAT(intruder.Get("k"), StatusIs(absl::StatusCode::kUnavailable));

  RedisOptions none = options;
  none.password.clear();
  RedisClient anonymous(none);
  absl::Status anonymous_ping = anonymous.Ping();
  EXPECT_THAT(anonymous_ping, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_NE(anonymous_ping.message().find("NOAUTH"), absl::string_view::npos) << anonymous_ping;
}

}  // namespace ocop::redis
