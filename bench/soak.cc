// Soak: the whole system as it is deployed (redis-server and the four service binaries as separate
// processes, tests/support/deployment.h, production defaults: rate limits on, scan counting on)
// under a realistic mix at a fraction of its measured capacity, for --minutes, on loopback only.
//
//   1. capacity: the scan mix (first scans of distinct stamps and re-scans, each from one of
//      --phones addresses behind the trusted ingress) as fast as --connections kept-alive
//      connections go, for --capacity_seconds, while the writers of step 2 work. That rate is the
//      capacity C.
//   2. soak: open loop at --load x C scans/s (each connection sends on a fixed schedule, latency
//      counted from the scheduled moment, so a stall is not hidden by the client waiting), while
//      producers append events (--append_rate/s, one in ten to a lot being scanned, some retried
//      with their request id) and a printer takes a new roll every --stream_every_s (issued,
//      activated per package of 50, streamed as SVG, PNG, ZPL or PDF in turn).
//   3. checks: every scan answered 200 "genuine", every write acknowledged; every acknowledged
//      event stored exactly once; every first scan counted once in Redis; the scan rate kept in
//      every window; p99 of scans within --p99_goal_ms in every window and not drifting (windows
//      within --p99_target_ms, what a core of lookup's own gives, are counted, not judged); the RSS
//      of every service flat over the second half (end <= half-time + max(5%, 8 MiB)), lookup's
//      within the in-process bounds it prints at start (+ 64 MiB).
// Prints one row per --window_seconds, the seconds with the most slow scans and Redis's background
// work, copies the services' logs to --log_dir, and exits 1 when a goal is missed.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "common/grpc/client.h"
#include "common/status/grpc_status.h"
#include "common/redis/redis_client.h"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "ocop/stamp/v1/stamp.grpc.pb.h"
#include "services/lookup/scan_store.h"
#include "tests/support/deployment.h"

ABSL_FLAG(int, minutes, 10, "Length of the soak");
ABSL_FLAG(double, load, 0.5, "Scan rate of the soak as a fraction of the measured capacity");
ABSL_FLAG(int, capacity_seconds, 20, "Length of the capacity run");
ABSL_FLAG(int, window_seconds, 60, "One report row per window");
ABSL_FLAG(double, first_scan_share, 0.5, "Share of scans that are the first scan of a stamp");
ABSL_FLAG(int, connections, 64, "Kept-alive HTTP connections of the scanning phones (through the ingress)");
ABSL_FLAG(int, phones, 50'000, "Client addresses (X-Forwarded-For) the scans come from");
ABSL_FLAG(int, scanned_lots, 20, "Lots whose stamps are scanned (5 products)");
ABSL_FLAG(int, working_lots, 100, "Further lots that receive events");
ABSL_FLAG(double, append_rate, 10, "Event appends per second");
ABSL_FLAG(int, stream_every_s, 10, "A new roll is issued, activated and streamed this often");
ABSL_FLAG(int, stream_stamps, 1000, "Stamps of each streamed roll");
ABSL_FLAG(double, p99_goal_ms, 250, "Largest p99 of scans in any window (a page a phone waits for)");
ABSL_FLAG(double, p99_target_ms, 50, "Windows with a p99 within this are counted (reported, not judged)");
ABSL_FLAG(std::string, services_dir, OCOP_SERVICES_DIR, "Folder of the service binaries");
ABSL_FLAG(bool, aof_rewrite, true,
          "Let Redis rewrite its append-only file as production does (off only to see what rewrites cost)");
ABSL_FLAG(std::string, log_dir, "soak-logs", "The services' logs are copied here at the end");

namespace {

namespace batch_v1 = ocop::batch::v1;
namespace stamp_v1 = ocop::stamp::v1;
namespace registry_v1 = ocop::registry::v1;
using Clock = std::chrono::steady_clock;

// ---- HTTP over a kept-alive connection (lookup answers with Content-Length; anything else is an
// error here, so a change of framing cannot pass unnoticed).

class HttpConnection {
 public:
  explicit HttpConnection(int port) : port_(port) {}
  ~HttpConnection() { Close(); }
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // GET `target` as the ingress forwards it for `client`: the status (0 when nothing usable came
  // back) and the body.
  int Get(const std::string& target, const std::string& client, std::string* body) {
    const std::string request = absl::StrCat("GET ", target, " HTTP/1.1\r\nHost: ocop.tn.gov.vn\r\nX-Forwarded-For: ",
                                             client, "\r\nUser-Agent: ocop-soak\r\n\r\n");
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = fd_ >= 0;
      if (fd_ < 0 && !Connect()) return 0;
      int status = 0;
      if (Send(request) && Receive(&status, body)) return status;
      Close();
      if (!reused) return 0;  // a fresh connection failed: no second try
    }
    return 0;
  }

 private:
  bool Connect() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port_));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{10, 0};  // a hung server is an error, not a hung soak
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      Close();
      return false;
    }
    return true;
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    buffer_.clear();
  }

  bool Send(const std::string& request) {
    for (size_t sent = 0; sent < request.size();) {
      const ssize_t n = send(fd_, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }

  bool Fill() {
    char chunk[16384];
    const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  bool Receive(int* status, std::string* body) {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return false;
    }
    const std::string headers = absl::AsciiStrToLower(buffer_.substr(0, header_end));
    if (!headers.starts_with("http/1.1 ") || !absl::SimpleAtoi(headers.substr(9, 3), status)) return false;
    const size_t length_at = headers.find("\r\ncontent-length:");
    size_t length = 0;
    if (length_at == std::string::npos) return false;
    const size_t value_at = length_at + 17;
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(headers.substr(value_at, headers.find("\r\n", value_at) - value_at)),
                          &length)) {
      return false;
    }
    while (buffer_.size() < header_end + 4 + length) {
      if (!Fill()) return false;
    }
    body->assign(buffer_, header_end + 4, length);
    buffer_.erase(0, header_end + 4 + length);
    if (headers.find("\r\nconnection: close") != std::string::npos) Close();
    return true;
  }

  int port_;
  int fd_ = -1;
  std::string buffer_;
};

// ---- what was measured

// kSendLag: how late a scan left the client after its scheduled moment: the answer before it on
// its connection came late, or the client itself got no CPU in time.
enum Kind { kFirstScan, kRescan, kAppend, kActivate, kStream, kSendLag, kKinds };
constexpr const char* kKindNames[kKinds] = {"first scan", "re-scan", "event append", "activation", "roll stream",
                                            "send lag"};

class Metrics {
 public:
  Metrics(absl::Time start, absl::Duration window, int windows)
      : start_(start),
        window_(window),
        windows_(static_cast<size_t>(windows)),
        slow_scans_per_second_(static_cast<size_t>(windows * (window / absl::Seconds(1)))),
        worst_us_per_second_(slow_scans_per_second_.size()) {}

  void Record(Kind kind, absl::Time scheduled, absl::Duration latency) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Window* window = At(scheduled)) window->latency_us[kind].push_back(absl::ToInt64Microseconds(latency));
    if (kind == kFirstScan || kind == kRescan) {
      const int64_t second = (scheduled - start_) / absl::Seconds(1);
      if (second >= 0 && second < static_cast<int64_t>(slow_scans_per_second_.size())) {
        if (latency > absl::Milliseconds(100)) ++slow_scans_per_second_[static_cast<size_t>(second)];
        int64_t& worst = worst_us_per_second_[static_cast<size_t>(second)];
        worst = std::max(worst, absl::ToInt64Microseconds(latency));
      }
    }
  }
  // The seconds with the most scans slower than 100 ms: (second, slow scans, slowest in ms).
  std::vector<std::tuple<int64_t, int64_t, double>> SlowestSeconds(size_t count) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::tuple<int64_t, int64_t, double>> seconds;
    for (size_t i = 0; i < slow_scans_per_second_.size(); ++i) {
      if (slow_scans_per_second_[i] > 0) {
        seconds.emplace_back(static_cast<int64_t>(i), slow_scans_per_second_[i],
                             static_cast<double>(worst_us_per_second_[i]) / 1000);
      }
    }
    std::sort(seconds.begin(), seconds.end(),
              [](const auto& a, const auto& b) { return std::get<1>(a) > std::get<1>(b); });
    if (seconds.size() > count) seconds.resize(count);
    std::sort(seconds.begin(), seconds.end());
    return seconds;
  }
  void Error(Kind kind, absl::Time scheduled, const std::string& what) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (Window* window = At(scheduled)) ++window->errors[kind];
    if (++error_kinds_[absl::StrCat(kKindNames[kind], ": ", what)] == 1) {
      std::fprintf(stderr, "soak: %s: %s\n", kKindNames[kind], what.c_str());
    }
  }

  struct Window {
    std::vector<int64_t> latency_us[kKinds];
    int64_t errors[kKinds] = {};
  };
  std::vector<Window> windows() {
    std::lock_guard<std::mutex> lock(mutex_);
    return windows_;
  }
  std::map<std::string, int64_t> error_kinds() {
    std::lock_guard<std::mutex> lock(mutex_);
    return error_kinds_;
  }

 private:
  Window* At(absl::Time at) {
    const int64_t index = (at - start_) / window_;
    if (index < 0 || index >= static_cast<int64_t>(windows_.size())) return nullptr;
    return &windows_[static_cast<size_t>(index)];
  }

  std::mutex mutex_;
  absl::Time start_;
  absl::Duration window_;
  std::vector<Window> windows_;
  std::vector<int64_t> slow_scans_per_second_;
  std::vector<int64_t> worst_us_per_second_;
  std::map<std::string, int64_t> error_kinds_;
};

double Percentile(std::vector<int64_t> values, double p) {
  if (values.empty()) return 0;
  const size_t at = std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())));
  std::nth_element(values.begin(), values.begin() + static_cast<ptrdiff_t>(at), values.end());
  return static_cast<double>(values[at]) / 1000.0;
}

// ---- the scanning phones

struct ScanMix {
  std::vector<std::string> first_paths;  // each scanned once, in order
  std::atomic<size_t> next_first{0};
  std::vector<std::string> hot_paths;    // scanned again and again
  std::vector<std::string> phones;
  double first_share = 0.5;
};

// One scan of the mix: which kind it was and whether it came back 200 and genuine.
struct ScanOutcome {
  Kind kind;
  std::string error;  // empty when it did
};

ScanOutcome ScanOnce(ScanMix& mix, HttpConnection& connection, std::mt19937_64& random) {
  std::uniform_real_distribution<double> share(0, 1);
  const std::string& phone = mix.phones[random() % mix.phones.size()];
  Kind kind = kRescan;
  const std::string* path = &mix.hot_paths[random() % mix.hot_paths.size()];
  if (share(random) < mix.first_share) {
    const size_t index = mix.next_first.fetch_add(1);
    if (index >= mix.first_paths.size()) return {kFirstScan, "no unscanned stamp left (the soak's sizing)"};
    kind = kFirstScan;
    path = &mix.first_paths[index];
  }
  std::string body;
  const int status = connection.Get(*path, phone, &body);
  if (status != 200) return {kind, status == 0 ? "no answer" : absl::StrCat("HTTP ", status)};
  if (body.find("Tem chính hãng") == std::string::npos) return {kind, "answered 200 but not genuine"};
  return {kind, ""};
}

// As fast as `connections` connections go for `length`: scans answered per second.
double MeasureCapacity(ScanMix& mix, int port, int connections, absl::Duration length, int64_t* errors) {
  std::atomic<int64_t> answered{0}, failed{0};
  const absl::Time end = absl::Now() + length;
  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&, i] {
      HttpConnection connection(port);
      std::mt19937_64 random(static_cast<uint64_t>(i) * 7919 + 1);
      while (absl::Now() < end) {
        if (ScanOnce(mix, connection, random).error.empty()) {
          ++answered;
        } else {
          ++failed;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  *errors = failed.load();
  return static_cast<double>(answered.load()) / absl::ToDoubleSeconds(length);
}

// Open loop: connection i sends its n-th scan at start + (n * connections + i) / rate.
void RunScans(ScanMix& mix, int port, int connections, double rate, absl::Time start, absl::Time end,
              Metrics& metrics) {
  std::vector<std::thread> threads;
  for (int i = 0; i < connections; ++i) {
    threads.emplace_back([&, i] {
      HttpConnection connection(port);
      std::mt19937_64 random(static_cast<uint64_t>(i) * 104729 + 17);
      for (int64_t n = 0;; ++n) {
        const absl::Time scheduled =
            start + absl::Seconds(static_cast<double>(n * connections + i) / rate);
        if (scheduled >= end) break;
        const absl::Time now = absl::Now();
        if (scheduled > now) absl::SleepFor(scheduled - now);
        metrics.Record(kSendLag, scheduled, absl::Now() - scheduled);
        const ScanOutcome outcome = ScanOnce(mix, connection, random);
        if (outcome.error.empty()) {
          metrics.Record(outcome.kind, scheduled, absl::Now() - scheduled);
        } else {
          metrics.Error(outcome.kind, scheduled, outcome.error);
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
}

// ---- the producers and the printer (gRPC, as the producer's user)

class Producer {
 public:
  Producer(ocop::testing::Deployment& system, std::string username)
      : system_(system), username_(std::move(username)) {
    batches_ = batch_v1::BatchService::NewStub(ocop::grpcutil::MakeChannel(system.Address("batch")));
    stamps_ = stamp_v1::StampService::NewStub(ocop::grpcutil::MakeChannel(system.Address("stamp")));
  }

  // A context as the producer, its access token renewed well before its 15 minutes run out.
  std::unique_ptr<grpc::ClientContext> Context(absl::Duration timeout = absl::Seconds(30)) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (absl::Now() - token_time_ > absl::Minutes(5)) {
        absl::StatusOr<std::string> token = system_.Login(username_, ocop::testing::Deployment::PasswordOf(username_));
        if (token.ok()) {
          token_ = *token;
          token_time_ = absl::Now();
        }
      }
    }
    auto context = std::make_unique<grpc::ClientContext>();
    ocop::grpcutil::PrepareContext(*context, timeout);
    std::lock_guard<std::mutex> lock(mutex_);
    context->AddMetadata("authorization", "Bearer " + token_);
    return context;
  }

  batch_v1::BatchService::Stub& batches() { return *batches_; }
  stamp_v1::StampService::Stub& stamps() { return *stamps_; }

 private:
  ocop::testing::Deployment& system_;
  std::string username_;
  std::mutex mutex_;
  std::string token_;
  absl::Time token_time_ = absl::InfinitePast();
  std::unique_ptr<batch_v1::BatchService::Stub> batches_;
  std::unique_ptr<stamp_v1::StampService::Stub> stamps_;
};

absl::StatusOr<batch_v1::Batch> CreateLot(Producer& producer, const std::string& product, const std::string& lot_code) {
  batch_v1::CreateBatchRequest request;
  request.set_request_id("soak-lot-" + lot_code);
  request.mutable_batch()->set_product(product);
  request.mutable_batch()->set_lot_code(lot_code);
  request.mutable_batch()->set_harvest_date("2026-03-14");
  request.mutable_batch()->set_quantity(250);
  request.mutable_batch()->set_unit("kg");
  batch_v1::Batch lot;
  grpc::Status status = producer.batches().CreateBatch(producer.Context().get(), request, &lot);
  if (!status.ok()) return ocop::FromGrpcStatus("CreateBatch", status);
  return lot;
}

batch_v1::AppendEventRequest EventFor(const std::string& lot, int64_t n) {
  static const char* const kSteps[] = {"ocop:harvesting", "ocop:processing", "packing", "storing", "shipping"};
  batch_v1::AppendEventRequest request;
  request.set_parent(lot);
  request.set_request_id(absl::StrCat("soak-", lot, "-", n));
  request.mutable_event()->set_type(batch_v1::EVENT_TYPE_OBJECT);
  request.mutable_event()->set_biz_step(kSteps[n % 5]);
  request.mutable_event()->mutable_event_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 60);
  request.mutable_event()->mutable_location()->set_display_name("Xưởng HTX Chè Tân Cương");
  return request;
}

struct StreamedRoll {
  std::vector<std::string> paths;
  std::vector<uint64_t> serials;
};

// Issues a roll of `count` for `lot`, activates it in packages of `package` stamps and streams it
// in `format`: the stamps' paths (as a phone opens them) and serials. Each step's time goes to
// `metrics` when given.
absl::StatusOr<StreamedRoll> IssueAndStream(Producer& producer, const std::string& lot, int64_t count, int64_t package,
                                            stamp_v1::ImageFormat format, Metrics* metrics) {
  stamp_v1::IssueRollRequest issue;
  issue.set_request_id(absl::StrCat("soak-roll-", lot, "-", count, "-", absl::ToUnixNanos(absl::Now())));
  issue.mutable_roll()->set_batch(lot);
  issue.mutable_roll()->set_count(count);
  stamp_v1::Roll roll;
  grpc::Status status = producer.stamps().IssueRoll(producer.Context().get(), issue, &roll);
  if (!status.ok()) return ocop::FromGrpcStatus("IssueRoll", status);
  for (int64_t from = 0; from < count; from += package) {
    stamp_v1::ChangeStampsRequest activate;
    activate.set_roll(roll.name());
    activate.set_first_serial(roll.first_serial() + static_cast<uint64_t>(from));
    activate.set_count(std::min(package, count - from));
    stamp_v1::Roll changed;
    const absl::Time started = absl::Now();
    status = producer.stamps().ActivateStamps(producer.Context().get(), activate, &changed);
    if (!status.ok()) return ocop::FromGrpcStatus("ActivateStamps", status);
    if (metrics != nullptr) metrics->Record(kActivate, started, absl::Now() - started);
  }
  stamp_v1::StreamStampsRequest stream;
  stream.set_roll(roll.name());
  stream.set_format(format);
  stream.set_printer("soak-printer");
  const absl::Time started = absl::Now();
  auto context = producer.Context(absl::Minutes(10));
  auto reader = producer.stamps().StreamStamps(context.get(), stream);
  stamp_v1::RenderedStamp rendered;
  StreamedRoll streamed;
  while (reader->Read(&rendered)) {
    streamed.paths.push_back("/s/" + rendered.token());
    streamed.serials.push_back(rendered.serial());
  }
  status = reader->Finish();
  if (!status.ok()) return ocop::FromGrpcStatus("StreamStamps", status);
  if (metrics != nullptr) metrics->Record(kStream, started, absl::Now() - started);
  return streamed;
}

// ---- memory and CPU of the processes

struct ProcessSample {
  double rss_mib = 0;
  double cpu_seconds = 0;
};

ProcessSample SampleProcess(pid_t pid) {
  ProcessSample sample;
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmRSS:")) {
      int64_t kib = 0;
      std::vector<std::string> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (fields.size() >= 2 && absl::SimpleAtoi(fields[1], &kib)) sample.rss_mib = static_cast<double>(kib) / 1024.0;
    }
  }
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t after_name = text.rfind(')');
  if (after_name != std::string::npos) {
    std::vector<std::string> fields = absl::StrSplit(text.substr(after_name + 2), ' ');
    int64_t user = 0, system = 0;
    if (fields.size() > 13 && absl::SimpleAtoi(fields[11], &user) && absl::SimpleAtoi(fields[12], &system)) {
      sample.cpu_seconds = static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
    }
  }
  return sample;
}

// Scans of `serials` Redis counted on the days (in Vietnam) since `since`: how many stamps were
// counted exactly once.
int64_t CountedOnce(ocop::redis::RedisClient& redis, const std::vector<uint64_t>& serials, absl::Time since) {
  const absl::TimeZone vietnam = absl::FixedTimeZone(7 * 3600);
  std::vector<int64_t> counts(serials.size(), 0);
  for (absl::CivilDay day = absl::ToCivilDay(since, vietnam); day <= absl::ToCivilDay(absl::Now(), vietnam); ++day) {
    for (size_t from = 0; from < serials.size(); from += 5000) {
      const size_t to = std::min(serials.size(), from + 5000);
      absl::StatusOr<std::vector<int64_t>> scans = ocop::lookup::ScanStore(&redis, 0).ScansOn(
          absl::MakeConstSpan(serials).subspan(from, to - from), absl::FormatCivilTime(day));
      if (!scans.ok() || scans->size() != to - from) return -1;
      for (size_t i = from; i < to; ++i) counts[i] += std::max<int64_t>((*scans)[i - from], 0);
    }
  }
  return std::count(counts.begin(), counts.end(), 1);
}

// Events stored on `lot`, all pages.
absl::StatusOr<int64_t> EventCount(Producer& producer, const std::string& lot) {
  int64_t events = 0;
  batch_v1::ListEventsRequest request;
  request.set_parent(lot);
  request.set_page_size(500);
  do {
    batch_v1::ListEventsResponse page;
    grpc::Status status = producer.batches().ListEvents(producer.Context().get(), request, &page);
    if (!status.ok()) return ocop::FromGrpcStatus("ListEvents", status);
    events += page.events_size();
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return events;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const absl::Duration soak_length = absl::Minutes(absl::GetFlag(FLAGS_minutes));
  const absl::Duration window = absl::Seconds(absl::GetFlag(FLAGS_window_seconds));
  const int connections = absl::GetFlag(FLAGS_connections);
  const int scanned_lots = std::max(1, absl::GetFlag(FLAGS_scanned_lots));
  const double first_share = absl::GetFlag(FLAGS_first_scan_share);
  // Bounded in time whatever happens: a stuck run ends itself.
  std::thread([limit = soak_length + absl::Minutes(30)] {
    absl::SleepFor(limit);
    std::fprintf(stderr, "soak: still running after %s; giving up\n", absl::FormatDuration(limit).c_str());
    std::_Exit(2);
  }).detach();

  std::printf("soak: starting redis-server and the four services on loopback ...\n");
  std::fflush(stdout);
  ocop::testing::DeploymentOptions options;
  options.services_dir = absl::GetFlag(FLAGS_services_dir);
  options.redis_max_memory = "2gb";  // a counter per stamp scanned: sized for millions of stamps
  // Production defaults otherwise: 10 scans/s per phone (burst 30), the loopback ingress trusted
  // to name the phone in X-Forwarded-For.
  options.lookup_flags = {"--trusted_proxies=127.0.0.1"};
  ocop::testing::Deployment system;
  if (absl::Status started = system.Start(options); !started.ok()) {
    std::fprintf(stderr, "soak: %s\n", started.ToString().c_str());
    return 1;
  }
  auto fail_setup = [](const absl::Status& status) {
    std::fprintf(stderr, "soak: setting up: %s\n", status.ToString().c_str());
    return 1;
  };

  // The data: a cooperative, its user, five 4-star products, the scanned lots and the working lots.
  auto registry = registry_v1::RegistryService::NewStub(ocop::grpcutil::MakeChannel(system.Address("registry")));
  auto admin = [&system] {
    auto context = std::make_unique<grpc::ClientContext>();
    ocop::grpcutil::PrepareContext(*context, absl::Seconds(30));
    context->AddMetadata("authorization", "Bearer " + system.admin_token());
    return context;
  };
  registry_v1::CreateProducerRequest producer_request;
  producer_request.set_request_id("soak-producer");
  registry_v1::Producer* cooperative = producer_request.mutable_producer();
  cooperative->set_display_name("HTX Chè Tân Cương");
  cooperative->set_kind(registry_v1::PRODUCER_KIND_COOPERATIVE);
  cooperative->mutable_address()->set_province_code("19");
  cooperative->mutable_address()->set_province_name("Tỉnh Thái Nguyên");
  cooperative->mutable_address()->set_commune_code("05503");
  cooperative->mutable_address()->set_commune_name("Xã Tân Cương");
  registry_v1::Producer producer_record;
  grpc::Status created = registry->CreateProducer(admin().get(), producer_request, &producer_record);
  if (!created.ok()) return fail_setup(ocop::FromGrpcStatus("CreateProducer", created));
  std::vector<std::string> products;
  for (int i = 0; i < 5; ++i) {
    registry_v1::CreateProductRequest request;
    request.set_request_id(absl::StrCat("soak-product-", i));
    request.mutable_product()->set_producer(producer_record.name());
    request.mutable_product()->set_display_name(absl::StrCat("Chè Tân Cương loại ", i + 1));
    request.mutable_product()->set_group(registry_v1::PRODUCT_GROUP_BEVERAGES);
    registry_v1::OcopRating* rating = request.mutable_product()->mutable_rating();
    rating->set_score(78);
    rating->set_stars(4);
    rating->set_certificate_number(absl::StrCat("TN-OCOP-2025-00", i + 1));
    rating->set_valid_until("2099-06-30");
    rating->set_council_level(registry_v1::COUNCIL_LEVEL_PROVINCE);
    rating->set_decision_number("123/QĐ-UBND");
    rating->set_decision_date("2025-06-30");
    registry_v1::Product product;
    created = registry->CreateProduct(admin().get(), request, &product);
    if (!created.ok()) return fail_setup(ocop::FromGrpcStatus("CreateProduct", created));
    products.push_back(product.name());
  }
  absl::StatusOr<ocop::testing::Deployment::Person> person =
      system.SignIn("htx-tancuong", "producer", producer_record.name());
  if (!person.ok()) return fail_setup(person.status());
  Producer producer(system, "htx-tancuong");
  std::vector<std::string> scanned, working;
  for (int i = 0; i < scanned_lots + absl::GetFlag(FLAGS_working_lots); ++i) {
    absl::StatusOr<batch_v1::Batch> lot = CreateLot(producer, products[static_cast<size_t>(i) % products.size()],
                                                    absl::StrCat(i < scanned_lots ? "TET-" : "WORK-", i));
    if (!lot.ok()) return fail_setup(lot.status());
    (i < scanned_lots ? scanned : working).push_back(lot->name());
    for (int n = 0; n < 3; ++n) {
      batch_v1::BatchEvent event;
      grpc::Status appended = producer.batches().AppendEvent(producer.Context().get(), EventFor(lot->name(), n), &event);
      if (!appended.ok()) return fail_setup(ocop::FromGrpcStatus("AppendEvent", appended));
    }
  }
  std::map<std::string, int64_t> expected_events;
  for (const std::string& lot : scanned) expected_events[lot] = 3;
  for (const std::string& lot : working) expected_events[lot] = 3;

  // The producers and the printer, from `from` until `until`, recorded in `sink`. Every event
  // acknowledged is expected on its lot at the end.
  std::map<std::string, int64_t> next_event = expected_events;
  auto start_writers = [&](Metrics& sink, absl::Time from, absl::Time until) {
    std::thread appender([&, from, until, sink = &sink] {
      const double append_rate = absl::GetFlag(FLAGS_append_rate);
      std::mt19937_64 random(42);
      for (int64_t n = 0;; ++n) {
        const absl::Time scheduled = from + absl::Seconds(static_cast<double>(n) / append_rate);
        if (scheduled >= until) break;
        if (scheduled > absl::Now()) absl::SleepFor(scheduled - absl::Now());
        // One in ten to a lot being scanned (its cached views are dropped and fetched again).
        const std::string& lot =
            n % 10 == 0 ? scanned[random() % scanned.size()] : working[random() % working.size()];
        const batch_v1::AppendEventRequest request = EventFor(lot, next_event[lot]);
        batch_v1::BatchEvent event;
        grpc::Status status = producer.batches().AppendEvent(producer.Context().get(), request, &event);
        if (!status.ok()) {
          sink->Error(kAppend, scheduled, absl::StrCat(status.error_code(), " ", status.error_message()));
          continue;
        }
        sink->Record(kAppend, scheduled, absl::Now() - scheduled);
        ++next_event[lot];
        ++expected_events[lot];
        if (n % 20 == 7) {  // a phone that lost the answer sends it again: the same event, stored once
          batch_v1::BatchEvent again;
          status = producer.batches().AppendEvent(producer.Context().get(), request, &again);
          if (!status.ok() || again.name() != event.name()) {
            sink->Error(kAppend, scheduled, absl::StrCat("a retried append: ", status.error_message(), " ",
                                                           again.name(), " != ", event.name()));
          }
        }
      }
    });
    std::thread printer([&, from, until, sink = &sink] {
      const stamp_v1::ImageFormat formats[] = {stamp_v1::IMAGE_FORMAT_SVG, stamp_v1::IMAGE_FORMAT_PNG,
                                               stamp_v1::IMAGE_FORMAT_ZPL, stamp_v1::IMAGE_FORMAT_PDF_LABEL_ROLL};
      const int64_t count = absl::GetFlag(FLAGS_stream_stamps);
      for (int n = 0;; ++n) {
        const absl::Time scheduled = from + absl::Seconds(static_cast<double>(n) * absl::GetFlag(FLAGS_stream_every_s));
        if (scheduled >= until) break;
        if (scheduled > absl::Now()) absl::SleepFor(scheduled - absl::Now());
        absl::StatusOr<StreamedRoll> roll = IssueAndStream(producer, working[static_cast<size_t>(n) % working.size()],
                                                           count, 50, formats[n % 4], sink);
        if (!roll.ok()) {
          sink->Error(kStream, scheduled, roll.status().ToString());
        } else if (roll->serials.empty() || roll->serials.front() == 0) {
          sink->Error(kStream, scheduled, "a roll streamed without stamps");
        }
      }
    });
    return std::make_pair(std::move(appender), std::move(printer));
  };

  // Stamps for the scans, as the printer gets them (ZPL), spread over the scanned lots.
  ScanMix mix;
  mix.first_share = first_share;
  std::vector<uint64_t> first_serials;
  auto add_stamps = [&](int64_t total, bool hot) -> absl::Status {
    const int64_t per_lot = std::max<int64_t>(1, (total + scanned_lots - 1) / scanned_lots);
    for (const std::string& lot : scanned) {
      absl::StatusOr<StreamedRoll> roll =
          IssueAndStream(producer, lot, per_lot, per_lot, stamp_v1::IMAGE_FORMAT_ZPL, nullptr);
      if (!roll.ok()) return roll.status();
      for (size_t i = 0; i < roll->paths.size(); ++i) {
        if (hot) {
          mix.hot_paths.push_back(roll->paths[i]);
        } else {
          mix.first_paths.push_back(roll->paths[i]);
          first_serials.push_back(roll->serials[i]);
        }
      }
    }
    return absl::OkStatus();
  };
  for (int i = 0; i < absl::GetFlag(FLAGS_phones); ++i) {
    mix.phones.push_back(absl::StrCat("10.", (i >> 16) & 255, ".", (i >> 8) & 255, ".", i & 255));
  }
  const int capacity_seconds = absl::GetFlag(FLAGS_capacity_seconds);
  // Enough first scans for the capacity run at up to 20,000 scans/s.
  if (absl::Status added = add_stamps(1000, true); !added.ok()) return fail_setup(added);
  if (absl::Status added = add_stamps(static_cast<int64_t>(20'000 * capacity_seconds * first_share), false);
      !added.ok()) {
    return fail_setup(added);
  }
  const int port = system.http_port();
  // The hot stamps' first scans, so that every later scan of them is a re-scan.
  {
    HttpConnection connection(port);
    std::string body;
    for (size_t i = 0; i < mix.hot_paths.size(); ++i) {
      if (connection.Get(mix.hot_paths[i], mix.phones[i % mix.phones.size()], &body) != 200) {
        return fail_setup(absl::InternalError("a hot stamp did not scan"));
      }
    }
  }

  // 1. Capacity: the scans as fast as they go while the producers and the printer work as they
  // will during the soak (scans alone would measure a machine the soak does not have).
  int64_t capacity_errors = 0;
  const absl::Time capacity_start = absl::Now();
  Metrics capacity_writes(capacity_start, absl::Seconds(capacity_seconds + 60), 1);
  auto [capacity_appender, capacity_printer] =
      start_writers(capacity_writes, capacity_start, capacity_start + absl::Seconds(capacity_seconds));
  const double capacity =
      MeasureCapacity(mix, port, connections, absl::Seconds(capacity_seconds), &capacity_errors);
  capacity_appender.join();
  capacity_printer.join();
  for (const int64_t errors : capacity_writes.windows().front().errors) capacity_errors += errors;
  const double rate = capacity * absl::GetFlag(FLAGS_load);
  std::printf("capacity: %.0f scans/s (%d connections, %.0f%% first scans, writers on; %lld errors); soak at %.0f "
              "scans/s\n",
              capacity, connections, first_share * 100, static_cast<long long>(capacity_errors), rate);
  // Stamps for the soak's first scans (and a margin); the capacity run's are spent.
  mix.first_paths.clear();
  first_serials.clear();
  mix.next_first = 0;
  const double soak_seconds = absl::ToDoubleSeconds(soak_length);
  std::printf("soak: streaming %.0f stamps for first scans ...\n", rate * first_share * soak_seconds * 1.05);
  std::fflush(stdout);
  if (absl::Status added = add_stamps(static_cast<int64_t>(rate * first_share * soak_seconds * 1.05), false);
      !added.ok()) {
    return fail_setup(added);
  }

  // 2. The soak.
  const int windows = static_cast<int>(soak_length / window);
  const absl::Time start = absl::Now() + absl::Seconds(1);
  const absl::Time end = start + soak_length;
  Metrics metrics(start, window, windows);
  std::map<std::string, pid_t> pids = system.Pids();
  pids["soak (client)"] = getpid();
  std::vector<std::map<std::string, ProcessSample>> samples;  // one per window boundary
  std::vector<std::string> redis_state;                       // keys and memory, at the same moments
  ocop::redis::RedisOptions redis_options;
  redis_options.port = system.redis->port();
  redis_options.command_timeout = absl::Seconds(10);
  ocop::redis::RedisClient redis(redis_options);
  if (!absl::GetFlag(FLAGS_aof_rewrite)) {
    (void)redis.Pipeline({{"CONFIG", "SET", "auto-aof-rewrite-percentage", "0"}});
  }
  std::atomic<bool> done{false};
  std::thread sampler([&] {
    for (int w = 0; w <= windows; ++w) {
      const absl::Time at = start + w * window;
      while (absl::Now() < at && !done) absl::SleepFor(absl::Milliseconds(100));
      std::map<std::string, ProcessSample> sample;
      for (const auto& [name, pid] : pids) sample[name] = SampleProcess(pid);
      samples.push_back(std::move(sample));
      absl::StatusOr<std::vector<ocop::redis::RedisReply>> info = redis.Pipeline({{"DBSIZE"}, {"INFO", "memory"}});
      std::string keys = "?", memory = "?";
      if (info.ok() && info->size() == 2) {
        keys = absl::StrCat((*info)[0].integer);
        for (absl::string_view line : absl::StrSplit((*info)[1].text, "\r\n")) {
          if (absl::ConsumePrefix(&line, "used_memory_human:")) memory = std::string(line);
        }
      }
      redis_state.push_back(absl::StrCat(keys, " keys, ", memory));
    }
  });
  std::printf("soak: %d minutes at %.0f scans/s (%.0f%% first scans from %zu phones), %.0f event appends/s, a roll of "
              "%d every %d s\n",
              absl::GetFlag(FLAGS_minutes), rate, first_share * 100, mix.phones.size(),
              absl::GetFlag(FLAGS_append_rate), absl::GetFlag(FLAGS_stream_stamps),
              absl::GetFlag(FLAGS_stream_every_s));
  std::fflush(stdout);
  auto [appender, printer] = start_writers(metrics, start, end);
  RunScans(mix, port, connections, rate, start, end, metrics);
  appender.join();
  printer.join();
  done = true;
  sampler.join();

  // 3. The report and the checks.
  bool met = true;
  auto fail = [&met](const std::string& why) {
    std::printf("  FAILED: %s\n", why.c_str());
    met = false;
  };
  std::vector<Metrics::Window> rows = metrics.windows();
  std::printf("\n%6s %9s %9s %9s %9s %9s %9s %9s %8s %7s", "minute", "scans/s", "1st p50", "1st p99", "re p99",
              "lag p99", "append99", "stream", "errors", "");
  for (const auto& [name, pid] : pids) std::printf(" %13s", name.c_str());
  std::printf("\n%6s %9s %9s %9s %9s %9s %9s %9s %8s %7s", "", "", "ms", "ms", "ms", "ms", "ms", "max s", "", "");
  for (size_t i = 0; i < pids.size(); ++i) std::printf(" %13s", "RSS MiB (CPU)");
  std::printf("\n");
  std::vector<double> p99s;
  int64_t errors = 0, scans = 0;
  for (size_t w = 0; w < rows.size(); ++w) {
    const Metrics::Window& row = rows[w];
    std::vector<int64_t> all = row.latency_us[kFirstScan];
    all.insert(all.end(), row.latency_us[kRescan].begin(), row.latency_us[kRescan].end());
    int64_t row_errors = 0;
    for (int64_t e : row.errors) row_errors += e;
    errors += row_errors;
    scans += static_cast<int64_t>(all.size());
    const double achieved = static_cast<double>(all.size()) / absl::ToDoubleSeconds(window);
    p99s.push_back(Percentile(all, 0.99));
    const std::vector<int64_t>& streams = row.latency_us[kStream];
    const double stream_max = streams.empty() ? 0 : static_cast<double>(*std::max_element(streams.begin(), streams.end())) / 1e6;
    std::printf("%6.1f %9.0f %9.2f %9.2f %9.2f %9.2f %9.1f %9.2f %8lld %7s",
                absl::ToDoubleMinutes((static_cast<int64_t>(w) + 1) * window), achieved,
                Percentile(row.latency_us[kFirstScan], 0.5), Percentile(row.latency_us[kFirstScan], 0.99),
                Percentile(row.latency_us[kRescan], 0.99), Percentile(row.latency_us[kSendLag], 0.99), Percentile(row.latency_us[kAppend], 0.99), stream_max,
                static_cast<long long>(row_errors), "");
    for (const auto& [name, pid] : pids) {
      const ProcessSample& now = samples[std::min(w + 1, samples.size() - 1)][name];
      const ProcessSample& before = samples[std::min(w, samples.size() - 1)][name];
      std::printf(" %7.0f (%3.0f%%)", now.rss_mib,
                  100 * (now.cpu_seconds - before.cpu_seconds) / absl::ToDoubleSeconds(window));
    }
    if (w + 1 < redis_state.size()) std::printf("  redis: %s", redis_state[w + 1].c_str());
    std::printf("\n");
    if (achieved < 0.95 * rate) fail(absl::StrCat("minute ", w + 1, ": ", static_cast<int>(achieved), " scans/s, below 95% of ", static_cast<int>(rate)));
    if (p99s.back() > absl::GetFlag(FLAGS_p99_goal_ms)) {
      fail(absl::StrCat("window ", w + 1, ": scan p99 ", p99s.back(), " ms over ", absl::GetFlag(FLAGS_p99_goal_ms)));
    }
  }
  std::printf("windows with scan p99 within %.0f ms: %lld of %zu\n", absl::GetFlag(FLAGS_p99_target_ms),
              static_cast<long long>(std::count_if(p99s.begin(), p99s.end(),
                                                   [](double p99) { return p99 <= absl::GetFlag(FLAGS_p99_target_ms); })),
              p99s.size());
  // Where the tail comes from: the seconds with the most slow scans (rolls start every
  // --stream_every_s from second 0).
  std::printf("\nseconds with the most scans over 100 ms (second: slow scans, slowest):");
  for (const auto& [second, slow, worst_ms] : metrics.SlowestSeconds(20)) {
    std::printf(" %lld: %lld, %.0f ms;", static_cast<long long>(second), static_cast<long long>(slow), worst_ms);
  }
  std::printf("\n");
  // Redis's own background work (an AOF rewrite forks and takes a core for seconds).
  absl::StatusOr<std::vector<ocop::redis::RedisReply>> persistence =
      redis.Pipeline({{"INFO", "persistence"}, {"INFO", "stats"}});
  if (persistence.ok() && persistence->size() == 2) {
    std::printf("redis:");
    for (const ocop::redis::RedisReply& section : *persistence) {
      for (absl::string_view line : absl::StrSplit(section.text, "\r\n")) {
        if (absl::StartsWith(line, "aof_rewrites:") || absl::StartsWith(line, "aof_last_rewrite_time_sec:") ||
            absl::StartsWith(line, "aof_current_size:") || absl::StartsWith(line, "latest_fork_usec:") ||
            absl::StartsWith(line, "aof_delayed_fsync:")) {
          std::printf(" %s", std::string(line).c_str());
        }
      }
    }
    std::printf("\n");
  }
  std::printf("\n%lld scans, %lld errors\n", static_cast<long long>(scans), static_cast<long long>(errors));
  for (const auto& [what, count] : metrics.error_kinds()) std::printf("  %8lld  %s\n", static_cast<long long>(count), what.c_str());
  if (errors > 0) fail("errors (goal 0)");
  // Drift: the typical window of the second half against the first half's (a single noisy window
  // is judged by the goal above, not here).
  auto median = [](std::vector<double> values) {
    std::sort(values.begin(), values.end());
    return values.empty() ? 0.0 : values[values.size() / 2];
  };
  const size_t half_windows = p99s.size() / 2;
  if (half_windows >= 1) {
    const double before = median({p99s.begin(), p99s.begin() + static_cast<ptrdiff_t>(half_windows)});
    const double after = median({p99s.begin() + static_cast<ptrdiff_t>(half_windows), p99s.end()});
    std::printf("scan p99, median window: %.2f ms in the first half, %.2f ms in the second\n", before, after);
    if (after > 1.5 * before + 5) fail(absl::StrCat("scan p99 drifted from ", before, " ms to ", after, " ms"));
  }
  // Memory: flat over the second half.
  if (samples.size() >= 3) {
    const auto& half = samples[samples.size() / 2];
    const auto& last = samples.back();
    for (const auto& [name, pid] : pids) {
      const double grown = last.at(name).rss_mib - half.at(name).rss_mib;
      const double allowed = std::max(0.05 * half.at(name).rss_mib, 8.0);
      std::printf("RSS %-13s %7.0f MiB at half-time, %7.0f MiB at the end (%+.0f MiB, allowed %+.0f)\n", name.c_str(),
                  half.at(name).rss_mib, last.at(name).rss_mib, grown, allowed);
      // redis-server holds counters per stamp scanned: it grows with the distinct stamps by design
      // (bounded by its maxmemory), so it is reported, not judged; so is this client. Lookup's
      // caches fill up to their bounds as ever more distinct stamps are scanned: it is judged
      // against them (the bounds it printed at start, plus 64 MiB for code and gRPC), the others
      // by their growth.
      if (name == "lookup") {
        std::ifstream log(system.dir().File("lookup.log"));
        std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
        int64_t bound = 0;
        const size_t at = text.find("in-process bounds ");
        if (at == std::string::npos || !absl::SimpleAtoi(text.substr(at + 18, text.find(' ', at + 18) - at - 18), &bound)) {
          fail("lookup did not print its memory bounds");
        } else if (last.at(name).rss_mib > static_cast<double>(bound) + 64) {
          fail(absl::StrCat("lookup's RSS ", last.at(name).rss_mib, " MiB is over its bounds, ", bound, " MiB + 64"));
        } else {
          std::printf("    (within its in-process bounds of %lld MiB + 64)\n", static_cast<long long>(bound));
        }
      } else if (name != "redis-server" && name != "soak (client)" && grown > allowed) {
        fail(absl::StrCat(name, " grew ", grown, " MiB in the second half"));
      }
    }
  }
  // Nothing acknowledged was lost or doubled.
  int64_t stored = 0, acknowledged = 0;
  for (const auto& [lot, expected] : expected_events) {
    absl::StatusOr<int64_t> count = EventCount(producer, lot);
    if (!count.ok()) {
      fail(count.status().ToString());
      break;
    }
    stored += *count;
    acknowledged += expected;
    if (*count != expected) fail(absl::StrCat(lot, ": ", *count, " events stored, ", expected, " acknowledged"));
  }
  std::printf("events: %lld acknowledged, %lld stored\n", static_cast<long long>(acknowledged),
              static_cast<long long>(stored));
  // Every first scan counted once (lookup flushes its counts within a second or two).
  absl::SleepFor(absl::Seconds(3));
  const size_t first_scanned = std::min(first_serials.size(), mix.next_first.load());
  std::vector<uint64_t> checked(first_serials.begin(), first_serials.begin() + static_cast<ptrdiff_t>(first_scanned));
  const int64_t counted_once = CountedOnce(redis, checked, start - absl::Minutes(1));
  std::printf("first scans: %zu made, %lld counted exactly once in Redis\n", checked.size(),
              static_cast<long long>(counted_once));
  if (counted_once != static_cast<int64_t>(checked.size())) fail("first scans not counted exactly once");
  // The services' own words outlive the run's temporary folder.
  std::error_code ignored;
  std::filesystem::create_directories(absl::GetFlag(FLAGS_log_dir), ignored);
  for (const auto& [name, pid] : pids) {
    std::filesystem::copy_file(system.dir().File(name + ".log"), absl::GetFlag(FLAGS_log_dir) + "/" + name + ".log",
                               std::filesystem::copy_options::overwrite_existing, ignored);
  }
  std::printf("logs in %s/\n%s\n", absl::GetFlag(FLAGS_log_dir).c_str(),
              met ? "soak: all goals met" : "soak: goals missed");
  return met ? 0 : 1;
}
