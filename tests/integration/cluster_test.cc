// End-to-end on the scaled-out deployment exactly as tools/cluster starts it: PostgreSQL, Redis,
// two replicas of every service, nginx in front (HTTP for the page, grpc_pass for gRPC), the demo
// loaded. Every call of the load goes through nginx, as a phone, a producer or a label printer
// would make it; the checks also talk to single replicas on their own ports.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/grpc/client.h"
#include "common/grpc/proto_time.h"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "ocop/registry/v1/identity.grpc.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "ocop/stamp/v1/stamp.grpc.pb.h"
#include "tests/support/processes.h"

namespace ocop {
namespace {

using ::ocop::testing::ChildProcess;
using ::ocop::testing::HttpGet;
using ::ocop::testing::HttpResult;
using ::ocop::testing::TempDir;

constexpr int kClusterPorts = 20;  // tools/cluster's layout
constexpr int kPhones = 3;         // scanning threads in the kill test
constexpr char kReplicas[][10] = {"registry", "batch", "stamp", "lookup"};

bool PortIsFree(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  const bool free = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  close(fd);
  return free;
}

// The first of kClusterPorts consecutive free loopback ports, below the ephemeral range (where
// other tests' servers bind). Blocks are aligned and each is claimed with a lock file held until
// the process exits, so two cluster tests running side by side never pick overlapping blocks.
int FindPortBase() {
  std::mt19937 random(static_cast<unsigned>(getpid()) ^ static_cast<unsigned>(absl::ToUnixNanos(absl::Now())));
  for (int attempt = 0; attempt < 500; ++attempt) {
    const int base = 20000 + kClusterPorts * static_cast<int>(random() % (12000 / kClusterPorts));
    const int lock = open(absl::StrCat("/tmp/ocop-cluster-ports-", base, ".lock").c_str(), O_CREAT | O_RDWR, 0600);
    if (lock < 0) continue;
    if (flock(lock, LOCK_EX | LOCK_NB) != 0) {
      close(lock);
      continue;
    }
    bool all_free = true;
    for (int port = base; port < base + kClusterPorts && all_free; ++port) all_free = PortIsFree(port);
    if (all_free) return base;  // the lock stays held (its descriptor open) until we exit
    close(lock);
  }
  return 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// tools/cluster, started once for every test here, stopped (SIGTERM: it stops what it started) at
// the end.
class Cluster {
 public:
  absl::Status Start() {
    const int base = FindPortBase();
    if (base == 0) return absl::UnavailableError("no 20 consecutive free loopback ports");
    data_ = dir_.File("cluster");
    // PostgreSQL runs as its own user under root, and must pass through our folder to its own.
    chmod(dir_.path().c_str(), 0711);
    setenv("OCOP_CLUSTER_DATA", data_.c_str(), 1);
    setenv("OCOP_CLUSTER_PORT_BASE", std::to_string(base).c_str(), 1);
    setenv("OCOP_BUILD_DIR", OCOP_BUILD_DIR, 1);
    setenv("OCOP_CLUSTER_SKIP_BUILD", "1", 1);
    absl::StatusOr<std::unique_ptr<ChildProcess>> script =
        ChildProcess::Start({"bash", std::string(OCOP_SOURCE_DIR) + "/tools/cluster", "--reset"}, Log(),
                            /*own_group=*/true);
    if (!script.ok()) return script.status();
    script_ = std::move(*script);
    group_ = script_->pid();
    const absl::Time deadline = absl::Now() + absl::Minutes(4);
    while (!std::filesystem::exists(data_ + "/run/ready")) {
      if (script_->WaitForExit(absl::Milliseconds(200)).ok()) {
        return absl::InternalError(absl::StrCat("tools/cluster exited before it was ready:\n", ReadFile(Log())));
      }
      if (absl::Now() > deadline) return absl::DeadlineExceededError("tools/cluster was not ready in 4 minutes");
    }
    for (absl::string_view line : absl::StrSplit(ReadFile(data_ + "/run/cluster.env"), '\n', absl::SkipEmpty())) {
      std::pair<std::string, std::string> entry = absl::StrSplit(line, absl::MaxSplits('=', 1));
      int port = 0;
      if (!absl::SimpleAtoi(entry.second, &port)) return absl::InternalError(absl::StrCat("cluster.env: ", line));
      env_[entry.first] = port;
    }
    return absl::OkStatus();
  }

  ~Cluster() {
    if (script_ == nullptr) return;
    script_->Stop(absl::Seconds(60));
    // The script leads a process group of its own: whatever it started and did not stop (it stops
    // everything on SIGTERM) goes with the group, so no server outlives the test. (Never
    // kill(-0): that is our own group, ctest included.)
    if (group_ > 1) kill(-group_, SIGKILL);
  }

  std::string Log() const { return dir_.File("cluster.log"); }
  // nginx's HTTP port (the scan page)
  int http_port() const { return Env("OCOP_HTTP_PORT"); }
  // nginx's gRPC front of `service`
  std::string Front(const std::string& service) const { return Loopback(Env(Upper("OCOP_" + service + "_FRONT"))); }
  // One replica's own gRPC port, e.g. "stamp-1"
  int ReplicaPort(const std::string& replica) const { return Env(Upper("OCOP_PORT_" + replica)); }
  int RedisPort() const { return Env("OCOP_REDIS_PORT"); }
  int LookupHttpPort(const std::string& replica) const { return Env(Upper("OCOP_HTTP_PORT_" + replica)); }
  std::string Replica(const std::string& replica) const { return Loopback(ReplicaPort(replica)); }
  // The current process of `replica` (its supervisor rewrites the file at each start).
  pid_t Pid(const std::string& replica) const {
    int pid = 0;
    return absl::SimpleAtoi(absl::StripAsciiWhitespace(ReadFile(data_ + "/run/" + replica + ".pid")), &pid) ? pid : 0;
  }
  std::string Secret(const std::string& name) const {
    return std::string(absl::StripAsciiWhitespace(ReadFile(data_ + "/secrets/" + name)));
  }
  std::string LogOf(const std::string& name) const { return ReadFile(data_ + "/logs/" + name + ".log"); }
  // Requests nginx's access log shows answered 200 by the upstream on `port`.
  int ServedBy(int port) const {
    const std::string upstream = absl::StrCat("127.0.0.1:", port);
    int count = 0;
    for (absl::string_view line : absl::StrSplit(LogOf("nginx-access"), '\n', absl::SkipEmpty())) {
      // time, server port, uri, status, upstream address(es), upstream status(es), time taken, request id
      std::vector<absl::string_view> fields = absl::StrSplit(line, ' ');
      if (fields.size() == 8 && fields[4] == upstream && fields[3] == "200") ++count;
    }
    return count;
  }

 private:
  static std::string Upper(std::string text) {
    for (char& c : text) c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
  }
  static std::string Loopback(int port) { return absl::StrCat("127.0.0.1:", port); }
  int Env(const std::string& key) const {
    auto found = env_.find(key);
    return found == env_.end() ? 0 : found->second;
  }

  TempDir dir_;
  std::string data_;
  std::unique_ptr<ChildProcess> script_;
  pid_t group_ = 0;
  std::map<std::string, int> env_;
};

std::unique_ptr<grpc::ClientContext> Context(const std::string& token, absl::Duration timeout = absl::Seconds(10)) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  return context;
}

// The member of a page at `pointer` ("/product/displayName"), null when absent: proto JSON leaves
// out empty fields, such as the events of a lot that has none.
nlohmann::json At(const nlohmann::json& page, const std::string& pointer) {
  const nlohmann::json::json_pointer at(pointer);
  return page.is_object() && page.contains(at) ? page.at(at) : nlohmann::json();
}

// What one test registers through nginx: a producer with a signed-in user, a rated product, lots,
// and a roll of activated stamps whose codes the scanners use.
struct World {
  std::string producer;
  std::string producer_token;
  std::string product;
  std::vector<std::string> lots;
  stamp::v1::Roll roll;
  std::vector<std::string> codes;  // by serial order
};

class ClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    cluster_ = new Cluster();
    started_ = new absl::Status(cluster_->Start());
  }
  static void TearDownTestSuite() {
    delete cluster_;
    delete started_;
  }

  void SetUp() override {
    ASSERT_TRUE(started_->ok()) << *started_;
    identity_ = registry::v1::IdentityService::NewStub(grpcutil::MakeChannel(cluster_->Front("registry")));
    registry_ = registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(cluster_->Front("registry")));
    batches_ = batch::v1::BatchService::NewStub(grpcutil::MakeChannel(cluster_->Front("batch")));
    stamps_ = stamp::v1::StampService::NewStub(grpcutil::MakeChannel(cluster_->Front("stamp")));
    ASSERT_TRUE(Login("admin", cluster_->Secret("admin-password"), &admin_token_).ok());
  }

  grpc::Status Login(const std::string& username, const std::string& password, std::string* token) {
    registry::v1::LoginRequest request;
    request.set_username(username);
    request.set_password(password);
    registry::v1::LoginResponse session;
    grpc::Status status = identity_->Login(Context("").get(), request, &session);
    *token = session.access_token().token();
    return status;
  }

  // Registers `tag`'s world with `lot_count` lots and a roll of `stamp_count` activated stamps on
  // the first lot.
  void MakeWorld(const std::string& tag, int lot_count, int stamp_count, World* world) {
    registry::v1::CreateProducerRequest producer_request;
    producer_request.set_request_id(tag + "-producer");
    registry::v1::Producer* producer = producer_request.mutable_producer();
    producer->set_display_name("HTX " + tag);
    producer->set_kind(registry::v1::PRODUCER_KIND_COOPERATIVE);
    producer->mutable_address()->set_province_code("19");
    producer->mutable_address()->set_province_name("Tỉnh Thái Nguyên");
    producer->mutable_address()->set_commune_code("05503");
    producer->mutable_address()->set_commune_name("Xã Tân Cương");
    registry::v1::Producer created_producer;
    grpc::Status status = registry_->CreateProducer(Context(admin_token_).get(), producer_request, &created_producer);
    ASSERT_TRUE(status.ok()) << status.error_message();
    world->producer = created_producer.name();

    registry::v1::CreateUserRequest user;
    user.set_request_id(tag + "-user");
    user.mutable_user()->set_username("user-" + tag);
    user.mutable_user()->set_role("producer");
    user.mutable_user()->set_producer(world->producer);
    user.set_password("password of user-" + tag);
    registry::v1::User created_user;
    status = identity_->CreateUser(Context(admin_token_).get(), user, &created_user);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_TRUE(Login("user-" + tag, "password of user-" + tag, &world->producer_token).ok());

    registry::v1::CreateProductRequest product_request;
    product_request.set_request_id(tag + "-product");
    registry::v1::Product* product = product_request.mutable_product();
    product->set_producer(world->producer);
    product->set_display_name("Chè " + tag);
    product->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
    registry::v1::OcopRating* rating = product->mutable_rating();
    rating->set_score(78);
    rating->set_certificate_number("TN-" + tag);
    rating->set_valid_until("2099-06-30");
    rating->set_council_level(registry::v1::COUNCIL_LEVEL_PROVINCE);
    rating->set_decision_number("123/QĐ-UBND");
    rating->set_decision_date("2020-06-30");
    registry::v1::Product created_product;
    status = registry_->CreateProduct(Context(admin_token_).get(), product_request, &created_product);
    ASSERT_TRUE(status.ok()) << status.error_message();
    world->product = created_product.name();

    for (int i = 0; i < lot_count; ++i) {
      batch::v1::CreateBatchRequest lot;
      lot.set_request_id(absl::StrCat(tag, "-lot-", i));
      lot.mutable_batch()->set_product(world->product);
      lot.mutable_batch()->set_lot_code(absl::StrCat("LOT-", tag, "-", i));
      lot.mutable_batch()->set_harvest_date("2026-03-14");
      lot.mutable_batch()->set_quantity(250);
      lot.mutable_batch()->set_unit("kg");
      batch::v1::Batch created;
      status = batches_->CreateBatch(Context(admin_token_).get(), lot, &created);
      ASSERT_TRUE(status.ok()) << status.error_message();
      world->lots.push_back(created.name());
    }

    stamp::v1::IssueRollRequest issue;
    issue.set_request_id(tag + "-roll");
    issue.mutable_roll()->set_batch(world->lots[0]);
    issue.mutable_roll()->set_count(stamp_count);
    status = stamps_->IssueRoll(Context(admin_token_).get(), issue, &world->roll);
    ASSERT_TRUE(status.ok()) << status.error_message();
    stamp::v1::ChangeStampsRequest activate;
    activate.set_roll(world->roll.name());
    activate.set_first_serial(world->roll.first_serial());
    activate.set_count(stamp_count);
    status = stamps_->ActivateStamps(Context(admin_token_).get(), activate, &world->roll);
    ASSERT_TRUE(status.ok()) << status.error_message();
    // ZPL: the codes without drawing a picture of each.
    stamp::v1::StreamStampsRequest stream;
    stream.set_roll(world->roll.name());
    stream.set_format(stamp::v1::IMAGE_FORMAT_ZPL);
    stream.set_printer("cluster-test");
    auto context = Context(world->producer_token, absl::Seconds(60));
    auto reader = stamps_->StreamStamps(context.get(), stream);
    stamp::v1::RenderedStamp rendered;
    while (reader->Read(&rendered)) world->codes.push_back(rendered.url().substr(rendered.url().rfind('/') + 1));
    status = reader->Finish();
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(world->codes.size(), static_cast<size_t>(stamp_count));
  }

  // GET /v1/resolve/{code} on `port` as the phone at 10.{client}: its JSON (null when not 200).
  static nlohmann::json ResolveJson(int port, const std::string& code, uint32_t client, int* status = nullptr) {
    const std::string forwarded =
        absl::StrCat("X-Forwarded-For: 10.", (client >> 16) & 255, ".", (client >> 8) & 255, ".", client & 255, "\r\n");
    HttpResult result = HttpGet(port, "/v1/resolve/" + code, forwarded);
    if (status != nullptr) *status = result.status;
    if (result.status != 200) return nullptr;
    return nlohmann::json::parse(result.body, nullptr,
                                 /*allow_exceptions=*/false);
  }

  // An event on `lot` sent to `stub` under `request_id`, retried with the very same request until
  // it is acknowledged or `patience` runs out: the event's name, or empty.
  static std::string AppendUntilAcknowledged(batch::v1::BatchService::Stub* stub, const std::string& token,
                                             const std::string& lot, const std::string& request_id,
                                             absl::Duration patience) {
    batch::v1::AppendEventRequest request;
    request.set_parent(lot);
    request.set_request_id(request_id);
    request.mutable_event()->set_type(batch::v1::EVENT_TYPE_OBJECT);
    request.mutable_event()->set_biz_step("receiving");
    (*request.mutable_event()->mutable_details())["request"] = request_id;
    grpcutil::ToProtoTime(absl::FromUnixSeconds(1773900000), request.mutable_event()->mutable_event_time());
    const absl::Time give_up = absl::Now() + patience;
    while (absl::Now() < give_up) {
      batch::v1::BatchEvent event;
      if (stub->AppendEvent(Context(token, absl::Seconds(3)).get(), request, &event).ok()) return event.name();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return "";
  }

  static inline Cluster* cluster_ = nullptr;
  static inline absl::Status* started_ = nullptr;
  std::string admin_token_;
  std::unique_ptr<registry::v1::IdentityService::Stub> identity_;
  std::unique_ptr<registry::v1::RegistryService::Stub> registry_;
  std::unique_ptr<batch::v1::BatchService::Stub> batches_;
  std::unique_ptr<stamp::v1::StampService::Stub> stamps_;
};

TEST_F(ClusterTest, TheDemoAnswersThroughNginx) {
  // The demo's first stamp (tools/cluster printed and activated it), scanned through nginx.
  std::string urls = ReadFile(std::string(getenv("OCOP_CLUSTER_DATA")) + "/stamps/urls.txt");
  ASSERT_FALSE(urls.empty());
  std::vector<std::string> first = absl::StrSplit(urls.substr(0, urls.find('\n')), ' ');
  ASSERT_EQ(first.size(), 2u);
  const std::string code = first[1].substr(first[1].rfind('/') + 1);
  nlohmann::json page = ResolveJson(cluster_->http_port(), code, 1);
  ASSERT_TRUE(page.is_object());
  EXPECT_EQ(At(page, "/verdict"), "VERDICT_GENUINE");
  EXPECT_EQ(At(page, "/batch/lotCode"), "TC-2026-03-A");
  // The lookups share a Redis that wants a password (they send it with AUTH; the scan above was
  // counted there): without it Redis answers nothing.
  const std::string redis = absl::StrCat("redis-cli -p ", cluster_->RedisPort(), " ");
  EXPECT_NE(::ocop::testing::RunCommand(redis + "PING 2>&1").find("NOAUTH"), std::string::npos);
  const std::string password = cluster_->Secret("redis-password");
  int keys = 0;
  const std::string dbsize = ::ocop::testing::RunCommand(redis + "--no-auth-warning -a '" + password + "' DBSIZE");
  EXPECT_TRUE(absl::SimpleAtoi(absl::StripAsciiWhitespace(dbsize), &keys)) << dbsize;
  EXPECT_GT(keys, 0);
  // The register was imported into PostgreSQL through nginx, and its search (a GIN index there)
  // ignores diacritics.
  registry::v1::ListProductsRequest search;
  search.set_query("mat ong");  // the register's honey products
  search.set_page_size(100);
  registry::v1::ListProductsResponse found;
  grpc::Status status = registry_->ListProducts(Context(admin_token_).get(), search, &found);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_GE(found.products_size(), 20);
}

// One replica of every service SIGKILLed while phones scan, producers append events and a printer
// issues and streams rolls, all through nginx. Scans keep answering, every acknowledged write is
// stored once, chains verify, no serial is issued twice, and the killed replicas come back and take
// their share again.
TEST_F(ClusterTest, KillingOneReplicaOfEachServiceUnderLoadLosesNothing) {
  World world;
  ASSERT_NO_FATAL_FAILURE(MakeWorld("kill", 2, 600, &world));
  std::atomic<bool> stop{false};
  std::vector<std::thread> load;

  // Phones: first scans of distinct stamps, each from its own address (rate limits stay on).
  std::mutex scans_mutex;
  std::map<std::string, int> scan_outcomes;  // "200 VERDICT_GENUINE", "503", ...
  std::vector<absl::Time> unavailable_at;    // when each 503 came
  std::atomic<uint32_t> next_client{1000};
  for (int phone = 0; phone < kPhones; ++phone) {
    load.emplace_back([&, phone] {
      for (size_t i = phone; !stop; i += kPhones) {
        int status = 0;
        nlohmann::json page =
            ResolveJson(cluster_->http_port(), world.codes[i % world.codes.size()], next_client++, &status);
        std::string outcome = std::to_string(status);
        if (page.is_object()) outcome += " " + page.value("verdict", std::string("?"));
        std::lock_guard<std::mutex> lock(scans_mutex);
        ++scan_outcomes[outcome];
        if (status == 503) unavailable_at.push_back(absl::Now());
      }
    });
  }

  // Producers: two writers on the first lot (one chain, two replicas), one on the second.
  std::mutex appends_mutex;
  std::map<std::string, std::map<std::string, std::string>> acknowledged;  // lot -> request id -> event
  std::vector<std::string> lost;
  for (int writer = 0; writer < 3; ++writer) {
    load.emplace_back([&, writer] {
      const std::string lot = world.lots[writer == 2 ? 1 : 0];
      for (int n = 0; !stop; ++n) {
        const std::string id = absl::StrCat("kill-append-", writer, "-", n);
        const std::string event = AppendUntilAcknowledged(batches_.get(), admin_token_, lot, id, absl::Seconds(30));
        std::lock_guard<std::mutex> lock(appends_mutex);
        if (event.empty()) {
          lost.push_back(id);
        } else {
          acknowledged[lot][id] = event;
        }
      }
    });
  }

  // Two label printers: each issues rolls of 100 (retried by request id) and streams each, resuming
  // a cut stream from the last stamp it received.
  std::map<std::string, stamp::v1::Roll> rolls;  // request id -> roll
  std::map<uint64_t, int> serials_received;      // serial -> times
  int streams_resumed = 0;
  std::vector<std::string> printer_failures;
  std::mutex printers_mutex;
  for (int printer = 0; printer < 2; ++printer) {
    load.emplace_back([&, printer] {
      for (int n = 0; !stop; ++n) {
        const std::string id = absl::StrCat("kill-roll-", printer, "-", n);
        stamp::v1::IssueRollRequest issue;
        issue.set_request_id(id);
        issue.mutable_roll()->set_batch(world.lots[1]);
        issue.mutable_roll()->set_count(100);
        stamp::v1::Roll roll;
        const absl::Time give_up = absl::Now() + absl::Seconds(30);
        while (!stamps_->IssueRoll(Context(admin_token_, absl::Seconds(3)).get(), issue, &roll).ok()) {
          if (absl::Now() > give_up) {
            std::lock_guard<std::mutex> lock(printers_mutex);
            printer_failures.push_back(id + ": not issued in 30 s");
            return;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        {
          std::lock_guard<std::mutex> lock(printers_mutex);
          rolls[id] = roll;
        }
        std::string render;
        uint64_t last = roll.first_serial() - 1;
        while (last < roll.first_serial() + roll.count() - 1) {
          if (absl::Now() > give_up) {
            std::lock_guard<std::mutex> lock(printers_mutex);
            printer_failures.push_back(absl::StrCat(id, ": stream incomplete after 30 s, last serial ", last));
            return;
          }
          stamp::v1::StreamStampsRequest stream;
          stream.set_format(stamp::v1::IMAGE_FORMAT_SVG);
          stream.set_printer("cluster-printer");
          if (render.empty()) {
            stream.set_roll(roll.name());
          } else {
            std::lock_guard<std::mutex> lock(printers_mutex);
            ++streams_resumed;
            stream.set_resume_render(render);
            stream.set_last_received_serial(last);
          }
          auto context = Context(world.producer_token, absl::Seconds(5));
          auto reader = stamps_->StreamStamps(context.get(), stream);
          stamp::v1::RenderedStamp stamp;
          while (reader->Read(&stamp)) {
            render = stamp.render();
            last = std::max(last, stamp.serial());
            std::lock_guard<std::mutex> lock(printers_mutex);
            ++serials_received[stamp.serial()];
          }
          grpc::Status status = reader->Finish();
          if (!status.ok() && render.empty() && status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) {
            // Cut before the first stamp arrived, after the server had recorded the render: the
            // range now needs a reprint order, as for any printer that lost a whole render.
            std::lock_guard<std::mutex> lock(printers_mutex);
            printer_failures.push_back(id + ": " + status.error_message());
            break;
          }
          if (!status.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
      }
    });
  }

  // The load runs alone, then one replica of each service is killed, then the load goes on.
  std::this_thread::sleep_for(std::chrono::seconds(3));
  std::map<std::string, pid_t> killed;
  const absl::Time killing_at = absl::Now();
  for (const char* service : kReplicas) {
    const std::string replica = std::string(service) + "-1";
    killed[replica] = cluster_->Pid(replica);
    ASSERT_GT(killed[replica], 0) << replica;
    ASSERT_EQ(kill(killed[replica], SIGKILL), 0) << replica;
  }
  const absl::Time killed_at = absl::Now();
  // The killed replicas come back: new processes (their supervisor restarts them after a second),
  // listening on their ports again, while the load goes on.
  const auto all_back = [&] {
    for (const auto& [replica, old_pid] : killed) {
      if (cluster_->Pid(replica) == old_pid) return false;
      if (!::ocop::testing::WaitForTcp(cluster_->ReplicaPort(replica), absl::Milliseconds(50)).ok()) return false;
    }
    return true;
  };
  while (!all_back() && absl::Now() - killed_at < absl::Seconds(60)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const absl::Duration back_after = absl::Now() - killed_at;
  for (const auto& [replica, old_pid] : killed) {
    EXPECT_NE(cluster_->Pid(replica), old_pid) << replica << " was not started again";
    EXPECT_NE(cluster_->LogOf(replica).find("exited with status 137"), std::string::npos) << replica;
  }
  std::this_thread::sleep_for(std::chrono::seconds(7) - absl::ToChronoMilliseconds(back_after));
  stop = true;
  for (std::thread& thread : load) thread.join();
  std::printf("the killed replicas listened again %s after the kill\n", absl::FormatDuration(back_after).c_str());

  // Scans kept answering: every one was a genuine page or, for a scan whose backend call was in
  // flight on a killed replica (a phone has one scan in flight at a time), a calm 503 ("cannot
  // check now"); never an error page or "not genuine", and no 503 before the kill.
  int scans = 0;
  for (const auto& [outcome, count] : scan_outcomes) {
    scans += count;
    EXPECT_TRUE(outcome == "200 VERDICT_GENUINE" || outcome == "503") << outcome << " x" << count;
  }
  EXPECT_LE(unavailable_at.size(), 2u * kPhones) << "of " << scans;
  for (absl::Time when : unavailable_at) EXPECT_GE(when, killing_at) << "a 503 before any replica was killed";
  EXPECT_GT(scan_outcomes["200 VERDICT_GENUINE"], 2 * kPhones) << "too few scans to tell";
  std::printf("scans: %d, of which 200 genuine %d, 503 %d\n", scans, scan_outcomes["200 VERDICT_GENUINE"],
              scan_outcomes["503"]);

  // Every acknowledged event is stored once, in chains that verify.
  EXPECT_TRUE(lost.empty()) << lost.size() << " appends never acknowledged, e.g. " << lost.front();
  int appended = 0;
  for (const std::string& lot : world.lots) {
    std::map<std::string, std::string> stored;
    batch::v1::ListEventsRequest list;
    list.set_parent(lot);
    list.set_page_size(1000);
    int64_t expected_sequence = 1;
    do {
      batch::v1::ListEventsResponse page;
      grpc::Status status = batches_->ListEvents(Context(admin_token_).get(), list, &page);
      ASSERT_TRUE(status.ok()) << status.error_message();
      for (const batch::v1::BatchEvent& event : page.events()) {
        EXPECT_EQ(event.sequence(), expected_sequence++);
        auto request = event.details().find("request");
        if (request == event.details().end()) continue;
        EXPECT_TRUE(stored.emplace(request->second, event.name()).second) << "stored twice: " << request->second;
      }
      list.set_page_token(page.next_page_token());
    } while (!list.page_token().empty());
    EXPECT_EQ(stored, acknowledged[lot]) << lot;
    appended += static_cast<int>(stored.size());
    batch::v1::VerifyChainRequest verify;
    verify.set_chain(lot);
    batch::v1::VerifyChainResponse verified;
    ASSERT_TRUE(batches_->VerifyChain(Context(admin_token_).get(), verify, &verified).ok());
    EXPECT_TRUE(verified.intact()) << lot << ": " << verified.problem();
  }
  EXPECT_GT(appended, 20);

  // No serial issued twice: the rolls' ranges are disjoint, every stamp streamed lies in one, and
  // every roll streamed whole.
  EXPECT_LE(printer_failures.size(), 1u) << printer_failures.front();
  std::map<uint64_t, uint64_t> ranges = {{world.roll.first_serial(), world.roll.first_serial() + world.roll.count()}};
  for (const auto& [id, roll] : rolls) {
    EXPECT_TRUE(ranges.emplace(roll.first_serial(), roll.first_serial() + roll.count()).second) << id;
  }
  uint64_t end = 0;
  for (const auto& [first, past] : ranges) {
    EXPECT_GE(first, end) << "serials issued twice";
    end = past;
  }
  int streamed = 0;
  for (const auto& [serial, times] : serials_received) {
    auto range = ranges.upper_bound(serial);
    ASSERT_NE(range, ranges.begin());
    --range;
    EXPECT_LT(serial, range->second) << serial << " is in no roll";
    ++streamed;
  }
  EXPECT_GE(rolls.size(), 3u);
  std::printf(
      "appends: %d acknowledged and stored once; rolls: %zu, stamps "
      "streamed %d, streams resumed %d\n",
      appended, rolls.size(), streamed, streams_resumed);

  // The killed replicas answer on their own ports ...
  auto registry_1 = registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(cluster_->Replica("registry-1")));
  registry::v1::GetProductRequest get_product;
  get_product.set_name(world.product);
  registry::v1::Product product;
  grpc::Status status = registry_1->GetProduct(Context(admin_token_).get(), get_product, &product);
  EXPECT_TRUE(status.ok()) << status.error_message();
  auto batch_1 = batch::v1::BatchService::NewStub(grpcutil::MakeChannel(cluster_->Replica("batch-1")));
  EXPECT_FALSE(
      AppendUntilAcknowledged(batch_1.get(), admin_token_, world.lots[1], "kill-after", absl::Seconds(20)).empty());
  auto stamp_1 = stamp::v1::StampService::NewStub(grpcutil::MakeChannel(cluster_->Replica("stamp-1")));
  stamp::v1::GetRollRequest get_roll;
  get_roll.set_name(world.roll.name());
  stamp::v1::Roll roll;
  status = stamp_1->GetRoll(Context(admin_token_).get(), get_roll, &roll);
  EXPECT_TRUE(status.ok()) << status.error_message();
  nlohmann::json page = ResolveJson(cluster_->LookupHttpPort("lookup-1"), world.codes[0], 1);
  ASSERT_TRUE(page.is_object());
  EXPECT_EQ(At(page, "/verdict"), "VERDICT_GENUINE");
  // ... and nginx sends them their share again once its 2-second pause on a failed peer is over.
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const int page_served_before = cluster_->ServedBy(cluster_->LookupHttpPort("lookup-1"));
  const int product_served_before = cluster_->ServedBy(cluster_->ReplicaPort("registry-1"));
  for (uint32_t n = 0; n < 20; ++n) {
    ResolveJson(cluster_->http_port(), world.codes[n], 5000 + n);
    registry_->GetProduct(Context(admin_token_).get(), get_product, &product);
  }
  EXPECT_GT(cluster_->ServedBy(cluster_->LookupHttpPort("lookup-1")), page_served_before);
  EXPECT_GT(cluster_->ServedBy(cluster_->ReplicaPort("registry-1")), product_served_before);

  // nginx names each request ($request_id, 32 hex digits); lookup trusts it as a proxy's, answers
  // and logs under that id, so nginx's access line and the replica's lines share it.
  const HttpResult through_nginx = HttpGet(cluster_->http_port(), "/v1/resolve/" + world.codes[0]);
  const size_t header = through_nginx.headers.find("X-Request-Id: ");
  ASSERT_NE(header, std::string::npos) << through_nginx.headers;
  const std::string nginx_id = through_nginx.headers.substr(header + 14, 32);
  EXPECT_EQ(nginx_id.find_first_not_of("0123456789abcdef"), std::string::npos) << through_nginx.headers;
  bool logged = false;
  for (int wait = 0; wait < 40 && !logged; ++wait) {  // nginx writes the line as the request ends
    logged = cluster_->LogOf("nginx-access").find(" " + nginx_id + "\n") != std::string::npos;
    if (!logged) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(logged) << nginx_id;
}

// Lookup replicas share Redis and each follows every backend's change feed through nginx: a change
// made through either replica of a backend shows on both lookup replicas within a second.
TEST_F(ClusterTest, AChangeThroughAnyBackendReplicaReachesEveryLookupReplicaWithinASecond) {
  World world;
  ASSERT_NO_FATAL_FAILURE(MakeWorld("feeds", 1, 4, &world));
  uint32_t client = 20000;
  const std::vector<int> lookups = {cluster_->LookupHttpPort("lookup-1"), cluster_->LookupHttpPort("lookup-2")};
  // Waits until `seen` holds for the page of `code` on every lookup replica: the slowest time.
  const auto seen_everywhere = [&](const std::string& code, const std::function<bool(const nlohmann::json&)>& seen) {
    const absl::Time changed = absl::Now();
    absl::Duration slowest;
    for (int port : lookups) {
      while (!seen(ResolveJson(port, code, client++))) {
        if (absl::Now() - changed > absl::Seconds(5)) return absl::InfiniteDuration();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      slowest = absl::Now() - changed;
    }
    return slowest;
  };
  // Both lookups hold the page first (cached in Redis and in each process).
  for (int port : lookups) {
    nlohmann::json page = ResolveJson(port, world.codes[0], client++);
    ASSERT_TRUE(page.is_object());
    ASSERT_EQ(At(page, "/verdict"), "VERDICT_GENUINE");
  }
  for (const std::string replica : {"batch-1", "batch-2"}) {
    auto stub = batch::v1::BatchService::NewStub(grpcutil::MakeChannel(cluster_->Replica(replica)));
    const size_t events_before = At(ResolveJson(lookups[0], world.codes[0], client++), "/events").size();
    ASSERT_FALSE(AppendUntilAcknowledged(stub.get(), admin_token_, world.lots[0], "feeds-" + replica, absl::Seconds(10))
                     .empty());
    const absl::Duration took = seen_everywhere(world.codes[0], [&](const nlohmann::json& page) {
      return page.is_object() && At(page, "/events").size() == events_before + 1;
    });
    EXPECT_LT(took, absl::Seconds(1)) << "an event appended through " << replica;
    std::printf("event through %s on both lookups after %s\n", replica.c_str(), absl::FormatDuration(took).c_str());
  }
  int serial_index = 1;
  for (const std::string replica : {"stamp-1", "stamp-2"}) {
    auto stub = stamp::v1::StampService::NewStub(grpcutil::MakeChannel(cluster_->Replica(replica)));
    const std::string code = world.codes[serial_index];
    for (int port : lookups) ASSERT_EQ(At(ResolveJson(port, code, client++), "/verdict"), "VERDICT_GENUINE");
    stamp::v1::ChangeStampsRequest revoke;
    revoke.set_roll(world.roll.name());
    revoke.set_first_serial(world.roll.first_serial() + serial_index);
    revoke.set_count(1);
    revoke.set_reason("cluster test: revoked through " + replica);
    stamp::v1::Roll roll;
    grpc::Status status = stub->RevokeStamps(Context(admin_token_).get(), revoke, &roll);
    ASSERT_TRUE(status.ok()) << status.error_message();
    const absl::Duration took = seen_everywhere(
        code, [](const nlohmann::json& page) { return page.is_object() && At(page, "/verdict") == "VERDICT_REVOKED"; });
    EXPECT_LT(took, absl::Seconds(1)) << "a stamp revoked through " << replica;
    std::printf("revocation through %s on both lookups after %s\n", replica.c_str(),
                absl::FormatDuration(took).c_str());
    ++serial_index;
  }
  for (const std::string replica : {"registry-1", "registry-2"}) {
    auto stub = registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(cluster_->Replica(replica)));
    registry::v1::UpdateProductRequest update;
    update.mutable_product()->set_name(world.product);
    const std::string name = "Chè feeds (" + replica + ")";
    update.mutable_product()->set_display_name(name);
    update.mutable_update_mask()->add_paths("display_name");
    registry::v1::Product product;
    grpc::Status status = stub->UpdateProduct(Context(admin_token_).get(), update, &product);
    ASSERT_TRUE(status.ok()) << status.error_message();
    const absl::Duration took = seen_everywhere(world.codes[0], [&](const nlohmann::json& page) {
      return page.is_object() && At(page, "/product/displayName") == name;
    });
    EXPECT_LT(took, absl::Seconds(1)) << "a product renamed through " << replica;
    std::printf("rename through %s on both lookups after %s\n", replica.c_str(), absl::FormatDuration(took).c_str());
  }
}

}  // namespace
}  // namespace ocop
