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
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

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
  // HTTPS (TLS 1.2+) with this PEM certificate chain and key; plain HTTP when empty.
  std::string tls_certificate_chain;
  std::string tls_private_key;
};

class HttpServer {
 public:
  // Binds and starts serving. INTERNAL if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                           HttpHandler handler, FastHttpHandler fast = nullptr);
  ~HttpServer();
  int port() const;
  // Stops accepting, closes connections and joins all threads.
  void Stop();

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace ocop::http
