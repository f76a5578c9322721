#include "common/log/log.h"

#include <gtest/gtest.h>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <mutex>
#include <set>
#include <thread>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/client.h"
#include "common/grpc/server.h"
#include "nlohmann/json.hpp"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "tests/support/captured_logs.h"
#include "tests/support/status_matchers.h"

ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(double, access_log_sample);

namespace ocop::logs {
namespace {

using ::ocop::testing::CapturedLogs;
using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

nlohmann::json Parse(const std::string& line) {
  EXPECT_TRUE(absl::EndsWith(line, "}\n")) << line;
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line per event: " << line;
  return nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
}

TEST(Logs, ALineIsOneJsonObjectWithItsFieldsAndTheRequestId) {
  const absl::Time time = absl::FromUnixMicros(1'796'342'400'123'456);  // 2026-12-04 00:00:00.123456 UTC
  const std::string line = FormatLine(time, Level::kWarning, "stamp", "roll \"A\"\nissued",
                                      "req-1", {{"count", 3}, {"ratio", 0.5}, {"ok", true}, {"who", "Chè Tân Cương"},
                                                {"bytes", std::string("a\x01\xff", 3)},
                                                {"error", absl::NotFoundError("no roll")},
                                                {"waited", absl::Microseconds(1500)}});
  nlohmann::json parsed = Parse(line);
  ASSERT_TRUE(parsed.is_object()) << line;
  EXPECT_EQ(parsed["time"], "2026-12-04T00:00:00.123456Z");
  EXPECT_EQ(parsed["level"], "warning");
  EXPECT_EQ(parsed["service"], "stamp");
  EXPECT_EQ(parsed["msg"], "roll \"A\"\nissued");
  EXPECT_EQ(parsed["count"], 3);
  EXPECT_EQ(parsed["ratio"], 0.5);
  EXPECT_EQ(parsed["ok"], true);
  EXPECT_EQ(parsed["who"], "Chè Tân Cương");
  EXPECT_EQ(parsed["bytes"], "a\x01\xEF\xBF\xBD");  // the byte that is not UTF-8 became U+FFFD
  EXPECT_EQ(parsed["error"], "NOT_FOUND: no roll");
  EXPECT_EQ(parsed["waited"], 1.5);
  EXPECT_EQ(parsed["request_id"], "req-1");
  // Without a request, no request_id key.
  EXPECT_FALSE(Parse(FormatLine(time, Level::kInfo, "stamp", "x", "", {})).contains("request_id"));
}

TEST(Logs, LinesBelowTheLevelAreNotWrittenAndLinesCarryTheThreadsRequest) {
  CapturedLogs captured(Level::kWarning);
  Info("not written");
  Debug("not written either");
  {
    RequestScope scope("outer");
    Warning("written", {{"n", 1}});
    {
      RequestScope inner("inner");
      Error("nested");
    }
    Warning("outer again");
  }
  Error("no request");
  const std::vector<std::string> lines = captured.lines();
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(Parse(lines[0])["msg"], "written");
  EXPECT_EQ(Parse(lines[0])["service"], "test");
  EXPECT_EQ(Parse(lines[0])["request_id"], "outer");
  EXPECT_EQ(Parse(lines[1])["request_id"], "inner");
  EXPECT_EQ(Parse(lines[2])["request_id"], "outer");
  EXPECT_FALSE(Parse(lines[3]).contains("request_id"));
  EXPECT_EQ(CurrentRequestId(), "");
}

TEST(Logs, FlagsAreCheckedAndNamed) {
  absl::SetFlag(&FLAGS_log_level, "loud");
  EXPECT_THAT(ConfigureFromFlags("x"), StatusIs(absl::StatusCode::kInvalidArgument, "--log_level"));
  absl::SetFlag(&FLAGS_log_level, "WARN");
  absl::SetFlag(&FLAGS_access_log_sample, 1.5);
  EXPECT_THAT(ConfigureFromFlags("x"), StatusIs(absl::StatusCode::kInvalidArgument, "--access_log_sample"));
  absl::SetFlag(&FLAGS_access_log_sample, 0.0);
  EXPECT_THAT(ConfigureFromFlags("x"), IsOk());
  EXPECT_FALSE(Enabled(Level::kInfo));
  EXPECT_TRUE(Enabled(Level::kWarning));
  EXPECT_FALSE(IsSampled("anything"));
  absl::SetFlag(&FLAGS_log_level, "info");
  absl::SetFlag(&FLAGS_access_log_sample, 0.01);
  Configure(Options{});
}

TEST(Logs, AccessLinesAreSampledByRequestIdAndFailedOrSlowRequestsAlwaysLog) {
  {
    CapturedLogs captured(Level::kInfo, 0.25);
    int sampled = 0;
    for (int i = 0; i < 20000; ++i) {
      const std::string id = NewRequestId();
      const bool first = IsSampled(id);
      EXPECT_EQ(IsSampled(id), first);  // the same answer for the same id, in every service
      sampled += first ? 1 : 0;
    }
    EXPECT_GT(sampled, 4500);  // 25% of 20,000 is 5,000; the bounds are over 7 standard deviations
    EXPECT_LT(sampled, 5500);
    // The decision depends on the id only (a fixed hash, not std::hash): pinned for two ids.
    std::string in, out;
    for (int i = 0; in.empty() || out.empty(); ++i) (IsSampled(absl::StrCat("id-", i)) ? in : out) = absl::StrCat("id-", i);
    EXPECT_TRUE(ShouldLogAccess(in, false, absl::ZeroDuration()));
    EXPECT_FALSE(ShouldLogAccess(out, false, absl::ZeroDuration()));
    EXPECT_TRUE(ShouldLogAccess(out, /*failed=*/true, absl::ZeroDuration()));
    EXPECT_TRUE(ShouldLogAccess(out, false, absl::Seconds(1)));  // slow: the default limit is 1 s
  }
  {
    CapturedLogs none(Level::kInfo, 0.0);
    EXPECT_FALSE(IsSampled(NewRequestId()));
    CapturedLogs all(Level::kInfo, 1.0);
    EXPECT_TRUE(IsSampled(NewRequestId()));
  }
  // At warning level only failures are written.
  CapturedLogs quiet(Level::kWarning, 1.0);
  EXPECT_FALSE(ShouldLogAccess("x", false, absl::Seconds(5)));
  EXPECT_TRUE(ShouldLogAccess("x", true, absl::ZeroDuration()));
}

TEST(Logs, RequestIdsAreFreshAndWhatCallersSendIsChecked) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewRequestId();
    EXPECT_EQ(id.size(), 16u);
    EXPECT_TRUE(IsValidRequestId(id)) << id;
    ids.insert(std::move(id));
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_TRUE(IsValidRequestId("3f2a-b7.c:9_Z"));
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(65, 'a')));
  for (const char* bad : {"a b", "a\"b", "a\nb", "a}b", "tê"}) EXPECT_FALSE(IsValidRequestId(bad)) << bad;
  EXPECT_EQ(RequestIdOrNew("kept-1"), "kept-1");
  EXPECT_EQ(RequestIdOrNew("not kept").size(), 16u);
}

// ---- across gRPC hops

// "front" answers GetProducer by asking "back" through a channel from grpcutil::MakeChannel, as a
// service calls another; both record the request id their handler ran under.
class HopService final : public registry::v1::RegistryService::Service {
 public:
  explicit HopService(std::string next) : next_(std::move(next)) {}

  grpc::Status GetProducer(grpc::ServerContext*, const registry::v1::GetProducerRequest* request,
                           registry::v1::Producer* response) override {
    {
      std::lock_guard lock(mutex_);
      seen_.push_back(CurrentRequestId());
    }
    if (next_.empty()) {
      response->set_name(request->name());
      return grpc::Status::OK;
    }
    auto stub = registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(next_));
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, absl::Seconds(5));
    return stub->GetProducer(&context, *request, response);
  }

  std::vector<std::string> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::string next_;
  std::mutex mutex_;
  std::vector<std::string> seen_;
};

class RequestIdAcrossServices : public ::testing::Test {
 protected:
  void SetUp() override {
    back_service_ = std::make_unique<HopService>("");
    auto back = grpcutil::GrpcServer::Start({}, {back_service_.get()});
    ASSERT_THAT(back, IsOk());
    back_ = std::move(*back);
    front_service_ = std::make_unique<HopService>(absl::StrCat("127.0.0.1:", back_->port()));
    auto front = grpcutil::GrpcServer::Start({}, {front_service_.get()});
    ASSERT_THAT(front, IsOk());
    front_ = std::move(*front);
  }

  // Calls front on `channel`, with `metadata_id` as x-request-id when not empty.
  grpc::Status Call(const std::shared_ptr<grpc::Channel>& channel, const std::string& metadata_id = "") {
    auto stub = registry::v1::RegistryService::NewStub(channel);
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, absl::Seconds(5));
    if (!metadata_id.empty()) context.AddMetadata("x-request-id", metadata_id);
    registry::v1::GetProducerRequest request;
    request.set_name("producers/1");
    registry::v1::Producer producer;
    return stub->GetProducer(&context, request, &producer);
  }

  std::string FrontAddress() const { return absl::StrCat("127.0.0.1:", front_->port()); }

  std::unique_ptr<HopService> back_service_, front_service_;
  std::unique_ptr<grpcutil::GrpcServer> back_, front_;
};

TEST_F(RequestIdAcrossServices, TheCallersIdReachesEveryHopAndTheirAccessLines) {
  CapturedLogs captured;
  {
    RequestScope scope("edge-42");  // as lookup's HTTP edge or ocopctl sets it
    ASSERT_TRUE(Call(grpcutil::MakeChannel(FrontAddress())).ok());
  }
  EXPECT_EQ(front_service_->seen(), std::vector<std::string>{"edge-42"});
  EXPECT_EQ(back_service_->seen(), std::vector<std::string>{"edge-42"});
  // One access line per hop, each with the id, the method and the code.
  int access_lines = 0;
  for (const std::string& line : captured.lines()) {
    nlohmann::json parsed = Parse(line);
    if (parsed["msg"] != "rpc") continue;
    ++access_lines;
    EXPECT_EQ(parsed["request_id"], "edge-42") << line;
    EXPECT_EQ(parsed["method"], "/ocop.registry.v1.RegistryService/GetProducer") << line;
    EXPECT_EQ(parsed["code"], "OK") << line;
    EXPECT_EQ(parsed["level"], "info") << line;
    EXPECT_TRUE(parsed["ms"].is_number()) << line;
  }
  EXPECT_EQ(access_lines, 2);
  // The handler's thread is left without an id once the call is over.
  EXPECT_EQ(CurrentRequestId(), "");
}

TEST_F(RequestIdAcrossServices, ACallWithoutAnIdGetsOneAtTheFirstServiceAndAMalformedOneIsReplaced) {
  CapturedLogs captured;
  // A plain client (not ours): no id at all.
  ASSERT_TRUE(Call(grpc::CreateChannel(FrontAddress(), grpc::InsecureChannelCredentials())).ok());
  ASSERT_EQ(front_service_->seen().size(), 1u);
  const std::string made = front_service_->seen()[0];
  EXPECT_TRUE(IsValidRequestId(made)) << made;
  EXPECT_EQ(made.size(), 16u);
  EXPECT_EQ(back_service_->seen(), std::vector<std::string>{made});

  // An id that would break the log's structure is not used.
  ASSERT_TRUE(Call(grpc::CreateChannel(FrontAddress(), grpc::InsecureChannelCredentials()), "x\",\"level\":\"error")
                  .ok());
  ASSERT_EQ(front_service_->seen().size(), 2u);
  const std::string replaced = front_service_->seen()[1];
  EXPECT_TRUE(IsValidRequestId(replaced)) << replaced;
  EXPECT_EQ(back_service_->seen()[1], replaced);
  for (const std::string& line : captured.lines()) EXPECT_EQ(line.find("x\\\","), std::string::npos) << line;

  // A well-formed id from any gRPC caller is kept (integrators pass their own).
  ASSERT_TRUE(Call(grpc::CreateChannel(FrontAddress(), grpc::InsecureChannelCredentials()), "partner-7").ok());
  EXPECT_EQ(back_service_->seen()[2], "partner-7");
}

}  // namespace
}  // namespace ocop::logs
