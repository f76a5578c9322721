// A real gRPC server on a loopback port serving a real SQLite outbox, followed by FeedFollower.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include <grpcpp/create_channel.h>
#include <grpcpp/completion_queue.h>
#include <grpcpp/generic/generic_stub.h>

#include "common/feed/change_feed.h"
#include "common/feed/feed_follower.h"
#include "common/grpc/client.h"
#include "common/grpc/health.h"
#include "common/grpc/server.h"
#include "common/metrics/metrics.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "tests/support/processes.h"
#include "tests/support/status_matchers.h"

namespace ocop::feed {
namespace {

using ::ocop::testing::IsOk;

// Serves only WatchChanges, from the fixture's outbox.
class FeedOnlyService final : public registry::v1::RegistryService::Service {
 public:
  explicit FeedOnlyService(ChangeFeed* feed) : feed_(feed) {}
  grpc::Status WatchChanges(grpc::ServerContext* context, const common::v1::WatchChangesRequest* request,
                            grpc::ServerWriter<common::v1::Change>* writer) override {
    return feed_->Serve(context, *request, writer);
  }

 private:
  ChangeFeed* feed_;
};

bool WaitFor(const std::function<bool()>& condition) {
  for (int i = 0; i < 250; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

class FeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto database = store::Database::Open(dir_.File("feed.db"), {store::kOutboxMigration});
    ASSERT_THAT(database, IsOk());
    database_ = std::move(*database);
    StartServer(0);
  }

  void StartServer(int port) {
    feed_ = std::make_unique<ChangeFeed>(database_.get(), &notifier_, limits_);
    service_ = std::make_unique<FeedOnlyService>(feed_.get());
    grpcutil::ServerOptions options;
    options.listen_address = "127.0.0.1:" + std::to_string(port);
    auto server = grpcutil::GrpcServer::Start(options, {service_.get()});
    ASSERT_THAT(server, IsOk());
    server_ = std::move(*server);
  }

  void StopServer() {
    feed_->Stop();
    server_->Shutdown();
  }

  void Append(const std::string& name, absl::Time when = absl::Now(), const std::string& entity = "batch") {
    ASSERT_THAT(database_->Transact([&](store::Connection& c) {
      return store::AppendChange(c, entity, name, 1, when).status();
    }), IsOk());
    notifier_.Notify();
  }

  // The changes a fresh WatchChanges call gets (until `count` arrived), and how it ended.
  std::vector<std::string> Watch(const common::v1::WatchChangesRequest& request, size_t count, grpc::Status* ended) {
    auto stub = registry::v1::RegistryService::NewStub(
        grpcutil::MakeChannel("127.0.0.1:" + std::to_string(server_->port())));
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, absl::Seconds(5));
    auto reader = stub->WatchChanges(&context, request);
    std::vector<std::string> names;
    common::v1::Change change;
    while (names.size() < count && reader->Read(&change)) names.push_back(change.name());
    if (names.size() == count) context.TryCancel();  // the stream would stay open for more
    *ended = reader->Finish();
    return names;
  }

  ChangeFeed::Limits limits_;
  ocop::testing::TempDir dir_;
  std::unique_ptr<store::Database> database_;
  store::ChangeNotifier notifier_;
  std::unique_ptr<ChangeFeed> feed_;
  std::unique_ptr<FeedOnlyService> service_;
  std::unique_ptr<grpcutil::GrpcServer> server_;
};

TEST_F(FeedTest, FollowerSeesOldAndNewChangesAndResumesAfterAServerRestart) {
  Append("batches/old");
  int port = server_->port();
  auto channel = grpcutil::MakeChannel("127.0.0.1:" + std::to_string(port));
  auto stub = registry::v1::RegistryService::NewStub(channel);
  std::mutex mutex;
  std::vector<std::string> seen;
  std::atomic<int> connects{0};
  FeedFollower follower(
      "test",
      [&](grpc::ClientContext* context, const common::v1::WatchChangesRequest& request) {
        return stub->WatchChanges(context, request);
      },
      [&](const common::v1::Change& change) {
        std::lock_guard lock(mutex);
        seen.push_back(change.name());
      },
      [&] { ++connects; });
  follower.Start();
  ASSERT_TRUE(WaitFor([&] { return follower.last_sequence() == 1; }));
  EXPECT_EQ(connects, 1);
  Append("batches/new");
  ASSERT_TRUE(WaitFor([&] { return follower.last_sequence() == 2; }));
  // What the follower's metrics say to an operator: connected, where it is, how late changes came.
  std::string exposition = metrics::TextExposition();
  EXPECT_EQ(ocop::testing::MetricSample(exposition, "ocop_feed_follower_connected{feed=\"test\"}"), 1);
  EXPECT_EQ(ocop::testing::MetricSample(exposition, "ocop_feed_follower_sequence{feed=\"test\"}"), 2);
  EXPECT_EQ(ocop::testing::MetricSample(exposition, "ocop_feed_follower_lag_seconds_count{feed=\"test\"}"), 2);
  EXPECT_EQ(ocop::testing::MetricSample(exposition, "ocop_feed_follower_reconnects_total{feed=\"test\"}"), 0);

  StopServer();
  ASSERT_TRUE(WaitFor([&] { return !follower.connected(); }));
  EXPECT_EQ(ocop::testing::MetricSample(metrics::TextExposition(), "ocop_feed_follower_connected{feed=\"test\"}"), 0);
  EXPECT_TRUE(WaitFor([] {  // after its backoff, the follower tries again
    return ocop::testing::MetricSample(metrics::TextExposition(), "ocop_feed_follower_reconnects_total{feed=\"test\"}")
               .value_or(0) >= 1;
  }));
  Append("batches/while-down");
  StartServer(port);
  ASSERT_TRUE(WaitFor([&] { return follower.last_sequence() == 3; }));
  EXPECT_EQ(connects, 2);
  follower.Stop();
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen, (std::vector<std::string>{"batches/old", "batches/new", "batches/while-down"}));
}

TEST_F(FeedTest, TheServerAnswersStandardHealthChecks) {
  auto channel = grpcutil::MakeChannel("127.0.0.1:" + std::to_string(server_->port()));
  absl::StatusOr<bool> serving = grpcutil::CheckHealth(channel, "", absl::Seconds(5));
  ASSERT_THAT(serving, IsOk());
  EXPECT_TRUE(*serving);
  EXPECT_THAT(grpcutil::CheckHealth(channel, "no.such.Service", absl::Seconds(5)),
              ::ocop::testing::StatusIs(absl::StatusCode::kNotFound));
  StopServer();
  EXPECT_THAT(grpcutil::CheckHealth(channel, "", absl::Seconds(5)),
              ::ocop::testing::StatusIs(absl::StatusCode::kUnavailable));
}

// Asks the server's reflection service to list its services (one request on the bidi stream);
// returns the stream's status and how many bytes the answer had.
grpc::Status ListServicesByReflection(int port, size_t* answer_bytes) {
  grpc::GenericStub stub(grpcutil::MakeChannel("127.0.0.1:" + std::to_string(port)));
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, absl::Seconds(5));
  grpc::CompletionQueue queue;
  auto call = stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &queue);
  void* tag = nullptr;
  bool ok = false;
  auto step = [&](void* expected) { return queue.Next(&tag, &ok) && tag == expected; };
  call->StartCall(reinterpret_cast<void*>(1));
  step(reinterpret_cast<void*>(1));
  grpc::Slice slice(std::string("\x3a\x01*", 3));  // ServerReflectionRequest { list_services = "*" }
  grpc::ByteBuffer request(&slice, 1);
  call->Write(request, reinterpret_cast<void*>(2));
  step(reinterpret_cast<void*>(2));
  grpc::ByteBuffer response;
  call->Read(&response, reinterpret_cast<void*>(3));
  *answer_bytes = step(reinterpret_cast<void*>(3)) && ok ? response.Length() : 0;
  call->WritesDone(reinterpret_cast<void*>(4));
  step(reinterpret_cast<void*>(4));
  grpc::Status status;
  call->Finish(&status, reinterpret_cast<void*>(5));
  step(reinterpret_cast<void*>(5));
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return status;
}

// Reflection lists every method to whoever connects: served only when asked for.
TEST_F(FeedTest, ReflectionIsServedOnlyWhenAskedFor) {
  size_t answer_bytes = 0;
  EXPECT_EQ(ListServicesByReflection(server_->port(), &answer_bytes).error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(answer_bytes, 0u);
  FeedOnlyService other(feed_.get());
  grpcutil::ServerOptions options;
  options.reflection = true;
  auto with_reflection = grpcutil::GrpcServer::Start(options, {&other});
  ASSERT_THAT(with_reflection, IsOk());
  grpc::Status status = ListServicesByReflection((*with_reflection)->port(), &answer_bytes);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_GT(answer_bytes, std::string("ocop.registry.v1.RegistryService").size());
}

TEST_F(FeedTest, ASecondServerOnTheSamePortFailsInsteadOfSharingIt) {
  FeedOnlyService other(feed_.get());
  grpcutil::ServerOptions options;
  options.listen_address = "127.0.0.1:" + std::to_string(server_->port());
  EXPECT_THAT(grpcutil::GrpcServer::Start(options, {&other}),
              ocop::testing::StatusIs(absl::StatusCode::kInternal, "cannot listen"));
}

TEST_F(FeedTest, NegativeAfterSequenceIsInvalidArgument) {
  auto stub = registry::v1::RegistryService::NewStub(
      grpcutil::MakeChannel("127.0.0.1:" + std::to_string(server_->port())));
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, absl::Seconds(5));
  common::v1::WatchChangesRequest request;
  request.set_after_sequence(-1);
  auto reader = stub->WatchChanges(&context, request);
  common::v1::Change change;
  EXPECT_FALSE(reader->Read(&change));
  grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(status.error_message().find("after_sequence"), std::string::npos);
}

// The outbox keeps a week: older changes are pruned (but for kept entities and the head), a
// follower behind the pruned range is told so, and a cache's follower starts at the head.
TEST_F(FeedTest, OldChangesArePrunedAFollowerBehindThemIsToldAndCachesStartAtTheHead) {
  StopServer();
  limits_.kept_entities = {"revocation"};
  StartServer(0);
  const absl::Time now = absl::Now();
  Append("batches/a", now - absl::Hours(24 * 10));                                 // 1: pruned
  Append("sessions/s1", now - absl::Hours(24 * 9), "revocation");                // 2: kept
  Append("batches/b", now - absl::Hours(24 * 8));                                  // 3: pruned
  Append("batches/c", now - absl::Hours(24 * 2));                                  // 4
  Append("batches/d", now - absl::Hours(1));                                       // 5
  absl::StatusOr<int64_t> pruned = feed_->Prune(now);
  ASSERT_THAT(pruned, IsOk());
  EXPECT_EQ(*pruned, 2);
  ASSERT_THAT(feed_->Prune(now), IsOk());  // nothing more to do
  EXPECT_EQ(*feed_->Prune(now), 0);

  common::v1::WatchChangesRequest request;
  grpc::Status ended;
  EXPECT_EQ(Watch(request, 3, &ended), (std::vector<std::string>{"sessions/s1", "batches/c", "batches/d"}));
  request.set_after_sequence(3);  // caught up to b: nothing was lost after it
  EXPECT_EQ(Watch(request, 2, &ended), (std::vector<std::string>{"batches/c", "batches/d"}));
  request.set_after_sequence(1);  // b (3) is gone, though the revocation (2) right after 1 is kept
  EXPECT_TRUE(Watch(request, 1, &ended).empty());
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_NE(ended.error_message().find("changes after 1 were pruned"), std::string::npos) << ended.error_message();

  // Everything old enough goes, except the newest change, which keeps the head's number.
  ASSERT_THAT(feed_->Prune(now + absl::Hours(24 * 30)), IsOk());
  auto stub = registry::v1::RegistryService::NewStub(
      grpcutil::MakeChannel("127.0.0.1:" + std::to_string(server_->port())));
  std::mutex mutex;
  std::vector<std::string> seen;
  FeedFollower cache(
      "cache",
      [&](grpc::ClientContext* context, const common::v1::WatchChangesRequest& watch) {
        return stub->WatchChanges(context, watch);
      },
      [&](const common::v1::Change& change) {
        std::lock_guard lock(mutex);
        seen.push_back(change.name());
      },
      [] {}, /*start_at_head=*/true);
  cache.Start();
  ASSERT_TRUE(WaitFor([&] { return cache.connected(); }));
  Append("batches/e");
  ASSERT_TRUE(WaitFor([&] { return cache.last_sequence() == 6; }));
  cache.Stop();
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen, std::vector<std::string>{"batches/e"});  // no history replayed
}

// Its own connection, so that a stream that stops reading cannot block the others' flow control.
std::unique_ptr<registry::v1::RegistryService::Stub> StubOnItsOwnConnection(int port) {
  grpc::ChannelArguments arguments;
  arguments.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return registry::v1::RegistryService::NewStub(grpc::CreateCustomChannel(
      "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), arguments));
}

// Change streams hold server threads: only so many may be open, and one whose follower stopped
// reading is cut, which frees its place.
TEST_F(FeedTest, OpenStreamsAreBoundedAndAStalledFollowerIsCut) {
  StopServer();
  limits_.max_streams = 2;
  // Long enough that the reading follower, slowed by a sanitizer build on a busy 2-core machine,
  // is never taken for a stalled one (300 ms was not: CI cut it after 79,915 changes).
  limits_.stall_timeout = absl::Seconds(2);
  StartServer(0);
  // Far more than any flow-control window, so that a follower that reads nothing stalls the server.
  ASSERT_THAT(database_->Transact([&](store::Connection& c) {
    for (int i = 0; i < 200'000; ++i) {
      absl::Status appended = store::AppendChange(c, "batch", "batches/" + std::to_string(i), 1, absl::Now()).status();
      if (!appended.ok()) return appended;
    }
    return absl::OkStatus();
  }), IsOk());
  notifier_.Notify();
  const int port = server_->port();
  common::v1::WatchChangesRequest request;
  common::v1::Change change;

  auto stalled_stub = StubOnItsOwnConnection(port);
  grpc::ClientContext stalled_context;
  auto stalled = stalled_stub->WatchChanges(&stalled_context, request);
  ASSERT_TRUE(stalled->Read(&change));  // open; then it reads nothing more
  auto reading_stub = StubOnItsOwnConnection(port);
  grpc::ClientContext reading_context;
  auto reading = reading_stub->WatchChanges(&reading_context, request);
  ASSERT_TRUE(reading->Read(&change));

  auto third_stub = StubOnItsOwnConnection(port);
  grpc::ClientContext third_context;
  auto third = third_stub->WatchChanges(&third_context, request);
  EXPECT_FALSE(third->Read(&change));
  grpc::Status refused = third->Finish();
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused.error_message().find("too many open change streams (2)"), std::string::npos)
      << refused.error_message();

  // The reading follower drains everything while the stalled one is cut.
  int read = 1;
  while (read < 200'000 && reading->Read(&change)) ++read;
  EXPECT_EQ(read, 200'000);
  EXPECT_TRUE(WaitFor([&] { return feed_->stalled_streams() == 1; }));
  reading_context.TryCancel();
  reading->Finish().IgnoreError();
  auto next_stub = StubOnItsOwnConnection(port);
  grpc::ClientContext next_context;
  auto next = next_stub->WatchChanges(&next_context, request);
  EXPECT_TRUE(next->Read(&change));  // a place was freed
  next_context.TryCancel();
  next->Finish().IgnoreError();
  stalled_context.TryCancel();
  stalled->Finish().IgnoreError();
}

}  // namespace
}  // namespace ocop::feed
