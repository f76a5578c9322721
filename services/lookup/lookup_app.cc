#include "services/lookup/lookup_app.h"

#include <cstdio>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"
#include "services/lookup/http_routes.h"
#include "services/lookup/lookup_metrics.h"

namespace ocop::lookup {
namespace {

absl::StatusOr<redis::RedisOptions> ParseRedisAddress(const std::string& address) {
  redis::RedisOptions options;
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 || !absl::SimpleAtoi(address.substr(colon + 1), &options.port) ||
      options.port <= 0 || options.port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("redis: must be host:port, got '", address, "'"));
  }
  options.host = address.substr(0, colon);
  return options;
}

// Opens Service's WatchChanges stream on `channel`.
template <typename Service>
feed::FeedFollower::OpenStream Opener(std::shared_ptr<grpc::Channel> channel) {
  std::shared_ptr<typename Service::Stub> stub = Service::NewStub(std::move(channel));
  return [stub](grpc::ClientContext* context, const common::v1::WatchChangesRequest& request) {
    return stub->WatchChanges(context, request);
  };
}

}  // namespace

absl::Status LookupConfig::Validate() const {
  OCOP_RETURN_IF_ERROR(validate::BaseUrl("public_base_url", public_base_url));
  OCOP_RETURN_IF_ERROR(ParseRedisAddress(redis_address).status());
  for (const auto& [name, address] : {std::pair{"registry", backends.registry}, std::pair{"batch", backends.batch},
                                      std::pair{"stamp", backends.stamp}}) {
    if (address.empty()) return absl::InvalidArgumentError(absl::StrCat(name, ": address must not be empty"));
  }
  if (backend_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("backend_deadline: must be positive");
  }
  if (http.port < 0 || http.port > 65535) return absl::InvalidArgumentError("http_port: must be 0 to 65535");
  if (http.io_threads < 0) return absl::InvalidArgumentError("http_io_threads: must not be negative");
  if (http.worker_threads < 1) return absl::InvalidArgumentError("http_workers: must be at least 1");
  if (http.max_connections < 1 || http.max_connections_per_peer < 1 || http.max_queued_requests < 1) {
    return absl::InvalidArgumentError(
        "http_max_connections, http_max_connections_per_client, http_max_queued: must be at least 1");
  }
  if (http.queue_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("http_queue_deadline_ms: must be positive");
  }
  if (http.tls_certificate_chain.empty() != http.tls_private_key.empty()) {
    return absl::InvalidArgumentError("http TLS: needs both a certificate chain and its private key");
  }
  if (resolver.max_cache_ttl <= absl::ZeroDuration()) return absl::InvalidArgumentError("cache_ttl: must be positive");
  if (resolver.copy_min_clients < 2 || resolver.copy_min_days < 1) {
    return absl::InvalidArgumentError("copy_min_clients, copy_min_days: at least 2 clients on at least 1 day");
  }
  if (view_cache_bytes < (1u << 20) || proof_cache_bytes < (1u << 20) || page_cache_bytes < (1u << 20)) {
    return absl::InvalidArgumentError("view_cache_bytes, proof_cache_bytes, page_cache_bytes: at least 1 MiB each");
  }
  if (!(rate_limit_per_s > 0) || rate_limit_burst < 1 || rate_limit_clients < 1) {
    return absl::InvalidArgumentError("rate limits: rate must be positive, burst and clients at least 1");
  }
  OCOP_RETURN_IF_ERROR(http::TrustedProxies::Parse(trusted_proxies).status());
  if (count_scans && (scans.history_interval <= absl::ZeroDuration() || scans.flush_interval <= absl::ZeroDuration())) {
    return absl::InvalidArgumentError("scans: the flush and history intervals must be positive");
  }
  if (count_scans && scan_salt.size() < 16) {
    return absl::InvalidArgumentError("scan_salt: at least 16 bytes when scans are counted");
  }
  return absl::OkStatus();
}

size_t LookupConfig::MemoryBoundBytes() const {
  const ratelimit::TokenBucketLimiter limiter(rate_limit_per_s, rate_limit_burst, rate_limit_clients);
  return view_cache_bytes + proof_cache_bytes + page_cache_bytes + limiter.max_bytes() +
         RollIndex(resolver.max_rolls_indexed).max_bytes() + (count_scans ? ScanCounter::MaxBytes(scans) : 0);
}

absl::StatusOr<std::unique_ptr<Lookup>> Lookup::Start(const LookupConfig& config,
                                                      std::shared_ptr<auth::TokenSource> tokens,
                                                      std::function<absl::Time()> clock) {
  OCOP_RETURN_IF_ERROR(config.Validate());
  std::unique_ptr<Lookup> lookup(new Lookup());
  lookup->config_ = config;
  OCOP_ASSIGN_OR_RETURN(redis::RedisOptions redis_options, ParseRedisAddress(config.redis_address));
  redis_options.password = config.redis_password;
  // The view cache's connections: HTTP workers read through them concurrently (the scan counter
  // has its own, so its long flushes never sit in front of a scan's GET).
  redis::RedisOptions cache_options = redis_options;
  cache_options.connections = 4;
  lookup->redis_ = std::make_unique<redis::RedisClient>(cache_options);
  if (absl::Status ping = lookup->redis_->Ping(); !ping.ok()) {
    logs::Warning("redis not reachable yet; serving from backends until it is", {{"error", ping}});
  }
  lookup->backends_ = MakeGrpcBackends(config.backends, config.backend_deadline, tokens);
  Backends* backends = lookup->backends_.get();
  lookup->keys_ = std::make_unique<KeyRing>([backends] { return backends->ListPublicKeys(); }, clock,
                                            absl::Seconds(1));
  if (absl::Status refreshed = lookup->keys_->Refresh(); !refreshed.ok()) {
    logs::Warning("stamp keys not loaded yet; will retry on first scan", {{"error", refreshed}});
  }
  // Redis entries are MACed under a key derived from the scan salt, which every replica shares;
  // without one (scans not counted) the key is this process's own, and Redis is not shared.
  std::string cache_mac_secret;
  if (config.scan_salt.empty()) {
    OCOP_ASSIGN_OR_RETURN(cache_mac_secret, crypto::RandomBytes(32));
  } else {
    cache_mac_secret = crypto::HmacSha256(config.scan_salt, "ocop lookup: cache entry MAC key v1");
  }
  lookup->views_ =
      std::make_unique<EntityCache>(lookup->redis_.get(), config.view_cache_bytes, clock, cache_mac_secret);
  lookup->proofs_ = std::make_unique<ProofCache>(config.proof_cache_bytes, clock);
  lookup->pages_ = std::make_unique<PageCache>(config.page_cache_bytes);
  if (config.count_scans) {
    // Scan counting has its own Redis connection, so flushes never queue behind cache reads. Its
    // calls run off the scan path and carry thousands of commands: they get seconds, not the
    // scan path's milliseconds (a timed-out transaction may have been applied, and its retry
    // would count its scans twice).
    redis::RedisOptions counter_options = redis_options;
    counter_options.command_timeout = std::max(redis_options.command_timeout, absl::Seconds(2));
    lookup->scan_redis_ = std::make_unique<redis::RedisClient>(counter_options);
    ScanCounterOptions options = config.scans;
    options.clock = clock;
    lookup->scans_ = std::make_unique<ScanCounter>(
        lookup->scan_redis_.get(),
        [backends](const std::vector<stamp::v1::ScanRecord>& batch) { return backends->RecordScans(batch); },
        config.scan_salt, options);
  }
  ResolverConfig resolver_config = config.resolver;
  resolver_config.local_ttl_after_shared_hit =
      std::min(resolver_config.local_ttl_after_shared_hit, resolver_config.max_cache_ttl);
  lookup->resolver_ = std::make_unique<Resolver>(backends, lookup->keys_.get(), lookup->views_.get(),
                                                 lookup->proofs_.get(), resolver_config, clock, lookup->scans_.get());
  OCOP_ASSIGN_OR_RETURN(http::TrustedProxies trusted, http::TrustedProxies::Parse(config.trusted_proxies));
  // A trusted proxy carries many clients: its connections count only towards the total cap.
  http::HttpServerOptions http_options = config.http;
  http_options.uncapped_peers = trusted;
  lookup->limits_ = std::make_unique<PublicLimits>(config.rate_limit_per_s, config.rate_limit_burst,
                                                   std::move(trusted), config.rate_limit_clients);
  lookup->grpc_service_ = std::make_unique<LookupServiceImpl>(lookup->resolver_.get(), lookup->limits_.get());

  // Follow every writer's change feed: a change drops its cached view; a reconnect drops memory.
  // From the head: the caches start empty, so the feeds' history is of no use here.
  if (config.follow_feeds) {
    Resolver* resolver = lookup->resolver_.get();
    const std::pair<const char*, feed::FeedFollower::OpenStream> feeds[] = {
        {"registry",
         Opener<registry::v1::RegistryService>(auth::AuthenticatedChannel(config.backends.registry, tokens))},
        {"batch", Opener<batch::v1::BatchService>(auth::AuthenticatedChannel(config.backends.batch, tokens))},
        {"stamp", Opener<stamp::v1::StampService>(auth::AuthenticatedChannel(config.backends.stamp, tokens))},
    };
    for (const auto& [name, open] : feeds) {
      lookup->followers_.push_back(std::make_unique<feed::FeedFollower>(
          name, open, [resolver](const common::v1::Change& change) { resolver->OnChange(change); },
          [resolver] { resolver->OnFeedConnected(); }, /*start_at_head=*/true));
      lookup->followers_.back()->Start();
    }
  }

  if (http_options.io_threads == 0) {
    http_options.io_threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  }
  Resolver* resolver = lookup->resolver_.get();
  KeyRing* keys = lookup->keys_.get();
  PublicLimits* limits = lookup->limits_.get();
  PageCache* pages = lookup->pages_.get();
  const std::string base_url = config.public_base_url;
  OCOP_ASSIGN_OR_RETURN(
      lookup->http_,
      http::HttpServer::Start(
          http_options,
          [resolver, keys, limits, base_url, pages](const http::HttpRequest& request) {
            const absl::Time start = absl::Now();
            http::HttpResponse response =
                HandleHttp(*resolver, *keys, request, limits->ClientOf(request), base_url, pages);
            CountHttpRequest(request.target, response.status, absl::Now() - start);
            return response;
          },
          // Every request passes here first, on the I/O thread: the rate limit (once per
          // request), then scans answered from memory; anything else goes on to the workers.
          [resolver, limits, clock, pages](const http::HttpRequest& request) -> std::optional<http::HttpResponse> {
            const absl::Time start = absl::Now();
            const std::string client = limits->ClientOf(request);  // parsed once per request
            std::optional<http::HttpResponse> response = limits->CheckHttpClient(client, clock());
            if (!response.has_value()) response = HandleHttpFromMemory(*resolver, request, client, pages);
            if (response.has_value()) CountHttpRequest(request.target, response->status, absl::Now() - start);
            return response;
          }));
  return lookup;
}

void Lookup::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (http_ != nullptr) http_->Stop();
  for (auto& follower : followers_) follower->Stop();
  if (scans_ != nullptr) {
    scans_->Flush();
    logs::Info("scan counter stopped", {{"counted", scans_->counted()},
                                        {"dropped", scans_->dropped()},
                                        {"flushes_retried", scans_->failed_flushes()}});
  }
}

Lookup::~Lookup() {
  Stop();
  // The resolver and the service point into what follows: they go first.
  grpc_service_.reset();
  resolver_.reset();
  scans_.reset();  // its last flush still reaches the backends
}

}  // namespace ocop::lookup
