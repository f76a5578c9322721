// Lookup benchmark: how many scans the public side answers, against baselines in the same run.
//
//  1. Cached scans over HTTP, scan counting on, with wrk (64 connections, 2 threads) against nginx
//     serving the very same page bytes as a static file (nginx's worker_processes auto). Goal: at
//     least 50% of nginx. p99 latency of both.
//  2. Cached Resolve calls over gRPC (the same closed-loop client: 32 threads over 4 channels)
//     against a trivial echo service built in this tree (bench/proto/bench/echo.proto) in the same
//     server setup. Goal: at least 60% of echo.
//  3. Cold scans (nothing cached: no view cache, no proof cache, every scan verifies its signature
//     and fetches stamp, roll, trace, product and producer from the services), distinct stamps,
//     8 threads in-process, against cached scans in-process.
// The services (registry, batch, stamp) run in-process on loopback with SQLite files; Redis is a
// real redis-server; wrk and nginx are Debian's (tools/bench-lookup installs them).
#include <cstdio>
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
#include "common/grpc/client.h"
#include "common/grpc/server.h"
#include "common/http/http_server.h"
#include "common/redis/redis_client.h"
#include "services/lookup/backends.h"
#include "services/lookup/entity_cache.h"
#include "services/lookup/http_routes.h"
#include "services/lookup/key_ring.h"
#include "services/lookup/lookup_service.h"
#include "services/lookup/resolver.h"
#include "services/lookup/scan_counter.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"

ABSL_FLAG(int, seconds, 10, "Length of each wrk run");
ABSL_FLAG(int, grpc_seconds, 5, "Length of each gRPC run");
ABSL_FLAG(int, stamps, 1000, "Stamps issued (cold scans use distinct ones)");

namespace {

using ocop::testing::Context;
namespace v1 = ocop::lookup::v1;

class EchoService final : public ocop::bench::Echo::Service {
  grpc::Status Echo(grpc::ServerContext*, const ocop::bench::EchoMessage* request,
                    ocop::bench::EchoMessage* response) override {
    *response = *request;
    return grpc::Status::OK;
  }
};

struct WrkResult {
  double requests_per_second = 0;
  std::string p99;
  std::string errors;
};

WrkResult RunWrk(const std::string& url, int seconds) {
  std::string output = ocop::testing::RunCommand(
      absl::StrCat("wrk -t2 -c64 -d", seconds, "s --latency '", url, "' 2>&1"));
  WrkResult result;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (absl::ConsumePrefix(&text, "Requests/sec:")) {
      (void)absl::SimpleAtod(absl::StripAsciiWhitespace(text), &result.requests_per_second);
    } else if (absl::ConsumePrefix(&text, "99%")) {
      result.p99 = std::string(absl::StripAsciiWhitespace(text));
    } else if (absl::StartsWith(text, "Non-2xx") || absl::StartsWith(text, "Socket errors")) {
      absl::StrAppend(&result.errors, text, "; ");
    }
  }
  if (result.requests_per_second == 0) std::fprintf(stderr, "wrk said:\n%s\n", output.c_str());
  return result;
}

// Calls `call` from `threads` threads for `seconds`; returns calls per second.
double ClosedLoop(int threads, int seconds, const std::function<bool(int thread)>& call) {
  std::atomic<int64_t> done{0};
  std::atomic<bool> failed{false};
  absl::Time end = absl::Now() + absl::Seconds(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      while (absl::Now() < end) {
        if (!call(t)) failed = true;
        ++done;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  if (failed) std::fprintf(stderr, "some calls failed\n");
  return static_cast<double>(done) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int seconds = absl::GetFlag(FLAGS_seconds);
  const int grpc_seconds = absl::GetFlag(FLAGS_grpc_seconds);
  ocop::testing::TempDir dir;

  // The services and the demo stamps.
  auto redis_server = *ocop::testing::RedisServer::Start();
  auto registry = *ocop::testing::RegistryHarness::Start(dir.File("registry.db"));
  auto batch = *ocop::testing::BatchHarness::Start(dir.File("batch.db"), registry->address());
  ocop::stamp::StampsConfig stamp_config;
  stamp_config.public_base_url = "https://ocop.tn.gov.vn";
  auto stamp = *ocop::testing::StampHarness::Start(dir.File("stamp.db"), dir.File("keys"), batch->address(),
                                                   registry->address(), stamp_config);
  ocop::registry::v1::CreateProducerRequest producer_request;
  *producer_request.mutable_producer() = ocop::testing::TeaCooperative();
  ocop::registry::v1::Producer producer;
  (void)registry->Stub()->CreateProducer(Context().get(), producer_request, &producer);
  ocop::registry::v1::CreateProductRequest product_request;
  product_request.mutable_product()->set_producer(producer.name());
  product_request.mutable_product()->set_display_name("Chè Tân Cương đặc biệt");
  product_request.mutable_product()->set_group(ocop::registry::v1::PRODUCT_GROUP_BEVERAGES);
  product_request.mutable_product()->set_description("Chè búp xanh sao suốt, vùng chè Tân Cương.");
  ocop::registry::v1::OcopRating* rating = product_request.mutable_product()->mutable_rating();
  rating->set_score(78);
  rating->set_stars(4);
  rating->set_certificate_number("TN-OCOP-2025-001");
  rating->set_valid_until("2099-06-30");
  rating->set_council_level(ocop::registry::v1::COUNCIL_LEVEL_PROVINCE);
  rating->set_decision_number("123/QĐ-UBND");
  rating->set_decision_date("2025-06-30");
  ocop::registry::v1::Product product;
  (void)registry->Stub()->CreateProduct(Context().get(), product_request, &product);
  ocop::batch::v1::CreateBatchRequest batch_request;
  batch_request.mutable_batch()->set_product(product.name());
  batch_request.mutable_batch()->set_lot_code("TC-2026-03-A");
  batch_request.mutable_batch()->set_harvest_date("2026-03-14");
  batch_request.mutable_batch()->set_quantity(250);
  batch_request.mutable_batch()->set_unit("kg");
  ocop::batch::v1::Batch lot;
  (void)batch->Stub()->CreateBatch(Context().get(), batch_request, &lot);
  for (const char* step : {"ocop:harvesting", "ocop:processing", "packing", "storing", "shipping"}) {
    ocop::batch::v1::AppendEventRequest event;
    event.set_parent(lot.name());
    event.mutable_event()->set_type(ocop::batch::v1::EVENT_TYPE_OBJECT);
    event.mutable_event()->set_biz_step(step);
    event.mutable_event()->mutable_event_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 7200);
    event.mutable_event()->mutable_location()->set_display_name("Xưởng HTX Chè Tân Cương");
    ocop::batch::v1::BatchEvent appended;
    (void)batch->Stub()->AppendEvent(Context().get(), event, &appended);
  }
  ocop::stamp::v1::IssueRollRequest roll_request;
  roll_request.mutable_roll()->set_batch(lot.name());
  roll_request.mutable_roll()->set_count(absl::GetFlag(FLAGS_stamps));
  ocop::stamp::v1::Roll roll;
  (void)stamp->Stub()->IssueRoll(Context().get(), roll_request, &roll);
  ocop::stamp::v1::ChangeStampsRequest activate;
  activate.set_roll(roll.name());
  activate.set_first_serial(roll.first_serial());
  activate.set_count(roll.count());
  (void)stamp->Stub()->ActivateStamps(Context().get(), activate, &roll);
  std::vector<std::string> tokens;
  for (int64_t i = 0; i < roll.count(); ++i) {
    ocop::stamp::v1::GetStampRequest get;
    get.set_name(absl::StrCat("stamps/", roll.first_serial() + static_cast<uint64_t>(i)));
    ocop::stamp::v1::Stamp issued;
    (void)stamp->Stub()->GetStamp(Context("services/test", "service").get(), get, &issued);
    tokens.push_back(issued.token());
  }

  // Lookup in-process, as main.cc wires it, without rate limits (wrk is one client).
  auto clock = [] { return absl::Now(); };
  ocop::redis::RedisOptions redis_options;
  redis_options.port = redis_server->port();
  ocop::redis::RedisClient redis(redis_options);
  ocop::redis::RedisClient scan_redis(redis_options);
  auto backends = ocop::lookup::MakeGrpcBackends({registry->address(), batch->address(), stamp->address()},
                                                 absl::Seconds(2), ocop::testing::ServiceTokens("lookup"));
  ocop::lookup::KeyRing keys([&] { return backends->ListPublicKeys(); }, clock, absl::Seconds(1));
  (void)keys.Refresh();
  ocop::lookup::EntityCache views(&redis, 100000, clock);
  ocop::lookup::EntityCache proofs(nullptr, 100000, clock);
  ocop::lookup::ScanCounter scans(
      &scan_redis, [&](const std::vector<ocop::stamp::v1::ScanRecord>& batch) { return backends->RecordScans(batch); },
      "bench-salt", ocop::lookup::ScanCounterOptions{});
  ocop::lookup::Resolver resolver(backends.get(), &keys, &views, &proofs, ocop::lookup::ResolverConfig{}, clock,
                                  &scans);
  ocop::http::HttpServerOptions http_options;
  http_options.io_threads = static_cast<int>(std::thread::hardware_concurrency());  // as lookup's default
  auto http = *ocop::http::HttpServer::Start(
      http_options,
      [&](const ocop::http::HttpRequest& request) {
        return ocop::lookup::HandleHttp(resolver, keys, request, request.peer_address);
      },
      [&](const ocop::http::HttpRequest& request) {
        return ocop::lookup::HandleHttpFromMemory(resolver, request, request.peer_address);
      });
  ocop::lookup::LookupServiceImpl lookup_service(&resolver, nullptr);
  EchoService echo;
  ocop::grpcutil::ServerOptions grpc_options;
  auto grpc_server = *ocop::grpcutil::GrpcServer::Start(grpc_options, {&lookup_service, &echo});

  // 1. HTTP: lookup's cached page vs nginx serving the same bytes.
  const std::string path = "/s/" + tokens[0];
  ocop::testing::HttpResult page = ocop::testing::HttpGet(http->port(), path);  // warms the caches
  if (page.status != 200) {
    std::fprintf(stderr, "scan page: HTTP %d\n", page.status);
    return 1;
  }
  std::ofstream(dir.File("page.html")) << page.body;
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
  WrkResult nginx_result = RunWrk(absl::StrCat("http://127.0.0.1:", nginx_port, path), seconds);
  WrkResult lookup_result = RunWrk(absl::StrCat("http://127.0.0.1:", http->port(), path), seconds);
  nginx.reset();
  scans.Flush();
  // Today's count of the stamp (per-day keys, services/lookup/scan_counter.h).
  const std::string today = absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::FixedTimeZone(7 * 3600)));
  auto counted = scan_redis.Pipeline({{"GET", absl::StrCat("scan:", roll.first_serial(), ":n:", today)}});

  // 2. gRPC: cached Resolve vs echo, the same client.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < 4; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt("ocop.bench.channel", i);  // distinct arguments: distinct connections
    channels.push_back(grpc::CreateCustomChannel(ocop::testing::LoopbackAddress(grpc_server->port()),
                                                 grpc::InsecureChannelCredentials(), arguments));
  }
  const std::string code = tokens[0];
  double echo_rate = ClosedLoop(32, grpc_seconds, [&](int thread) {
    auto stub = ocop::bench::Echo::NewStub(channels[thread % 4]);
    ocop::bench::EchoMessage request;
    request.set_payload(code);
    ocop::bench::EchoMessage response;
    grpc::ClientContext context;
    return stub->Echo(&context, request, &response).ok();
  });
  double resolve_rate = ClosedLoop(32, grpc_seconds, [&](int thread) {
    auto stub = v1::LookupService::NewStub(channels[thread % 4]);
    v1::ResolveRequest request;
    request.set_code(code);
    v1::ResolveResponse response;
    grpc::ClientContext context;
    return stub->Resolve(&context, request, &response).ok() && response.verdict() == v1::VERDICT_GENUINE;
  });

  // 3. Cold scans in-process vs cached scans in-process.
  double cached_rate = ClosedLoop(8, grpc_seconds, [&](int) { return resolver.Resolve(code).ok(); });
  ocop::lookup::EntityCache no_views(nullptr, 0, clock);
  ocop::lookup::EntityCache no_proofs(nullptr, 0, clock);
  ocop::lookup::Resolver cold(backends.get(), &keys, &no_views, &no_proofs, ocop::lookup::ResolverConfig{}, clock);
  std::atomic<size_t> next{0};
  double cold_rate = ClosedLoop(8, grpc_seconds, [&](int) {
    absl::StatusOr<v1::ResolveResponse> result = cold.Resolve(tokens[next++ % tokens.size()]);
    return result.ok() && result->verdict() == v1::VERDICT_GENUINE;
  });

  std::printf("lookup benchmark (page %zu bytes; wrk -t2 -c64 %ds; gRPC 32 threads x 4 channels %ds)\n",
              page.body.size(), seconds, grpc_seconds);
  std::printf("  HTTP  nginx, same page as a static file   %9.0f req/s   p99 %s\n", nginx_result.requests_per_second,
              nginx_result.p99.c_str());
  std::printf("  HTTP  lookup, cached scan, counting on   %9.0f req/s   p99 %s   ratio %.2f (goal >= 0.50)\n",
              lookup_result.requests_per_second, lookup_result.p99.c_str(),
              lookup_result.requests_per_second / nginx_result.requests_per_second);
  if (!lookup_result.errors.empty()) std::printf("        lookup errors: %s\n", lookup_result.errors.c_str());
  std::printf("        scans counted in Redis for the stamp: %s\n",
              counted.ok() && !counted->empty() ? counted->front().text.c_str() : "?");
  std::printf("  gRPC  echo                               %9.0f calls/s\n", echo_rate);
  std::printf("  gRPC  Resolve, cached                    %9.0f calls/s                ratio %.2f (goal >= 0.60)\n",
              resolve_rate, resolve_rate / echo_rate);
  std::printf("  in-process Resolve, cached               %9.0f scans/s\n", cached_rate);
  std::printf("  in-process Resolve, cold (nothing cached) %8.0f scans/s                ratio %.3f\n", cold_rate,
              cold_rate / cached_rate);
  grpc_server->Shutdown();
  http->Stop();
  const bool met = lookup_result.requests_per_second >= 0.5 * nginx_result.requests_per_second &&
                   resolve_rate >= 0.6 * echo_rate;
  if (!met) std::printf("below goal\n");
  return met ? 0 : 1;
}
