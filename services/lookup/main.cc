// lookup: the public side. Resolves scanned stamps over gRPC and HTTP, caches views in Redis and
// in memory, and follows the other services' change feeds. Flags -> LookupConfig -> Lookup::Start
// (lookup_app.h, the wiring the benchmark runs too) -> run until signal.
#include <fstream>
#include <iterator>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/auth/service_auth.h"
#include "common/grpc/server.h"
#include "common/grpc/server_main.h"
#include "common/log/log.h"
#include "common/keys/secret_files.h"
#include "services/lookup/lookup_app.h"

ABSL_FLAG(std::string, http_address, "127.0.0.1", "HTTP address to listen on");
ABSL_FLAG(int, http_port, 8080, "HTTP port (0: any free port)");
ABSL_FLAG(std::string, http_port_file, "", "Write the bound HTTP port to this file");
ABSL_FLAG(std::string, http_tls_cert_file, "",
          "PEM certificate chain: the HTTP port speaks HTTPS only (else plain HTTP, e.g. behind an HTTPS ingress)");
ABSL_FLAG(std::string, http_tls_key_file, "", "PEM private key of --http_tls_cert_file (a 0600 file)");
ABSL_FLAG(int, http_workers, 8, "Threads that run HTTP handlers (they block on Redis and backends)");
ABSL_FLAG(int, http_io_threads, 0,
          "Threads that read and write HTTP and answer cached scans from memory (0: one per core)");
ABSL_FLAG(int, http_max_connections, 20000,
          "Open HTTP connections in all; past it a new one gets 503 and is closed (keep under the descriptor limit)");
ABSL_FLAG(int, http_max_connections_per_client, 64,
          "Open HTTP connections per TCP peer address (trusted proxies excepted); past it 429");
ABSL_FLAG(int, http_max_queued, 4096, "HTTP requests waiting for a worker; past it 503 at once");
ABSL_FLAG(int, http_queue_deadline_ms, 2000,
          "An HTTP request that waited longer than this for a worker is answered 503 without being run");
ABSL_FLAG(std::string, redis, "127.0.0.1:6379", "Redis host:port for the shared cache");
ABSL_FLAG(std::string, redis_password_file, "",
          "A 0600 file holding Redis's password (requirepass), sent with AUTH; empty: none");
ABSL_FLAG(std::string, registry, "127.0.0.1:50051", "Registry service address");
ABSL_FLAG(std::string, batch, "127.0.0.1:50052", "Batch service address");
ABSL_FLAG(std::string, stamp, "127.0.0.1:50053", "Stamp service address");
ABSL_FLAG(int, backend_deadline_ms, 1000, "Deadline of every backend call");
ABSL_FLAG(int, cache_ttl_s, 60, "Longest a cached view lives (the stale window after a lost change)");
ABSL_FLAG(int, view_cache_mb, 128, "Memory bound of the in-process cache of views (rolls, lots, products, producers)");
ABSL_FLAG(int, proof_cache_mb, 32, "Memory bound of the in-process cache of verified signatures");
ABSL_FLAG(int, page_cache_mb, 16, "Memory bound of the in-process cache of rendered page details (per lot)");
ABSL_FLAG(int, rate_limit_clients, 100000, "Clients whose rate-limit buckets are remembered");
ABSL_FLAG(double, rate_limit_per_s, 10, "Public HTTP and gRPC: requests per second per client, on average");
ABSL_FLAG(double, rate_limit_burst, 30, "Public HTTP and gRPC: burst per client");
ABSL_FLAG(std::string, public_base_url, "",
          "Required: http(s)://host[:port] of the public site, as printed on the stamps; absolute links in "
          "linksets start with it (never with the request's Host header)");
ABSL_FLAG(bool, count_scans, true, "Count scans of genuine stamps (Redis) and send them to the stamp service");
ABSL_FLAG(std::string, scan_salt_file, "data/scan-salt",
          "Secret salt of client hashes (created 0600 with 32 random bytes when missing; the same file on "
          "every lookup replica)");
ABSL_FLAG(int, scan_history_interval_s, 30,
          "How often scans go to the stamp service's durable history, folded per stamp, day and client (sooner "
          "when many are waiting)");
ABSL_FLAG(int, copy_min_clients, 20, "'Possible copy' from this many distinct clients ...");
ABSL_FLAG(int, copy_min_days, 4, "... on at least this many distinct days");
ABSL_FLAG(std::vector<std::string>, trusted_proxies, {},
          "Proxies (IPs or CIDR blocks, comma-separated) whose X-Forwarded-For names the client, e.g. the ingress");

namespace {

// Scan counters live for their window (per-day keys with a TTL); under an allkeys-* policy Redis
// may evict them early, before cache entries that expire within a minute, losing the evidence of
// copies.
void WarnIfCountersCanBeEvicted(ocop::redis::RedisClient& redis) {
  auto policy = redis.Pipeline({{"CONFIG", "GET", "maxmemory-policy"}});
  if (!policy.ok() || policy->empty()) return;
  const std::string& value = policy->front().text;
  if (value.rfind("allkeys", 0) == 0) {
    ocop::logs::Warning(
        "redis may evict scan counters under this maxmemory-policy; run redis with volatile-ttl (or noeviction) "
        "and appendonly yes",
        {{"maxmemory_policy", value}});
  }
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// The configuration from the flags; the builder validates it.
absl::StatusOr<ocop::lookup::LookupConfig> ConfigFromFlags() {
  ocop::lookup::LookupConfig config;
  config.public_base_url = absl::GetFlag(FLAGS_public_base_url);
  config.redis_address = absl::GetFlag(FLAGS_redis);
  if (const std::string path = absl::GetFlag(FLAGS_redis_password_file); !path.empty()) {
    absl::StatusOr<std::string> password = ocop::keys::ReadSecretFile(path);
    if (!password.ok()) {
      return absl::Status(password.status().code(), absl::StrCat("redis password: ", password.status().message()));
    }
    config.redis_password = std::string(absl::StripTrailingAsciiWhitespace(*password));
  }
  config.backends = {absl::GetFlag(FLAGS_registry), absl::GetFlag(FLAGS_batch), absl::GetFlag(FLAGS_stamp)};
  config.backend_deadline = absl::Milliseconds(absl::GetFlag(FLAGS_backend_deadline_ms));
  config.http.listen_address = absl::GetFlag(FLAGS_http_address);
  config.http.port = absl::GetFlag(FLAGS_http_port);
  config.http.port_file = absl::GetFlag(FLAGS_http_port_file);
  config.http.worker_threads = absl::GetFlag(FLAGS_http_workers);
  config.http.io_threads = absl::GetFlag(FLAGS_http_io_threads);
  config.http.max_connections = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_http_max_connections)));
  config.http.max_connections_per_peer =
      static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_http_max_connections_per_client)));
  config.http.max_queued_requests = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_http_max_queued)));
  config.http.queue_deadline = absl::Milliseconds(absl::GetFlag(FLAGS_http_queue_deadline_ms));
  if (!absl::GetFlag(FLAGS_http_tls_cert_file).empty() || !absl::GetFlag(FLAGS_http_tls_key_file).empty()) {
    config.http.tls_certificate_chain = ReadFile(absl::GetFlag(FLAGS_http_tls_cert_file));
    config.http.tls_private_key = ReadFile(absl::GetFlag(FLAGS_http_tls_key_file));
    if (config.http.tls_certificate_chain.empty() || config.http.tls_private_key.empty()) {
      return absl::InvalidArgumentError("--http_tls_cert_file and --http_tls_key_file must both be readable PEM files");
    }
  }
  config.resolver.max_cache_ttl = absl::Seconds(absl::GetFlag(FLAGS_cache_ttl_s));
  config.resolver.copy_min_clients = absl::GetFlag(FLAGS_copy_min_clients);
  config.resolver.copy_min_days = absl::GetFlag(FLAGS_copy_min_days);
  config.view_cache_bytes = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_view_cache_mb))) << 20;
  config.proof_cache_bytes = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_proof_cache_mb))) << 20;
  config.page_cache_bytes = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_page_cache_mb))) << 20;
  config.rate_limit_per_s = absl::GetFlag(FLAGS_rate_limit_per_s);
  config.rate_limit_burst = absl::GetFlag(FLAGS_rate_limit_burst);
  config.rate_limit_clients = static_cast<size_t>(std::max(0, absl::GetFlag(FLAGS_rate_limit_clients)));
  config.trusted_proxies = absl::GetFlag(FLAGS_trusted_proxies);
  config.count_scans = absl::GetFlag(FLAGS_count_scans);
  config.scans.history_interval = absl::Seconds(absl::GetFlag(FLAGS_scan_history_interval_s));
  if (config.count_scans) {
    absl::StatusOr<std::string> salt = ocop::lookup::LoadOrCreateSalt(absl::GetFlag(FLAGS_scan_salt_file));
    if (!salt.ok()) return absl::Status(salt.status().code(), absl::StrCat("scan salt: ", salt.status().message()));
    config.scan_salt = *salt;
  }
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  ocop::grpcutil::BlockShutdownSignals();
  absl::SetProgramUsageMessage("OCOP lookup service: public stamp resolution");
  absl::ParseCommandLine(argc, argv);
  // First: it also sets up the logs and TLS for every channel this process opens (--tls_ca_file).
  ocop::grpcutil::ServerOptions options = ocop::grpcutil::ServerOptionsFromFlags("lookup", "127.0.0.1:50054");

  absl::StatusOr<ocop::lookup::LookupConfig> config = ConfigFromFlags();
  if (config.ok()) {
    if (absl::Status valid = config->Validate(); !valid.ok()) config = valid;
  }
  if (!config.ok()) {
    ocop::logs::Error("cannot start", {{"error", config.status()}});
    if (absl::GetFlag(FLAGS_public_base_url).empty()) {
      ocop::logs::Error(
          "--public_base_url is required: the address consumers reach (the one the stamp service prints), e.g. "
          "https://ocop.thainguyen.gov.vn");
    }
    return 1;
  }

  // Lookup's own gRPC methods are all public (no interceptor: nothing to verify on the scan
  // path); it calls the other services with its service token.
  auto auth = ocop::auth::ServiceAuthFromFlags("lookup", absl::GetFlag(FLAGS_registry));
  if (!auth.ok()) {
    ocop::logs::Error("cannot start", {{"error", auth.status()}});
    return 1;
  }
  auto lookup = ocop::lookup::Lookup::Start(*config, (*auth)->tokens());
  if (!lookup.ok()) {
    ocop::logs::Error("cannot start", {{"error", lookup.status()}});
    return 1;
  }
  if ((*lookup)->scans() != nullptr) WarnIfCountersCanBeEvicted((*lookup)->redis());
  return ocop::grpcutil::ServeUntilSignal(
      options, {&(*lookup)->grpc_service()},
      absl::StrCat("HTTP on port ", (*lookup)->http_port(), ", redis ", config->redis_address,
                   ", in-process bounds ", config->MemoryBoundBytes() >> 20, " MiB"),
      [&] { (*lookup)->Stop(); });
}
