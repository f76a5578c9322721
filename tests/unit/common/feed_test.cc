// A real gRPC server on a loopback port serving a real SQLite outbox, followed by FeedFollower.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <thread>

#include <grpcpp/generic/generic_stub.h>

#include "common/feed/change_feed.h"
#include "common/feed/feed_follower.h"
#include "common/grpc/client.h"
#include "common/grpc/server.h"
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
    feed_ = std::make_unique<ChangeFeed>(database_.get(), &notifier_);
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

  void Append(const std::string& name) {
    ASSERT_THAT(database_->Transact([&](store::Connection& c) {
      return store::AppendChange(c, "batch", name, 1, absl::Now()).status();
    }), IsOk());
    notifier_.Notify();
  }

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

  StopServer();
  ASSERT_TRUE(WaitFor([&] { return !follower.connected(); }));
  Append("batches/while-down");
  StartServer(port);
  ASSERT_TRUE(WaitFor([&] { return follower.last_sequence() == 3; }));
  EXPECT_EQ(connects, 2);
  follower.Stop();
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen, (std::vector<std::string>{"batches/old", "batches/new", "batches/while-down"}));
}

TEST_F(FeedTest, TheServerAnswersStandardHealthChecks) {
  // grpc.health.v1.Health/Check with an empty HealthCheckRequest; SERVING is field 1 = 1.
  grpc::GenericStub stub(grpcutil::MakeChannel("127.0.0.1:" + std::to_string(server_->port())));
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, absl::Seconds(5));
  grpc::ByteBuffer request(nullptr, 0);
  grpc::ByteBuffer response;
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status s) {
                   std::lock_guard lock(mutex);
                   status = s;
                   done = true;
                   done_cv.notify_all();
                 });
  std::unique_lock lock(mutex);
  done_cv.wait(lock, [&] { return done; });
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(response.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));
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

}  // namespace
}  // namespace ocop::feed
