// Lookup benchmark: the Tết peak, measured honestly, against baselines measured in the same run.
//
// Lookup runs in its own process, wired by Lookup::Start (services/lookup/lookup_app.h) exactly as
// main.cc wires it, with production defaults: rate limits on (10/s, burst 30 per client), scan
// counting on, 127.0.0.1 trusted as the ingress (X-Forwarded-For names the phone). The registry,
// batch and stamp services run in this process on loopback with SQLite files; Redis is a real
// redis-server; wrk and nginx are Debian's (tools/bench-lookup installs them). Every answer but
// 200 is an error, and the run fails on any.
//
//  (e) raw Ed25519 verification of stamp tokens, one thread per core: the physical limit of a
//      first scan.
//  (a) first scans: wrk -t2 -c64, every request a different activated stamp of one lot (each
//      scanned once), X-Forwarded-For drawn from --clients addresses. Goal: >= 40% of (e), p99
//      <= 20 ms. Redis must have counted every scan.
//  (b) one stamp re-scanned from --clients addresses. Goal: >= 60% of (d), p99 <= 2x (d)'s.
//  (d) nginx serving the very same page bytes (the same wrk script, worker_processes auto), in
//      rounds alternating with (b).
//  (c) cold scans: each of --cold_lots lots (each its own product) scanned once, nothing cached:
//      every one verifies and fetches roll, trace, product and producer. Reported, no goal.
//  (f) gRPC Resolve of a cached stamp vs an echo service on the same server answering as many
//      bytes, 32 client threads over 4 channels, X-Forwarded-For rotating, in alternating
//      one-second rounds. Goal: >= 80% of echo.
//  (m) memory: the rest of the lot's stamps from --memory_clients addresses, so that lookup has
//      seen --stamps distinct stamps; then lookup's RSS must stay within its configured bounds
//      (LookupConfig::MemoryBoundBytes) + 64 MiB.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/echo.grpc.pb.h"
#include "common/auth/token_source.h"
#include "common/crypto/ed25519.h"
#include "common/grpc/server.h"
#include "common/grpc/server_main.h"
#include "common/log/log.h"
#include "common/redis/redis_client.h"
#include "common/token/token.h"
#include "services/lookup/lookup_app.h"
#include "services/lookup/scan_store.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"

ABSL_FLAG(int, seconds, 8, "Length of each wrk round of (b) and (d)");
ABSL_FLAG(int, rounds, 2, "Alternating rounds of (d) and (b)");
ABSL_FLAG(int, first_scan_seconds, 25, "Length of the first-scan run (a)");
ABSL_FLAG(int, grpc_seconds, 6, "Length of each gRPC run (f), in alternating one-second rounds");
ABSL_FLAG(int, stamps, 1'000'000, "Activated stamps of the peak lot (>= 250,000)");
ABSL_FLAG(int, clients, 20'000, "Client addresses of (a) and (b)");
ABSL_FLAG(int, memory_clients, 100'000, "Client addresses of (m)");
ABSL_FLAG(int, cold_lots, 300, "Lots of (c), each with its own product");
ABSL_FLAG(bool, memory_phase, true, "Run (m)");
ABSL_FLAG(bool, count_scans, true,
          "Count scans in lookup (off only to see what counting costs; the goals are checked with it on)");
// Internal: this binary started again as the lookup process.
ABSL_FLAG(bool, serve_lookup, false, "Internal: run as the lookup process of the benchmark");
ABSL_FLAG(std::string, lookup_redis, "", "Internal");
ABSL_FLAG(std::string, lookup_registry, "", "Internal");
ABSL_FLAG(std::string, lookup_batch, "", "Internal");
ABSL_FLAG(std::string, lookup_stamp, "", "Internal");
ABSL_FLAG(std::string, lookup_port_files, "", "Internal: folder for the http and grpc port files");

namespace {

using ocop::testing::Context;
namespace v1 = ocop::lookup::v1;

constexpr const char* kTokenVariable = "OCOP_BENCH_LOOKUP_TOKEN";
constexpr const char* kBaseUrl = "https://ocop.tn.gov.vn";

// On the callback API, as lookup's Resolve is: the same server setup, the least work.
class EchoService final : public ocop::bench::Echo::CallbackService {
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context, const ocop::bench::EchoMessage* request,
                                 ocop::bench::EchoMessage* response) override {
    if (request->reply_bytes() > 0 && request->reply_bytes() <= (1 << 20)) {
      response->mutable_payload()->assign(static_cast<size_t>(request->reply_bytes()), 'x');
    } else {
      response->set_payload(request->payload());
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// The lookup process: production defaults, wired by Lookup::Start, plus the echo baseline on the
// same gRPC server.
int ServeLookup() {
  ocop::grpcutil::BlockShutdownSignals();
  // Production's logging too: 1% of requests sampled into access lines (in lookup.log).
  if (absl::Status logs = ocop::logs::ConfigureFromFlags("bench-lookup"); !logs.ok()) return 1;
  ocop::lookup::LookupConfig config;
  config.public_base_url = kBaseUrl;
  config.redis_address = absl::GetFlag(FLAGS_lookup_redis);
  config.backends = {absl::GetFlag(FLAGS_lookup_registry), absl::GetFlag(FLAGS_lookup_batch),
                     absl::GetFlag(FLAGS_lookup_stamp)};
  config.http.port = 0;
  config.http.port_file = absl::GetFlag(FLAGS_lookup_port_files) + "/http.port";
  config.trusted_proxies = {"127.0.0.1"};
  config.scan_salt = "bench-salt-0123456789abcdef";
  config.count_scans = absl::GetFlag(FLAGS_count_scans);
  const char* token = std::getenv(kTokenVariable);
  auto lookup = ocop::lookup::Lookup::Start(config, ocop::auth::FixedToken(token == nullptr ? "" : token));
  if (!lookup.ok()) {
    std::fprintf(stderr, "bench lookup: %s\n", lookup.status().ToString().c_str());
    return 1;
  }
  EchoService echo;
  ocop::grpcutil::ServerOptions options;
  options.port_file = absl::GetFlag(FLAGS_lookup_port_files) + "/grpc.port";
  std::fprintf(stderr, "bench lookup: memory bound %zu bytes\n", config.MemoryBoundBytes());
  return ocop::grpcutil::ServeUntilSignal(options, {&(*lookup)->grpc_service(), &echo}, "",
                                          [&] { (*lookup)->Stop(); });
}

// ---- measuring

struct WrkResult {
  double requests_per_second = 0;
  int64_t completed = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  std::string errors;        // non-200 answers and socket errors, as wrk reports them
  std::vector<int64_t> issued;  // per wrk thread, requests its script made
};

double Milliseconds(absl::string_view text) {
  double value = 0;
  for (const auto& [suffix, scale] : {std::pair{"us", 0.001}, std::pair{"ms", 1.0}, std::pair{"s", 1000.0}}) {
    absl::string_view number = text;
    if (absl::ConsumeSuffix(&number, suffix) && absl::SimpleAtod(number, &value)) return value * scale;
  }
  return -1;
}

WrkResult RunWrk(const std::string& url, int seconds, const std::string& script, const std::vector<std::string>& args) {
  std::fprintf(stderr, "wrk %s for %d s ...\n", args.size() > 1 ? args[1].c_str() : "", seconds);
  std::string command = absl::StrCat("wrk -t2 -c64 -d", seconds, "s --timeout 5s --latency -s '", script, "' '", url,
                                     "' --");
  for (const std::string& arg : args) absl::StrAppend(&command, " '", arg, "'");
  std::string output = ocop::testing::RunCommand(command + " 2>&1");
  WrkResult result;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (absl::ConsumePrefix(&text, "Requests/sec:")) {
      (void)absl::SimpleAtod(absl::StripAsciiWhitespace(text), &result.requests_per_second);
    } else if (absl::ConsumePrefix(&text, "50%")) {
      result.p50_ms = Milliseconds(absl::StripAsciiWhitespace(text));
    } else if (absl::ConsumePrefix(&text, "99%")) {
      result.p99_ms = Milliseconds(absl::StripAsciiWhitespace(text));
    } else if (absl::StartsWith(text, "Non-2xx") || absl::StartsWith(text, "Socket errors")) {
      absl::StrAppend(&result.errors, text, "; ");
    } else if (absl::StartsWith(text, "status ")) {
      absl::StrAppend(&result.errors, "HTTP ", text.substr(7), "; ");
    } else if (absl::ConsumePrefix(&text, "issued ")) {
      int64_t issued = 0;
      if (absl::SimpleAtoi(text, &issued)) result.issued.push_back(issued);
    } else if (text.find(" requests in ") != absl::string_view::npos) {
      (void)absl::SimpleAtoi(text.substr(0, text.find(' ')), &result.completed);
    }
  }
  if (result.requests_per_second == 0) {
    std::fprintf(stderr, "wrk said:\n%s\n", output.c_str());
    result.errors += "wrk did not run; ";
  }
  return result;
}

// A wrk script for wrk -t2. Arguments: split, paths file, clients, first client, then per thread
// how many of its paths to skip. Each thread walks its share of the paths (line i goes to thread
// i mod split; split 1: every thread takes every line), one request per path, with
// X-Forwarded-For the next of `clients` addresses 10.x.y.z from `first_client`. With one path it
// re-scans that path. Prints "issued N" per thread, and how many answers were not 200.
const char* kWrkScript = R"lua(
local threads = {}
local count = 0
function setup(thread)
  thread:set("id", count)
  count = count + 1
  table.insert(threads, thread)
end
function init(args)
  nthreads = 2  -- wrk -t2
  split = tonumber(args[1]); clients = tonumber(args[3]); first_client = tonumber(args[4])
  skip = tonumber(args[5 + id] or "0")
  paths = {}
  local i = 0
  for line in io.lines(args[2]) do
    if i % split == id % split then paths[#paths + 1] = line end
    i = i + 1
  end
  if #paths == 0 then paths[1] = "/" end
  n = 0
end
function request()
  local path = paths[((skip + n) % #paths) + 1]
  local c = first_client + (n * nthreads + id) % clients
  n = n + 1
  return wrk.format("GET", path, {["X-Forwarded-For"] = string.format("10.%d.%d.%d",
      math.floor(c / 65536) % 256, math.floor(c / 256) % 256, c % 256)})
end
function response(status, headers, body)
  if status ~= 200 then
    not_ok = (not_ok or 0) + 1
    last_status = status
  end
end
function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("issued %d\n", thread:get("n")))
    if thread:get("not_ok") then
      io.write(string.format("status %d x%d\n", thread:get("last_status"), thread:get("not_ok")))
    end
  end
end
)lua";

std::string ClientAddress(int index) {
  return absl::StrCat("10.", (index >> 16) & 255, ".", (index >> 8) & 255, ".", index & 255);
}

// Calls `call` from `threads` threads for `seconds`; returns calls per second. Any failed call
// is counted in `failures`.
double ClosedLoop(int threads, int seconds, std::atomic<int64_t>& failures,
                  const std::function<bool(int thread, int64_t n)>& call) {
  std::atomic<int64_t> done{0};
  absl::Time end = absl::Now() + absl::Seconds(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int64_t n = 0; absl::Now() < end; ++n) {
        if (!call(t, n)) ++failures;
        ++done;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  return static_cast<double>(done) / seconds;
}

int64_t RssBytes(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    absl::string_view text = line;
    if (absl::ConsumePrefix(&text, "VmRSS:")) {
      int64_t kilobytes = 0;
      (void)absl::SimpleAtoi(absl::StripSuffix(absl::StripAsciiWhitespace(text), " kB"), &kilobytes);
      return kilobytes * 1024;
    }
  }
  return -1;
}

// CPU seconds (user + system) the process `pid` has used so far.
double CpuSeconds(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::vector<std::string> fields = absl::StrSplit(text.substr(close + 2), ' ');
  int64_t user = 0;
  int64_t system = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &user) || !absl::SimpleAtoi(fields[12], &system)) return -1;
  return static_cast<double>(user + system) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string ReadPortFile(const std::string& path) {
  for (int i = 0; i < 300; ++i) {
    std::ifstream file(path);
    std::string port;
    if (file >> port && !port.empty()) return port;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return "";
}

// ---- data

struct Lot {
  ocop::batch::v1::Batch batch;
  ocop::stamp::v1::Roll roll;
  std::vector<std::string> tokens;
};

std::string CreateProduct(ocop::testing::RegistryHarness& registry, const std::string& producer,
                          const std::string& name) {
  ocop::registry::v1::CreateProductRequest request;
  request.mutable_product()->set_producer(producer);
  request.mutable_product()->set_display_name(name);
  request.mutable_product()->set_group(ocop::registry::v1::PRODUCT_GROUP_BEVERAGES);
  request.mutable_product()->set_description("Chè búp xanh sao suốt, vùng chè Tân Cương.");
  ocop::registry::v1::OcopRating* rating = request.mutable_product()->mutable_rating();
  rating->set_score(78);
  rating->set_stars(4);
  rating->set_certificate_number("TN-OCOP-2025-001");
  rating->set_valid_until("2099-06-30");
  rating->set_council_level(ocop::registry::v1::COUNCIL_LEVEL_PROVINCE);
  rating->set_decision_number("123/QĐ-UBND");
  rating->set_decision_date("2025-06-30");
  ocop::registry::v1::Product product;
  grpc::Status status = registry.Stub()->CreateProduct(Context().get(), request, &product);
  if (!status.ok()) std::fprintf(stderr, "CreateProduct: %s\n", status.error_message().c_str());
  return product.name();
}

// A lot of `product` with `events` value-chain events and a roll of `count` activated stamps,
// with their tokens (streamed as ZPL labels, as a printer gets them).
absl::StatusOr<Lot> CreateLot(ocop::testing::BatchHarness& batches, ocop::testing::StampHarness& stamps,
                              const std::string& producer, const std::string& product, const std::string& lot_code,
                              int events, int64_t count) {
  Lot lot;
  ocop::batch::v1::CreateBatchRequest batch_request;
  batch_request.mutable_batch()->set_product(product);
  batch_request.mutable_batch()->set_lot_code(lot_code);
  batch_request.mutable_batch()->set_harvest_date("2026-03-14");
  batch_request.mutable_batch()->set_quantity(250);
  batch_request.mutable_batch()->set_unit("kg");
  grpc::Status status = batches.Stub()->CreateBatch(Context().get(), batch_request, &lot.batch);
  if (!status.ok()) return absl::InternalError(absl::StrCat("CreateBatch: ", status.error_message()));
  const char* steps[] = {"ocop:harvesting", "ocop:processing", "packing", "storing", "shipping"};
  for (int i = 0; i < events; ++i) {
    ocop::batch::v1::AppendEventRequest event;
    event.set_parent(lot.batch.name());
    event.mutable_event()->set_type(ocop::batch::v1::EVENT_TYPE_OBJECT);
    event.mutable_event()->set_biz_step(steps[i % 5]);
    event.mutable_event()->mutable_event_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 7200 + i);
    event.mutable_event()->mutable_location()->set_display_name("Xưởng HTX Chè Tân Cương");
    ocop::batch::v1::BatchEvent appended;
    status = batches.Stub()->AppendEvent(Context().get(), event, &appended);
    if (!status.ok()) return absl::InternalError(absl::StrCat("AppendEvent: ", status.error_message()));
  }
  ocop::stamp::v1::IssueRollRequest roll_request;
  roll_request.mutable_roll()->set_batch(lot.batch.name());
  roll_request.mutable_roll()->set_count(count);
  status = stamps.Stub()->IssueRoll(Context().get(), roll_request, &lot.roll);
  if (!status.ok()) return absl::InternalError(absl::StrCat("IssueRoll: ", status.error_message()));
  ocop::stamp::v1::ChangeStampsRequest activate;
  activate.set_roll(lot.roll.name());
  activate.set_first_serial(lot.roll.first_serial());
  activate.set_count(count);
  status = stamps.Stub()->ActivateStamps(Context().get(), activate, &lot.roll);
  if (!status.ok()) return absl::InternalError(absl::StrCat("ActivateStamps: ", status.error_message()));
  ocop::stamp::v1::StreamStampsRequest stream;
  stream.set_roll(lot.roll.name());
  stream.set_format(ocop::stamp::v1::IMAGE_FORMAT_ZPL);
  stream.set_printer("bench");
  auto context = Context("users/htx-tancuong", "producer", producer);  // the producer prints its own roll
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::minutes(10));
  auto reader = stamps.Stub()->StreamStamps(context.get(), stream);
  ocop::stamp::v1::RenderedStamp rendered;
  lot.tokens.reserve(static_cast<size_t>(count));
  while (reader->Read(&rendered)) lot.tokens.push_back(rendered.token());
  status = reader->Finish();
  if (!status.ok() || static_cast<int64_t>(lot.tokens.size()) != count) {
    return absl::InternalError(absl::StrCat("StreamStamps: ", status.error_message(), " after ", lot.tokens.size()));
  }
  return lot;
}

// The scans of each serial lookup counted in Redis on the days since `since` (a run may cross
// midnight in Vietnam).
int64_t Counted(ocop::redis::RedisClient& redis, const std::vector<uint64_t>& serials, absl::Time since) {
  const absl::TimeZone vietnam = absl::FixedTimeZone(7 * 3600);
  int64_t total = 0;
  for (absl::CivilDay day = absl::ToCivilDay(since, vietnam); day <= absl::ToCivilDay(absl::Now(), vietnam); ++day) {
    for (size_t from = 0; from < serials.size(); from += 10000) {
      const size_t to = std::min(serials.size(), from + 10000);
      absl::StatusOr<std::vector<int64_t>> scans = ocop::lookup::ScanStore(&redis, 0).ScansOn(
          absl::MakeConstSpan(serials).subspan(from, to - from), absl::FormatCivilTime(day));
      if (!scans.ok()) return -1;
      for (int64_t count : *scans) total += std::max<int64_t>(count, 0);
    }
  }
  return total;
}

// The scans of `batch` the stamp service's durable history holds, once it stops growing or
// reaches `expected` (lookup sends it every 30 s, folded).
int64_t HistoryScans(ocop::testing::StampHarness& stamps, const std::string& batch, absl::Time since,
                     int64_t expected) {
  const absl::TimeZone vietnam = absl::FixedTimeZone(7 * 3600);
  int64_t held = -1;
  const absl::Time deadline = absl::Now() + absl::Seconds(75);
  while (absl::Now() < deadline) {
    ocop::stamp::v1::GetScanStatsRequest request;
    request.set_batch(batch);
    request.set_group_by(ocop::stamp::v1::SCAN_GROUP_BY_BATCH);
    request.set_from_day(absl::FormatCivilTime(absl::ToCivilDay(since, vietnam)));
    request.set_to_day(absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), vietnam)));
    ocop::stamp::v1::GetScanStatsResponse response;
    if (stamps.Stub()->GetScanStats(Context().get(), request, &response).ok()) {
      held = response.rows_size() == 1 ? response.rows(0).scans() : 0;
      if (held >= expected) return held;
    }
    absl::SleepFor(absl::Seconds(2));
  }
  return held;
}

void PrintWrk(const char* label, const WrkResult& result) {
  std::printf("  %-52s %9.0f req/s   p50 %6.2f ms   p99 %6.2f ms\n", label, result.requests_per_second,
              result.p50_ms, result.p99_ms);
  if (!result.errors.empty()) std::printf("        errors: %s\n", result.errors.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  if (absl::GetFlag(FLAGS_serve_lookup)) return ServeLookup();
  const int seconds = absl::GetFlag(FLAGS_seconds);
  const int stamp_count = std::max(absl::GetFlag(FLAGS_stamps), 250'000);
  const int clients = absl::GetFlag(FLAGS_clients);
  ocop::testing::TempDir dir;
  const absl::Time run_start = absl::Now();
  bool met = true;
  auto fail = [&met](const std::string& why) {
    std::printf("  FAILED: %s\n", why.c_str());
    met = false;
  };

  // The services and the data.
  std::printf("setting up: %d stamps of one lot, %d cold lots ...\n", stamp_count, absl::GetFlag(FLAGS_cold_lots));
  std::fflush(stdout);
  // Sized for the run: a million stamps' counters do not fit the tests' 64 MB (a Redis too small
  // for its stamps evicts counters, and the run would say so).
  auto redis_server = *ocop::testing::RedisServer::Start("2gb");
  auto registry = *ocop::testing::RegistryHarness::Start(dir.File("registry.db"));
  auto batches = *ocop::testing::BatchHarness::Start(dir.File("batch.db"), registry->address());
  ocop::stamp::StampsConfig stamp_config;
  stamp_config.public_base_url = kBaseUrl;
  auto stamps = *ocop::testing::StampHarness::Start(dir.File("stamp.db"), dir.File("keys"), batches->address(),
                                                    registry->address(), stamp_config);
  ocop::registry::v1::CreateProducerRequest producer_request;
  *producer_request.mutable_producer() = ocop::testing::TeaCooperative();
  ocop::registry::v1::Producer producer;
  (void)registry->Stub()->CreateProducer(Context().get(), producer_request, &producer);
  const std::string product = CreateProduct(*registry, producer.name(), "Chè Tân Cương đặc biệt");
  absl::StatusOr<Lot> peak = CreateLot(*batches, *stamps, producer.name(), product, "TC-2026-TET", 5, stamp_count);
  if (!peak.ok()) {
    std::fprintf(stderr, "%s\n", peak.status().ToString().c_str());
    return 1;
  }
  std::vector<std::string> cold_paths;
  for (int i = 0; i < absl::GetFlag(FLAGS_cold_lots); ++i) {
    const std::string cold_product = CreateProduct(*registry, producer.name(), absl::StrCat("Chè hộp số ", i));
    absl::StatusOr<Lot> cold =
        CreateLot(*batches, *stamps, producer.name(), cold_product, absl::StrCat("COLD-", i), 3, 1);
    if (!cold.ok()) {
      std::fprintf(stderr, "%s\n", cold.status().ToString().c_str());
      return 1;
    }
    cold_paths.push_back("/s/" + cold->tokens.front());
  }
  // The last stamp is the one re-scanned in (b); the others are first-scanned in (a) and (m).
  const std::string rescanned = "/s/" + peak->tokens.back();
  const uint64_t rescanned_serial = peak->roll.first_serial() + static_cast<uint64_t>(stamp_count - 1);
  {
    std::ofstream paths(dir.File("first.paths"));
    for (int i = 0; i + 1 < stamp_count; ++i) paths << "/s/" << peak->tokens[static_cast<size_t>(i)] << "\n";
    std::ofstream(dir.File("one.paths")) << rescanned << "\n";
    std::ofstream(dir.File("scan.lua")) << kWrkScript;
  }

  // (e) The physical limit: Ed25519 verifications of the lot's tokens, one thread per core.
  std::vector<ocop::token::StampToken> decoded;
  for (size_t i = 0; i < 4096; ++i) decoded.push_back(*ocop::token::DecodeToken(peak->tokens[i]));
  ocop::stamp::v1::ListPublicKeysResponse public_keys;
  (void)stamps->Stub()->ListPublicKeys(Context().get(), ocop::stamp::v1::ListPublicKeysRequest(), &public_keys);
  auto verifier = ocop::crypto::Ed25519Verifier::FromPublicKey(public_keys.keys(0).public_key());
  std::atomic<int64_t> bad_signatures{0};
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const double verify_rate = ClosedLoop(cores, 3, bad_signatures, [&](int, int64_t n) {
    return ocop::token::VerifyToken(decoded[static_cast<size_t>(n) % decoded.size()], *verifier);
  });
  if (bad_signatures > 0) fail("raw verification rejected genuine tokens");

  // Lookup in its own process.
  std::filesystem::create_directories(dir.File("lookup"));
  setenv(kTokenVariable,
         ocop::testing::TestToken(ocop::Actor("services/lookup", "service"), absl::Hours(2)).c_str(), 1);
  char self[4096];
  const ssize_t self_length = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (self_length <= 0) return 1;
  auto lookup = *ocop::testing::ChildProcess::Start(
      {std::string(self, static_cast<size_t>(self_length)), "--serve_lookup",
       absl::StrCat("--lookup_redis=127.0.0.1:", redis_server->port()), "--lookup_registry=" + registry->address(),
       "--lookup_batch=" + batches->address(), "--lookup_stamp=" + stamps->address(),
       "--lookup_port_files=" + dir.File("lookup"),
       absl::StrCat("--count_scans=", absl::GetFlag(FLAGS_count_scans) ? "true" : "false")},
      dir.File("lookup.log"));
  const std::string http_port = ReadPortFile(dir.File("lookup/http.port"));
  const std::string grpc_port = ReadPortFile(dir.File("lookup/grpc.port"));
  int port = 0;
  if (!absl::SimpleAtoi(http_port, &port) || grpc_port.empty()) {
    std::fprintf(stderr, "lookup did not start; see its log:\n%s\n",
                 ocop::testing::RunCommand("cat " + dir.File("lookup.log")).c_str());
    return 1;
  }
  const std::string lookup_url = absl::StrCat("http://127.0.0.1:", port);
  ocop::redis::RedisOptions redis_options;
  redis_options.port = redis_server->port();
  ocop::redis::RedisClient redis(redis_options);

  // The re-scanned stamp, warmed: its page (the bytes nginx serves) and its counts in memory.
  ocop::testing::HttpResult page = ocop::testing::HttpGet(port, rescanned, "X-Forwarded-For: 192.0.2.1\r\n");
  absl::SleepFor(absl::Milliseconds(500));  // a flush: the counts are read back
  page = ocop::testing::HttpGet(port, rescanned, "X-Forwarded-For: 192.0.2.1\r\n");
  if (page.status != 200 || page.body.find("Tem chính hãng") == std::string::npos) {
    std::fprintf(stderr, "scan page: HTTP %d\n%s\n", page.status, page.body.c_str());
    return 1;
  }
  std::ofstream(dir.File("page.html")) << page.body;

  // (d) nginx, the same bytes, the same script.
  const int nginx_port = ocop::testing::FreePort();
  std::ofstream(dir.File("nginx.conf"))
      << "worker_processes auto; daemon off; pid " << dir.File("nginx.pid") << "; error_log stderr;\n"
      << "events { worker_connections 1024; }\n"
      << "http { access_log off; client_body_temp_path " << dir.path() << "; proxy_temp_path " << dir.path()
      << "; fastcgi_temp_path " << dir.path() << "; uwsgi_temp_path " << dir.path() << "; scgi_temp_path "
      << dir.path() << ";\n  server { listen 127.0.0.1:" << nginx_port << "; root " << dir.path()
      << "; location / { default_type text/html; try_files /page.html =404; } } }\n";
  auto nginx = *ocop::testing::ChildProcess::Start(
      {"/usr/sbin/nginx", "-c", dir.File("nginx.conf"), "-p", dir.path()}, dir.File("nginx.log"));
  absl::SleepFor(absl::Milliseconds(500));
  const std::string script = dir.File("scan.lua");
  const std::string client_count = absl::StrCat(clients);

  // (d) and (b) in alternating rounds, so both see the same machine: rates are averaged, the
  // worst p99 of the rounds counts.
  const int64_t rescanned_before = Counted(redis, {rescanned_serial}, run_start);
  WrkResult nginx_result;
  WrkResult rescan;
  const int rounds = absl::GetFlag(FLAGS_rounds);
  auto accumulate = [rounds](WrkResult& total, const WrkResult& round) {
    total.requests_per_second += round.requests_per_second / rounds;
    total.completed += round.completed;
    total.p50_ms = std::max(total.p50_ms, round.p50_ms);
    total.p99_ms = std::max(total.p99_ms, round.p99_ms);
    total.errors += round.errors;
  };
  double rescan_cpu = 0;
  for (int round = 0; round < rounds; ++round) {
    accumulate(nginx_result, RunWrk(absl::StrCat("http://127.0.0.1:", nginx_port), seconds, script,
                                    {"1", dir.File("one.paths"), client_count, "0"}));
    const double cpu_before = CpuSeconds(lookup->pid());
    accumulate(rescan, RunWrk(lookup_url, seconds, script, {"1", dir.File("one.paths"), client_count, "0"}));
    rescan_cpu += CpuSeconds(lookup->pid()) - cpu_before;
  }
  nginx.reset();
  absl::SleepFor(absl::Seconds(1));  // the last flush
  const int64_t rescans_counted = Counted(redis, {rescanned_serial}, run_start) - rescanned_before;

  // (a) First scans, each of a different stamp.
  const double first_cpu_before = CpuSeconds(lookup->pid());
  WrkResult first = RunWrk(lookup_url, absl::GetFlag(FLAGS_first_scan_seconds), script,
                           {"2", dir.File("first.paths"), client_count, "0"});
  const double first_cpu = CpuSeconds(lookup->pid()) - first_cpu_before;
  std::vector<uint64_t> first_serials;
  int64_t first_issued = 0;
  for (size_t thread = 0; thread < first.issued.size(); ++thread) {
    first_issued += first.issued[thread];
    for (int64_t k = 0; k < first.issued[thread]; ++k) {
      const int64_t index = static_cast<int64_t>(thread) + 2 * k;
      if (index < stamp_count - 1) first_serials.push_back(peak->roll.first_serial() + static_cast<uint64_t>(index));
    }
  }
  // Counted once the last flushes are through: the count stops moving.
  int64_t first_counted = -1;
  for (int i = 0; i < 40; ++i) {
    absl::SleepFor(absl::Milliseconds(500));
    const int64_t counted = Counted(redis, first_serials, run_start);
    if (counted == first_counted) break;
    first_counted = counted;
  }

  // The durable history of (a) and (b) reaches the stamp service (every scan acknowledged is
  // there), before (f), so that sending it does not fall into (f)'s rounds.
  const int64_t history_expected = first_counted + rescans_counted + 2;  // and the two warm-up scans
  const int64_t history_held = HistoryScans(*stamps, peak->batch.name(), run_start, history_expected);

  // (f) gRPC: cached Resolve vs echo, the same client, the same server.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 4; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt("ocop.bench.channel", i);  // distinct arguments: distinct connections
    channels.push_back(grpc::CreateCustomChannel("127.0.0.1:" + grpc_port, grpc::InsecureChannelCredentials(),
                                                 arguments));
  }
  const std::string code = peak->tokens.back();
  // The echo answers as many bytes as a Resolve answer holds.
  int reply_bytes = 0;
  {
    auto stub = v1::LookupService::NewStub(channels[0]);
    v1::ResolveRequest request;
    request.set_code(code);
    v1::ResolveResponse response;
    grpc::ClientContext context;
    context.AddMetadata("x-forwarded-for", "192.0.2.1");
    if (stub->Resolve(&context, request, &response).ok()) reply_bytes = static_cast<int>(response.ByteSizeLong());
  }
  std::atomic<int64_t> echo_failures{0};
  std::atomic<int64_t> resolve_failures{0};
  auto echo_call = [&](int t, int64_t n) {
    auto stub = ocop::bench::Echo::NewStub(channels[static_cast<size_t>(t) % 4]);
    ocop::bench::EchoMessage request;
    request.set_payload(code);
    request.set_reply_bytes(reply_bytes);
    ocop::bench::EchoMessage response;
    grpc::ClientContext context;
    context.AddMetadata("x-forwarded-for", ClientAddress(static_cast<int>((n * 32 + t) % clients)));
    return stub->Echo(&context, request, &response).ok() &&
           response.payload().size() == static_cast<size_t>(reply_bytes);
  };
  auto resolve_call = [&](int t, int64_t n) {
    auto stub = v1::LookupService::NewStub(channels[static_cast<size_t>(t) % 4]);
    v1::ResolveRequest request;
    request.set_code(code);
    v1::ResolveResponse response;
    grpc::ClientContext context;
    context.AddMetadata("x-forwarded-for", ClientAddress(static_cast<int>((n * 32 + t) % clients)));
    return stub->Resolve(&context, request, &response).ok() && response.verdict() == v1::VERDICT_GENUINE &&
           response.events_size() == 5;
  };
  // Alternating one-second runs, so both see the same background (flushes, the history thread).
  double echo_rate = 0;
  double resolve_rate = 0;
  const int grpc_rounds = absl::GetFlag(FLAGS_grpc_seconds);
  for (int round = 0; round < grpc_rounds; ++round) {
    echo_rate += ClosedLoop(32, 1, echo_failures, echo_call) / grpc_rounds;
    resolve_rate += ClosedLoop(32, 1, resolve_failures, resolve_call) / grpc_rounds;
  }

  // (c) Cold scans: nothing cached, each lot scanned once, 16 phones at a time.
  std::atomic<size_t> next_cold{0};
  std::atomic<int64_t> cold_failures{0};
  std::vector<double> cold_latencies(cold_paths.size());
  const absl::Time cold_start = absl::Now();
  {
    std::vector<std::thread> phones;
    for (int t = 0; t < 16; ++t) {
      phones.emplace_back([&] {
        for (size_t i = next_cold++; i < cold_paths.size(); i = next_cold++) {
          const absl::Time start = absl::Now();
          ocop::testing::HttpResult scanned = ocop::testing::HttpGet(
              port, cold_paths[i], absl::StrCat("X-Forwarded-For: ", ClientAddress(100'000 + static_cast<int>(i)),
                                                "\r\n"));
          cold_latencies[i] = absl::ToDoubleMilliseconds(absl::Now() - start);
          if (scanned.status != 200 || scanned.body.find("Tem chính hãng") == std::string::npos) ++cold_failures;
        }
      });
    }
    for (std::thread& phone : phones) phone.join();
  }
  const double cold_rate = static_cast<double>(cold_paths.size()) / absl::ToDoubleSeconds(absl::Now() - cold_start);
  std::sort(cold_latencies.begin(), cold_latencies.end());
  auto percentile = [](const std::vector<double>& sorted, double p) {
    return sorted.empty() ? 0.0 : sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
  };

  // (m) Memory: the rest of the lot's stamps, from many more phones; then lookup's RSS.
  const int64_t rss_before = RssBytes(lookup->pid());
  WrkResult memory;
  int64_t distinct_seen = first_issued + 1;
  if (absl::GetFlag(FLAGS_memory_phase) && first.requests_per_second > 0) {
    const int64_t remaining = stamp_count - 1 - first_issued;
    const int memory_seconds =
        std::max(5, static_cast<int>(static_cast<double>(remaining) / (0.9 * first.requests_per_second)));
    std::vector<std::string> args = {"2", dir.File("first.paths"), absl::StrCat(absl::GetFlag(FLAGS_memory_clients)),
                                     absl::StrCat(clients)};
    for (int64_t issued : first.issued) args.push_back(absl::StrCat(issued));  // each thread goes on from there
    memory = RunWrk(lookup_url, memory_seconds, script, args);
    int64_t memory_issued = 0;
    for (int64_t issued : memory.issued) memory_issued += issued;
    distinct_seen = std::min<int64_t>(stamp_count, first_issued + memory_issued + 1);
  }
  const int64_t rss_after = RssBytes(lookup->pid());
  int64_t redis_bytes = 0;
  if (auto info = redis.Pipeline({{"INFO", "memory"}}); info.ok() && !info->empty()) {
    for (absl::string_view line : absl::StrSplit(info->front().text, "\r\n")) {
      if (absl::ConsumePrefix(&line, "used_memory:")) (void)absl::SimpleAtoi(line, &redis_bytes);
    }
  }
  lookup.reset();
  const std::string lookup_log = ocop::testing::RunCommand("grep -v '\"msg\":\"feed ' " + dir.File("lookup.log") + " | tail -60");

  ocop::lookup::LookupConfig production;
  production.scan_salt = "x";
  const int64_t bound = static_cast<int64_t>(production.MemoryBoundBytes());

  std::printf("\nlookup benchmark, Tết peak (page %zu bytes; wrk -t2 -c64; rate limits on: %.0f/s, burst %.0f per "
              "client; %d cores)\n",
              page.body.size(), production.rate_limit_per_s, production.rate_limit_burst, cores);
  std::printf("  (e) raw Ed25519 verifications, %d threads               %9.0f /s\n", cores, verify_rate);
  PrintWrk("(a) first scans, each a different stamp", first);
  std::printf("        %lld first scans of %d stamps; Redis counted %lld (issued %lld)\n",
              static_cast<long long>(first.completed), stamp_count - 1, static_cast<long long>(first_counted),
              static_cast<long long>(first_issued));
  std::printf("        ratio to (e) %.2f (goal >= 0.40, p99 <= 20 ms)\n", first.requests_per_second / verify_rate);
  const double first_cpu_us = first.completed > 0 ? 1e6 * first_cpu / static_cast<double>(first.completed) : 0;
  std::printf("        lookup's own CPU per first scan: %.0f us (one verification: %.0f us)\n", first_cpu_us,
              1e6 * cores / verify_rate);
  std::printf("      the stamp service's history holds %lld of the %lld scans of (a) and (b)\n",
              static_cast<long long>(history_held), static_cast<long long>(history_expected));
  PrintWrk("(d) nginx, the same page bytes", nginx_result);
  PrintWrk("(b) one stamp re-scanned by many phones", rescan);
  std::printf("        Redis counted %lld (wrk completed %lld); ratio to (d) %.2f (goal >= 0.60, p99 <= 2x (d))\n",
              static_cast<long long>(rescans_counted), static_cast<long long>(rescan.completed),
              rescan.requests_per_second / nginx_result.requests_per_second);
  std::printf("        lookup's own CPU per re-scan: %.0f us\n",
              rescan.completed > 0 ? 1e6 * rescan_cpu / static_cast<double>(rescan.completed) : 0.0);
  std::printf("  (c) cold scans, %zu lots, 16 phones                    %9.0f scans/s p50 %6.2f ms   p99 %6.2f ms\n",
              cold_paths.size(), cold_rate, percentile(cold_latencies, 0.5), percentile(cold_latencies, 0.99));
  std::printf("  (f) gRPC echo of %5d bytes, 32 threads x 4 channels     %9.0f calls/s\n", reply_bytes, echo_rate);
  std::printf("  (f) gRPC Resolve, cached                                %9.0f calls/s   ratio %.2f (goal >= 0.80)\n",
              resolve_rate, resolve_rate / echo_rate);
  if (absl::GetFlag(FLAGS_memory_phase)) {
    PrintWrk("(m) the rest of the stamps, many more phones", memory);
  }
  std::printf("  (m) lookup RSS: %lld MiB after (a)-(f), %lld MiB after %lld distinct stamps; bound %lld MiB + 64\n",
              static_cast<long long>(rss_before >> 20), static_cast<long long>(rss_after >> 20),
              static_cast<long long>(distinct_seen), static_cast<long long>(bound >> 20));
  std::printf("      Redis: %lld MiB in use, about %lld bytes per stamp scanned today\n",
              static_cast<long long>(redis_bytes >> 20),
              static_cast<long long>(distinct_seen > 0 ? redis_bytes / distinct_seen : 0));

  if (!first.errors.empty() || !rescan.errors.empty() || !nginx_result.errors.empty() || !memory.errors.empty()) {
    fail("some answers were not 200");
  }
  if (echo_failures > 0 || resolve_failures > 0 || cold_failures > 0) {
    fail(absl::StrCat("failed calls: echo ", echo_failures.load(), ", Resolve ", resolve_failures.load(), ", cold ",
                      cold_failures.load()));
  }
  if (first_issued > stamp_count - 1) fail("(a) ran out of stamps: some were scanned twice; raise --stamps");
  if (first_counted < first.completed || first_counted > first_issued) {
    fail("(a) Redis did not count every first scan exactly once");
  }
  if (rescans_counted < rescan.completed) fail("(b) Redis did not count every re-scan");
  if (history_held != history_expected) fail("the stamp service's history does not hold every scan exactly once");
  if (first.requests_per_second < 0.40 * verify_rate || first.p99_ms > 20) fail("(a) below goal");
  if (rescan.requests_per_second < 0.60 * nginx_result.requests_per_second ||
      rescan.p99_ms > 2 * nginx_result.p99_ms) {
    fail("(b) below goal");
  }
  if (resolve_rate < 0.80 * echo_rate) fail("(f) below goal");
  if (absl::GetFlag(FLAGS_memory_phase) && rss_after > bound + (64ll << 20)) fail("(m) lookup outgrew its bounds");
  if (!met && !lookup_log.empty()) std::printf("lookup's log ends:\n%s", lookup_log.c_str());
  std::printf(met ? "all goals met\n" : "below goal\n");
  return met ? 0 : 1;
}
