// Lookup wired in one place: a validated configuration and the builder that turns it into a
// running lookup (Redis clients, backends, key ring, caches, scan counter, resolver, rate limits,
// change-feed followers, HTTP server and the gRPC service). main.cc fills the configuration from
// flags; the benchmark fills it with production defaults; both run exactly this wiring.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/token_source.h"
#include "common/feed/feed_follower.h"
#include "common/http/http_server.h"
#include "common/redis/redis_client.h"
#include "services/lookup/backends.h"
#include "services/lookup/entity_cache.h"
#include "services/lookup/key_ring.h"
#include "services/lookup/lookup_service.h"
#include "services/lookup/page_cache.h"
#include "services/lookup/proof_cache.h"
#include "services/lookup/public_limits.h"
#include "services/lookup/resolver.h"
#include "services/lookup/scan_counter.h"

namespace ocop::lookup {

// Port 8080 on loopback, one I/O thread per core (0), 8 workers.
inline http::HttpServerOptions DefaultHttpOptions() {
  http::HttpServerOptions options;
  options.port = 8080;
  options.io_threads = 0;
  return options;
}

struct LookupConfig {
  // http(s)://host[:port] of the public site, as printed on the stamps. Required.
  std::string public_base_url;
  // host:port of Redis (the shared cache and the scan counters).
  std::string redis_address = "127.0.0.1:6379";
  std::string redis_password;  // AUTH on every connection when not empty
  BackendAddresses backends{"127.0.0.1:50051", "127.0.0.1:50052", "127.0.0.1:50053"};
  absl::Duration backend_deadline = absl::Seconds(1);
  // The HTTP front door (address, port, TLS, threads). io_threads 0: one per core.
  http::HttpServerOptions http = DefaultHttpOptions();
  ResolverConfig resolver;
  // Memory bounds of the in-process caches, in bytes: views, verified signatures, rendered page
  // details.
  size_t view_cache_bytes = 128ull << 20;
  size_t proof_cache_bytes = 32ull << 20;
  size_t page_cache_bytes = 16ull << 20;
  // Public rate limits per client: requests per second on average, burst, clients remembered.
  double rate_limit_per_s = 10;
  double rate_limit_burst = 30;
  size_t rate_limit_clients = 100000;
  // Proxies (IPs or CIDR blocks) whose X-Forwarded-For names the client.
  std::vector<std::string> trusted_proxies;
  // Scan counting (Redis counters and the stamp service's history); the salt keys client hashes.
  bool count_scans = true;
  std::string scan_salt;
  ScanCounterOptions scans;
  // Follow the backends' change feeds (off only in tests that drive changes by hand).
  bool follow_feeds = true;

  // INVALID_ARGUMENT naming the first setting that is wrong and why.
  absl::Status Validate() const;
  // What the bounded in-process structures may take in all: view and proof caches, rate-limit
  // buckets, roll index, scan queue and remembered counts. Lookup's RSS should stay within this
  // plus a fixed overhead (docs/benchmarks.md measures it).
  size_t MemoryBoundBytes() const;
};

class Lookup {
 public:
  // Validates `config`, connects and starts the HTTP server and the feed followers. `tokens`:
  // lookup's service credentials for the backends (null: calls carry none). `clock` for
  // everything that needs the time.
  static absl::StatusOr<std::unique_ptr<Lookup>> Start(const LookupConfig& config,
                                                       std::shared_ptr<auth::TokenSource> tokens,
                                                       std::function<absl::Time()> clock = [] { return absl::Now(); });
  ~Lookup();
  Lookup(const Lookup&) = delete;
  Lookup& operator=(const Lookup&) = delete;

  // For the process's gRPC server.
  LookupServiceImpl& grpc_service() { return *grpc_service_; }
  int http_port() const { return http_->port(); }
  Resolver& resolver() { return *resolver_; }
  KeyRing& keys() { return *keys_; }
  // Null when scans are not counted.
  ScanCounter* scans() { return scans_.get(); }
  redis::RedisClient& redis() { return *redis_; }

  // Stops the HTTP server and the followers, and flushes the scans still queued.
  void Stop();

 private:
  Lookup() = default;

  LookupConfig config_;
  std::unique_ptr<redis::RedisClient> redis_;
  std::unique_ptr<redis::RedisClient> scan_redis_;
  std::unique_ptr<Backends> backends_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<EntityCache> views_;
  std::unique_ptr<ProofCache> proofs_;
  std::unique_ptr<PageCache> pages_;
  std::unique_ptr<ScanCounter> scans_;
  std::unique_ptr<Resolver> resolver_;
  std::unique_ptr<PublicLimits> limits_;
  std::unique_ptr<LookupServiceImpl> grpc_service_;
  std::vector<std::unique_ptr<feed::FeedFollower>> followers_;
  std::unique_ptr<http::HttpServer> http_;
  bool stopped_ = false;
};

}  // namespace ocop::lookup
