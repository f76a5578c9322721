// lookup: the public side. Resolves scanned stamps over gRPC and HTTP, caches views in Redis and
// in memory, and follows the other services' change feeds. Flags -> wiring -> run until signal.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "common/auth/service_auth.h"
#include "common/feed/feed_follower.h"
#include "common/grpc/client.h"
#include "common/grpc/server.h"
#include "common/grpc/server_main.h"
#include "common/http/http_server.h"
#include "common/redis/redis_client.h"
#include "common/validate/validate.h"
#include "services/lookup/backends.h"
#include "services/lookup/entity_cache.h"
#include "services/lookup/http_routes.h"
#include "services/lookup/key_ring.h"
#include "services/lookup/lookup_service.h"
#include "services/lookup/resolver.h"
#include "services/lookup/scan_counter.h"

ABSL_FLAG(std::string, http_address, "127.0.0.1", "HTTP address to listen on");
ABSL_FLAG(int, http_port, 8080, "HTTP port (0: any free port)");
ABSL_FLAG(std::string, http_port_file, "", "Write the bound HTTP port to this file");
ABSL_FLAG(std::string, http_tls_cert_file, "",
          "PEM certificate chain: the HTTP port speaks HTTPS only (else plain HTTP, e.g. behind an HTTPS ingress)");
ABSL_FLAG(std::string, http_tls_key_file, "", "PEM private key of --http_tls_cert_file (a 0600 file)");
ABSL_FLAG(int, http_workers, 8, "Threads that run HTTP handlers (they block on Redis and backends)");
ABSL_FLAG(int, http_io_threads, 0,
          "Threads that read and write HTTP and answer cached scans from memory (0: one per core)");
ABSL_FLAG(std::string, redis, "127.0.0.1:6379", "Redis host:port for the shared cache");
ABSL_FLAG(std::string, registry, "127.0.0.1:50051", "Registry service address");
ABSL_FLAG(std::string, batch, "127.0.0.1:50052", "Batch service address");
ABSL_FLAG(std::string, stamp, "127.0.0.1:50053", "Stamp service address");
ABSL_FLAG(int, backend_deadline_ms, 1000, "Deadline of every backend call");
ABSL_FLAG(int, cache_ttl_s, 60, "Longest a cached view lives (the stale window after a lost change)");
ABSL_FLAG(int, local_cache_entries, 100000, "Bound of the in-process cache");
ABSL_FLAG(double, rate_limit_per_s, 10, "Public HTTP and gRPC: requests per second per client, on average");
ABSL_FLAG(double, rate_limit_burst, 30, "Public HTTP and gRPC: burst per client");
ABSL_FLAG(std::string, public_base_url, "",
          "Required: http(s)://host[:port] of the public site, as printed on the stamps; absolute links in "
          "linksets start with it (never with the request's Host header)");
ABSL_FLAG(bool, count_scans, true, "Count scans of genuine stamps (Redis) and send them to the stamp service");
ABSL_FLAG(std::string, scan_salt_file, "data/scan-salt",
          "Secret salt of client hashes (created 0600 with 32 random bytes when missing; the same file on "
          "every lookup replica)");
ABSL_FLAG(int, copy_min_clients, 20, "'Possible copy' from this many distinct clients ...");
ABSL_FLAG(int, copy_min_days, 4, "... on at least this many distinct days");
ABSL_FLAG(std::vector<std::string>, trusted_proxies, {},
          "Proxies (IPs or CIDR blocks, comma-separated) whose X-Forwarded-For names the client, e.g. the ingress");

namespace {

// Opens Service's WatchChanges stream on `channel`.
template <typename Service>
ocop::feed::FeedFollower::OpenStream Opener(std::shared_ptr<grpc::Channel> channel) {
  std::shared_ptr<typename Service::Stub> stub = Service::NewStub(std::move(channel));
  return [stub](grpc::ClientContext* context, const ocop::common::v1::WatchChangesRequest& request) {
    return stub->WatchChanges(context, request);
  };
}

// Scan counters live for their window (per-day keys with a TTL); under an allkeys-* policy Redis
// may evict them early, before cache entries that expire within a minute, losing the evidence of
// copies.
void WarnIfCountersCanBeEvicted(ocop::redis::RedisClient& redis) {
  auto policy = redis.Pipeline({{"CONFIG", "GET", "maxmemory-policy"}});
  if (!policy.ok() || policy->empty()) return;
  const std::string& value = policy->front().text;
  if (value.rfind("allkeys", 0) == 0) {
    std::fprintf(stderr,
                 "lookup: WARNING: redis maxmemory-policy is %s, which may evict scan counters; run redis with "
                 "volatile-ttl (or noeviction) and appendonly yes\n",
                 value.c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  ocop::grpcutil::BlockShutdownSignals();
  absl::SetProgramUsageMessage("OCOP lookup service: public stamp resolution");
  absl::ParseCommandLine(argc, argv);
  // First: it also sets up TLS for every channel this process opens (--tls_ca_file).
  ocop::grpcutil::ServerOptions options = ocop::grpcutil::ServerOptionsFromFlags("127.0.0.1:50054");

  const std::string public_base_url = absl::GetFlag(FLAGS_public_base_url);
  if (absl::Status base = ocop::validate::BaseUrl("--public_base_url", public_base_url); !base.ok()) {
    std::fprintf(stderr,
                 "lookup: %s\nlookup: --public_base_url is required: the address consumers reach (the one the stamp "
                 "service prints), e.g. https://ocop.thainguyen.gov.vn\n",
                 std::string(base.message()).c_str());
    return 1;
  }

  ocop::redis::RedisOptions redis_options;
  std::string redis_address = absl::GetFlag(FLAGS_redis);
  size_t colon = redis_address.rfind(':');
  if (colon == std::string::npos || !absl::SimpleAtoi(redis_address.substr(colon + 1), &redis_options.port)) {
    std::fprintf(stderr, "lookup: --redis must be host:port, got '%s'\n", redis_address.c_str());
    return 1;
  }
  redis_options.host = redis_address.substr(0, colon);
  ocop::redis::RedisClient redis(redis_options);
  if (absl::Status ping = redis.Ping(); !ping.ok()) {
    std::fprintf(stderr, "lookup: redis not reachable yet (%s); serving from backends until it is\n",
                 ping.ToString().c_str());
  }

  // Lookup's own gRPC methods are all public (no interceptor: nothing to verify on the scan
  // path); it calls the other services with its service token.
  auto auth = ocop::auth::ServiceAuthFromFlags("lookup", absl::GetFlag(FLAGS_registry));
  if (!auth.ok()) {
    std::fprintf(stderr, "lookup: %s\n", auth.status().ToString().c_str());
    return 1;
  }
  absl::Duration deadline = absl::Milliseconds(absl::GetFlag(FLAGS_backend_deadline_ms));
  std::unique_ptr<ocop::lookup::Backends> backends = ocop::lookup::MakeGrpcBackends(
      {absl::GetFlag(FLAGS_registry), absl::GetFlag(FLAGS_batch), absl::GetFlag(FLAGS_stamp)}, deadline,
      (*auth)->tokens());
  auto clock = [] { return absl::Now(); };
  ocop::lookup::KeyRing keys([&] { return backends->ListPublicKeys(); }, clock, absl::Seconds(1));
  if (absl::Status refreshed = keys.Refresh(); !refreshed.ok()) {
    std::fprintf(stderr, "lookup: stamp keys not loaded yet (%s); will retry on first scan\n",
                 refreshed.ToString().c_str());
  }
  ocop::lookup::EntityCache views(&redis, static_cast<size_t>(absl::GetFlag(FLAGS_local_cache_entries)), clock);
  ocop::lookup::EntityCache proofs(nullptr, static_cast<size_t>(absl::GetFlag(FLAGS_local_cache_entries)), clock);
  ocop::lookup::ResolverConfig config;
  config.max_cache_ttl = absl::Seconds(absl::GetFlag(FLAGS_cache_ttl_s));
  config.local_ttl_after_shared_hit = std::min(config.local_ttl_after_shared_hit, config.max_cache_ttl);
  config.copy_min_clients = absl::GetFlag(FLAGS_copy_min_clients);
  config.copy_min_days = absl::GetFlag(FLAGS_copy_min_days);
  // Scan counting has its own Redis connection, so flushes never queue behind cache reads.
  ocop::redis::RedisClient scan_redis(redis_options);
  std::unique_ptr<ocop::lookup::ScanCounter> scans;
  if (absl::GetFlag(FLAGS_count_scans)) {
    absl::StatusOr<std::string> salt = ocop::lookup::LoadOrCreateSalt(absl::GetFlag(FLAGS_scan_salt_file));
    if (!salt.ok()) {
      std::fprintf(stderr, "lookup: scan salt: %s\n", salt.status().ToString().c_str());
      return 1;
    }
    scans = std::make_unique<ocop::lookup::ScanCounter>(
        &scan_redis,
        [&backends](const std::vector<ocop::stamp::v1::ScanRecord>& batch) { return backends->RecordScans(batch); },
        *salt, ocop::lookup::ScanCounterOptions{});
    WarnIfCountersCanBeEvicted(scan_redis);
  }
  ocop::lookup::Resolver resolver(backends.get(), &keys, &views, &proofs, config, clock, scans.get());

  // Follow every writer's change feed: a change drops its cached view; a reconnect drops memory.
  std::vector<std::unique_ptr<ocop::feed::FeedFollower>> followers;
  const std::pair<const char*, ocop::feed::FeedFollower::OpenStream> feeds[] = {
      {"registry", Opener<ocop::registry::v1::RegistryService>((*auth)->Channel(absl::GetFlag(FLAGS_registry)))},
      {"batch", Opener<ocop::batch::v1::BatchService>((*auth)->Channel(absl::GetFlag(FLAGS_batch)))},
      {"stamp", Opener<ocop::stamp::v1::StampService>((*auth)->Channel(absl::GetFlag(FLAGS_stamp)))},
  };
  for (const auto& [name, open] : feeds) {
    followers.push_back(std::make_unique<ocop::feed::FeedFollower>(
        name, open, [&resolver](const ocop::common::v1::Change& change) { resolver.OnChange(change); },
        [&resolver] { resolver.OnFeedConnected(); }));
    followers.back()->Start();
  }

  auto trusted = ocop::http::TrustedProxies::Parse(absl::GetFlag(FLAGS_trusted_proxies));
  if (!trusted.ok()) {
    std::fprintf(stderr, "lookup: %s\n", trusted.status().ToString().c_str());
    return 1;
  }
  ocop::lookup::PublicLimits limits(absl::GetFlag(FLAGS_rate_limit_per_s), absl::GetFlag(FLAGS_rate_limit_burst),
                                    std::move(*trusted));
  ocop::http::HttpServerOptions http_options;
  http_options.listen_address = absl::GetFlag(FLAGS_http_address);
  http_options.port = absl::GetFlag(FLAGS_http_port);
  http_options.port_file = absl::GetFlag(FLAGS_http_port_file);
  if (!absl::GetFlag(FLAGS_http_tls_cert_file).empty() || !absl::GetFlag(FLAGS_http_tls_key_file).empty()) {
    std::ifstream cert(absl::GetFlag(FLAGS_http_tls_cert_file));
    std::ifstream key(absl::GetFlag(FLAGS_http_tls_key_file));
    http_options.tls_certificate_chain.assign(std::istreambuf_iterator<char>(cert), std::istreambuf_iterator<char>());
    http_options.tls_private_key.assign(std::istreambuf_iterator<char>(key), std::istreambuf_iterator<char>());
    if (http_options.tls_certificate_chain.empty() || http_options.tls_private_key.empty()) {
      std::fprintf(stderr, "lookup: --http_tls_cert_file and --http_tls_key_file must both be readable PEM files\n");
      return 1;
    }
  }
  http_options.worker_threads = absl::GetFlag(FLAGS_http_workers);
  http_options.io_threads = absl::GetFlag(FLAGS_http_io_threads) > 0
                                ? absl::GetFlag(FLAGS_http_io_threads)
                                : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  auto http = ocop::http::HttpServer::Start(
      http_options, [&resolver, &keys, &limits, &public_base_url](
                        const ocop::http::HttpRequest& request) {
        return ocop::lookup::HandleHttp(resolver, keys, request, limits.ClientOf(request), public_base_url);
      },
      // Every request passes here first, on the I/O thread: the rate limit (once per request), then
      // cached scans answered from memory; anything else goes on to the worker pool above.
      [&resolver, &limits](const ocop::http::HttpRequest& request) -> std::optional<ocop::http::HttpResponse> {
        const std::string client = limits.ClientOf(request);  // parsed once per request
        if (auto refused = limits.CheckHttpClient(client, absl::Now())) return *refused;
        return ocop::lookup::HandleHttpFromMemory(resolver, request, client);
      });
  if (!http.ok()) {
    std::fprintf(stderr, "lookup: %s\n", http.status().ToString().c_str());
    return 1;
  }
  ocop::lookup::LookupServiceImpl service(&resolver, &limits);
  int exit_code = ocop::grpcutil::ServeUntilSignal(
      "lookup", options, {&service},
      "HTTP on port " + std::to_string((*http)->port()) + ", redis " + redis_address, [&] {
        (*http)->Stop();
        for (auto& follower : followers) follower->Stop();
        scans.reset();  // flushes the scans still queued
      });
  return exit_code;
}
