// A small HTTP/1.1 server (Boost.Beast over Asio, kept inside this library so its compile cost is
// paid once). I/O threads only read and write; each request's handler runs on a worker pool
// because handlers block (Redis, backend gRPC calls). Slow clients are bounded by timeouts and
// header/body limits, not by threads.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/http/client_address.h"

namespace ocop::http {

struct HttpRequest {
  std::string method;
  // Path and query as sent, e.g. "/s/ABC?lang=en".
  std::string target;
  // Header names lower-cased.
  std::map<std::string, std::string> headers;
  // The TCP peer's address.
  std::string peer_address;
  // The request body (at most body_limit_bytes).
  std::string body;
  // Names this request in every log line and backend call it causes (logs::RequestScope is set
  // while handlers run); sent back as X-Request-Id. A trusted proxy's well-formed X-Request-Id is
  // kept, anyone else gets a new one.
  std::string request_id;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Runs on a worker thread; may block. Must not throw.
using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;
// Runs on the I/O thread that read the request and must never block: it answers from memory, or
// returns nothing and the request goes to the worker pool (the HttpHandler). Saves two thread
// hand-offs per request on hot, cached paths. Must not throw.
using FastHttpHandler = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

struct HttpServerOptions {
  std::string listen_address = "127.0.0.1";
  int port = 0;  // 0: pick a free port
  std::string port_file;
  int io_threads = 1;
  int worker_threads = 8;
  // Limits against slow or abusive clients.
  size_t header_limit_bytes = 8 * 1024;
  size_t body_limit_bytes = 16 * 1024;
  absl::Duration read_timeout = absl::Seconds(10);
  absl::Duration idle_timeout = absl::Seconds(30);
  // Open connections, in total and per TCP peer address. Over either, a new connection gets a
  // 503 (total) or 429 (per peer) with Retry-After and is closed (HTTPS: closed at once), so one
  // client's sockets cannot use up the process's file descriptors. Peers in
  // `uncapped_peers` (the trusted proxies, which carry many clients) count only towards the total.
  size_t max_connections = 20000;
  size_t max_connections_per_peer = 64;
  TrustedProxies uncapped_peers;
  // Requests waiting for a worker. Over the bound a request is answered 503 at once; a request
  // that waited longer than `queue_deadline` is answered 503 without running its handler (the
  // phone has likely given up, and working through a stale backlog only delays fresh scans).
  size_t max_queued_requests = 4096;
  absl::Duration queue_deadline = absl::Seconds(2);
  // After accept() fails (EMFILE, ENFILE, ENOBUFS: out of descriptors or memory), the next attempt
  // waits this long, doubling up to `max_accept_backoff`, instead of spinning on the error.
  absl::Duration accept_backoff = absl::Milliseconds(10);
  absl::Duration max_accept_backoff = absl::Seconds(1);
  // HTTPS (TLS 1.2+) with this PEM certificate chain and key; plain HTTP when empty.
  std::string tls_certificate_chain;
  std::string tls_private_key;
};

// Parses one request from `bytes` exactly as a connection does (the same parser, limits and
// header folding); for the fuzz target. INVALID_ARGUMENT when the bytes are not one complete,
// well-formed request; RESOURCE_EXHAUSTED past the header or body limit.
absl::StatusOr<HttpRequest> ParseHttpRequest(std::string_view bytes, const HttpServerOptions& options,
                                             std::string peer_address);

// What the front door refused or shed since it started (for tests, logs and metrics).
struct HttpServerCounters {
  int64_t open_connections = 0;
  int64_t queued_requests = 0;       // waiting for a worker now
  int64_t refused_total_cap = 0;     // connections over max_connections
  int64_t refused_per_peer_cap = 0;  // connections over max_connections_per_peer
  int64_t refused_queue_full = 0;    // requests over max_queued_requests
  int64_t shed_past_deadline = 0;    // requests that waited past queue_deadline
  int64_t accept_errors = 0;         // accept() failures (each followed by a backoff)
};

class HttpServer {
 public:
  // Binds and starts serving. INTERNAL if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           HttpHandler handler, FastHttpHandler fast = nullptr);
  ~HttpServer();
  int port() const;
  HttpServerCounters counters() const;
  // Stops accepting, closes connections and joins all threads.
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ocop::http
