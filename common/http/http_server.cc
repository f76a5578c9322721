#include "common/http/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/server.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"

namespace ocop::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct SharedState {
  HttpServerOptions options;
  HttpHandler handler;
  FastHttpHandler fast;
  asio::thread_pool workers;
  SharedState(HttpServerOptions o, HttpHandler h, FastHttpHandler f, int worker_threads)
      : options(std::move(o)),
        handler(std::move(h)),
        fast(std::move(f)),
        workers(static_cast<size_t>(worker_threads)) {}

  enum class Admission { kAdmitted, kOverTotal, kOverPeer };
  // Counts a new connection from `peer` unless it would pass a cap.
  Admission Admit(const std::string& peer) {
    std::lock_guard lock(connections_mutex);
    if (open_connections >= options.max_connections) return Admission::kOverTotal;
    const bool capped = !options.uncapped_peers.Contains(peer);
    if (capped) {
      size_t& from_peer = connections_by_peer[peer];
      if (from_peer >= options.max_connections_per_peer) return Admission::kOverPeer;
      ++from_peer;
    }
    ++open_connections;
    return Admission::kAdmitted;
  }
  void Release(const std::string& peer) {
    std::lock_guard lock(connections_mutex);
    --open_connections;
    auto found = connections_by_peer.find(peer);
    if (found != connections_by_peer.end() && --found->second == 0) connections_by_peer.erase(found);
  }

  std::mutex connections_mutex;
  size_t open_connections = 0;
  std::unordered_map<std::string, size_t> connections_by_peer;
  // Refused connections still being answered (each holds a descriptor for a moment).
  std::atomic<int64_t> refusing{0};
  std::atomic<size_t> queued_requests{0};
  std::atomic<int64_t> refused_total_cap{0};
  std::atomic<int64_t> refused_per_peer_cap{0};
  std::atomic<int64_t> refused_queue_full{0};
  std::atomic<int64_t> shed_past_deadline{0};
  std::atomic<int64_t> accept_errors{0};
};

// An admitted connection's place under the caps, given back when its session ends.
class ConnectionSlot {
 public:
  ConnectionSlot(std::shared_ptr<SharedState> state, std::string peer)
      : state_(std::move(state)), peer_(std::move(peer)) {}
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  ~ConnectionSlot() { state_->Release(peer_); }
  const std::string& peer() const { return peer_; }

 private:
  std::shared_ptr<SharedState> state_;
  std::string peer_;
};

// The answer to a request that cannot be served now: 503 (or 429 for one client's excess) with
// Retry-After, in Vietnamese first.
HttpResponse BusyResponse(int status) {
  return HttpResponse{status,
                      {{"Content-Type", "text/plain; charset=utf-8"}, {"Retry-After", "1"}, {"Cache-Control", "no-store"}},
                      "Hệ thống đang bận, vui lòng thử lại sau giây lát.\nBusy, please try again in a moment.\n"};
}

// Answers a connection refused under a cap (plain HTTP only) and closes it: the response, then a
// short read until the client closes, so the close does not reset a request still unread and
// destroy the answer before the client reads it.
class RefusedConnection : public std::enable_shared_from_this<RefusedConnection> {
 public:
  RefusedConnection(tcp::socket socket, std::shared_ptr<SharedState> state, int status)
      : stream_(std::move(socket)), state_(std::move(state)) {
    HttpResponse busy = BusyResponse(status);
    wire_ = absl::StrCat("HTTP/1.1 ", status, status == 429 ? " Too Many Requests" : " Service Unavailable",
                         "\r\nServer: ocop-trace\r\nConnection: close\r\nContent-Length: ", busy.body.size());
    for (const auto& [name, value] : busy.headers) absl::StrAppend(&wire_, "\r\n", name, ": ", value);
    absl::StrAppend(&wire_, "\r\n\r\n", busy.body);
    ++state_->refusing;
  }
  ~RefusedConnection() { --state_->refusing; }

  void Start() {
    stream_.expires_after(std::chrono::seconds(2));
    asio::async_write(stream_, asio::buffer(wire_), [self = shared_from_this()](beast::error_code error, std::size_t) {
      if (error) return self->stream_.close();
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->Drain();
    });
  }

 private:
  void Drain() {
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code error, std::size_t) {
      if (error) return self->stream_.close();
      self->Drain();
    });
  }

  beast::tcp_stream stream_;
  std::shared_ptr<SharedState> state_;
  std::string wire_;
  char scratch_[512];
};

// A parsed request as handlers see it (header names lower-cased).
std::shared_ptr<HttpRequest> ToHttpRequest(bhttp::request<bhttp::string_body>&& raw, const std::string& peer) {
  auto request = std::make_shared<HttpRequest>();
  request->method = std::string(raw.method_string());
  request->target = std::string(raw.target());
  for (const auto& field : raw) {
    request->headers[absl::AsciiStrToLower(std::string(field.name_string()))] = std::string(field.value());
  }
  request->peer_address = peer;
  request->body = std::move(raw.body());
  return request;
}

void ConfigureParser(bhttp::request_parser<bhttp::string_body>& parser, const HttpServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(options.header_limit_bytes));
  parser.body_limit(options.body_limit_bytes);
}

// The target without its query, which may carry what a client typed (a PIN, a search).
std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

// A trusted proxy's X-Request-Id (nginx's $request_id, an ingress's) when well-formed, so its
// log and ours share the id; anyone else's is ignored: a client could otherwise pick ids that are
// always sampled and fill the logs.
std::string RequestIdFor(const HttpRequest& request, const HttpServerOptions& options) {
  auto header = request.headers.find(logs::kRequestIdHeader);
  if (header != request.headers.end() && options.uncapped_peers.Contains(request.peer_address)) {
    return logs::RequestIdOrNew(header->second);
  }
  return logs::NewRequestId();
}

HttpResponse SafeHandle(SharedState& state, const HttpRequest& request) {
  try {
    return state.handler(request);
  } catch (const std::exception& e) {
    // Never show internals to a public client; say what happened in the log only.
    logs::Error("HTTP handler threw", {{"path", PathOf(request.target)}, {"exception", e.what()}});
  }
  return HttpResponse{500, {{"Content-Type", "text/plain; charset=utf-8"}}, "internal error\n"};
}

// One connection: plain (beast::tcp_stream) or TLS (beast::ssl_stream over it).
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... TlsContext>
  Session(tcp::socket socket, std::shared_ptr<SharedState> state, std::unique_ptr<ConnectionSlot> slot,
          TlsContext&... tls)
      : stream_(std::move(socket), tls...), state_(std::move(state)), slot_(std::move(slot)) {}

  void Start() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        // The handshake gets the first request's time limit too.
        self->Lowest().expires_after(absl::ToChronoMilliseconds(self->state_->options.read_timeout));
        self->stream_.async_handshake(asio::ssl::stream_base::server, [self](beast::error_code error) {
          if (error) return self->Lowest().close();
          self->Read();
        });
      } else {
        self->Read();
      }
    });
  }

 private:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void Read() {
    parser_.emplace();
    ConfigureParser(*parser_, state_->options);
    Lowest().expires_after(absl::ToChronoMilliseconds(first_request_ ? state_->options.read_timeout
                                                                    : state_->options.idle_timeout));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code error, std::size_t) {
                        self->OnRead(error);
                      });
  }

  void OnRead(beast::error_code error) {
    if (error == bhttp::error::header_limit || error == bhttp::error::body_limit) {
      return WriteError(error == bhttp::error::header_limit ? 431 : 413);
    }
    if (error) return Close();
    first_request_ = false;
    bhttp::request<bhttp::string_body> raw = parser_->release();
    keep_alive_ = raw.keep_alive();
    head_ = raw.method() == bhttp::verb::head;
    version_ = raw.version();
    std::shared_ptr<HttpRequest> request = ToHttpRequest(std::move(raw), slot_->peer());
    request->request_id = RequestIdFor(*request, state_->options);
    const auto received_at = std::chrono::steady_clock::now();
    if (state_->fast) {
      std::optional<HttpResponse> answered;
      try {
        logs::RequestScope scope(request->request_id);
        answered = state_->fast(*request);
      } catch (const std::exception& e) {
        logs::Error("HTTP fast handler threw", {{"path", PathOf(request->target)}, {"exception", e.what()}});
      }
      if (answered.has_value()) return Answer(*request, std::move(*answered), received_at);
    }
    // The worker queue is bounded: past it, saying "busy" now beats answering late.
    if (state_->queued_requests.fetch_add(1) >= state_->options.max_queued_requests) {
      --state_->queued_requests;
      ++state_->refused_queue_full;
      return Answer(*request, BusyResponse(503), received_at);
    }
    // No deadline while the handler runs; the handler bounds its own backend calls.
    Lowest().expires_never();
    asio::post(state_->workers, [self = this->shared_from_this(), request, received_at] {
      --self->state_->queued_requests;
      HttpResponse response;
      if (std::chrono::steady_clock::now() - received_at > absl::ToChronoNanoseconds(self->state_->options.queue_deadline)) {
        ++self->state_->shed_past_deadline;
        response = BusyResponse(503);
      } else {
        logs::RequestScope scope(request->request_id);
        response = SafeHandle(*self->state_, *request);
      }
      asio::post(self->stream_.get_executor(), [self, request, received_at, response = std::move(response)]() mutable {
        self->Answer(*request, std::move(response), received_at);
      });
    });
  }

  // Writes a handler's (or the server's) answer to `request`, with its request id, and its
  // access line when the request is sampled, failed (5xx other than 503) or slow. 503s (shed,
  // busy, a backend down) are sampled like successes: in an overload or an outage one line per
  // refused request would bury the logs, and the metrics count every one of them.
  void Answer(const HttpRequest& request, HttpResponse response, std::chrono::steady_clock::time_point received_at) {
    response.headers.emplace_back("X-Request-Id", request.request_id);
    const absl::Duration elapsed = absl::FromChrono(std::chrono::steady_clock::now() - received_at);
    const bool failed = response.status >= 500 && response.status != 503;
    if (logs::ShouldLogAccess(request.request_id, failed, elapsed)) {
      logs::RequestScope scope(request.request_id);
      logs::Log(failed ? logs::Level::kWarning : logs::Level::kInfo, "http",
                {{"method", request.method}, {"path", PathOf(request.target)}, {"status", response.status},
                 {"ms", elapsed}, {"bytes", response.body.size()}});
    }
    Write(std::move(response));
  }

  void WriteError(int status) {
    keep_alive_ = false;
    head_ = false;
    Write(HttpResponse{status, {{"Content-Type", "text/plain; charset=utf-8"}},
                       absl::StrCat("request rejected (", status, ")\n")});
  }

  void Write(HttpResponse response) {
    auto message = std::make_shared<bhttp::response<bhttp::string_body>>();
    message->version(version_);
    message->result(static_cast<unsigned>(response.status));
    // insert, not set: a response may carry a header twice (two Set-Cookie lines).
    for (auto& [name, value] : response.headers) message->insert(name, value);
    message->set(bhttp::field::server, "ocop-trace");
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_);
    message->prepare_payload();
    // HEAD gets the GET headers (Content-Length included) and no body.
    if (head_) message->body().clear();
    Lowest().expires_after(absl::ToChronoMilliseconds(state_->options.read_timeout));
    bhttp::async_write(stream_, *message,
                       [self = this->shared_from_this(), message](beast::error_code error, std::size_t) {
                         if (error || !self->keep_alive_) return self->Close();
                         self->Read();
                       });
  }

  void Close() {
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Lowest().close();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<SharedState> state_;
  std::unique_ptr<ConnectionSlot> slot_;
  bool keep_alive_ = false;
  bool head_ = false;
  bool first_request_ = true;
  unsigned version_ = 11;
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const HttpServerOptions& options, HttpHandler handler, FastHttpHandler fast)
      : io_(options.io_threads),
        acceptor_(asio::make_strand(io_)),
        accept_retry_(acceptor_.get_executor()),
        state_(std::make_shared<SharedState>(options, std::move(handler), std::move(fast), options.worker_threads)) {}

  absl::Status Listen() {
    beast::error_code error;
    if (!state_->options.tls_certificate_chain.empty()) {
      tls_.emplace(asio::ssl::context::tls_server);
      // TLS 1.2 and 1.3 only.
      tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
      const std::string& chain = state_->options.tls_certificate_chain;
      const std::string& key = state_->options.tls_private_key;
      tls_->use_certificate_chain(asio::buffer(chain.data(), chain.size()), error);
      if (!error) tls_->use_private_key(asio::buffer(key.data(), key.size()), asio::ssl::context::pem, error);
      if (error) return absl::InvalidArgumentError(absl::StrCat("http: TLS certificate or key: ", error.message()));
    }
    auto address = asio::ip::make_address(state_->options.listen_address, error);
    if (error) return absl::InvalidArgumentError(absl::StrCat("http: bad listen address: ", error.message()));
    tcp::endpoint endpoint(address, static_cast<unsigned short>(state_->options.port));
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(asio::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
      return absl::InternalError(absl::StrCat("http: cannot listen on ", state_->options.listen_address,
                                              ":", state_->options.port, ": ", error.message()));
    }
    port_ = acceptor_.local_endpoint().port();
    accept_delay_ = state_->options.accept_backoff;
    Accept();
    for (int i = 0; i < state_->options.io_threads; ++i) threads_.emplace_back([this] { io_.run(); });
    return absl::OkStatus();
  }

  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code error, tcp::socket socket) {
      if (error == asio::error::operation_aborted || stopped_) return;
      if (error) {
        // Out of descriptors or memory: the listening socket stays readable, so accepting again at
        // once would spin a core on the same error. Wait, longer each time, until one gets through.
        ++state_->accept_errors;
        if (state_->accept_errors.load() == 1 || accept_delay_ >= state_->options.max_accept_backoff) {
          logs::Warning("HTTP accept failed; retrying", {{"error", error.message()}, {"retry_in_ms", accept_delay_}});
        }
        accept_retry_.expires_after(absl::ToChronoNanoseconds(accept_delay_));
        accept_delay_ = std::min(accept_delay_ * 2, state_->options.max_accept_backoff);
        accept_retry_.async_wait([this](beast::error_code waited) {
          if (!waited) Accept();
        });
        return;
      }
      accept_delay_ = state_->options.accept_backoff;
      Admit(std::move(socket));
      Accept();
    });
  }

  void Admit(tcp::socket socket) {
    beast::error_code ignored;
    const tcp::endpoint endpoint = socket.remote_endpoint(ignored);
    std::string peer = ignored ? "" : endpoint.address().to_string();
    const SharedState::Admission admission = state_->Admit(peer);
    if (admission != SharedState::Admission::kAdmitted) {
      ++(admission == SharedState::Admission::kOverTotal ? state_->refused_total_cap : state_->refused_per_peer_cap);
      // HTTPS cannot be answered before a handshake, and a flood must not hold descriptors open
      // while being told no: those are closed at once.
      if (tls_.has_value() || state_->refusing.load() >= kMaxRefusing) {
        socket.close(ignored);
        return;
      }
      std::make_shared<RefusedConnection>(std::move(socket), state_,
                                          admission == SharedState::Admission::kOverTotal ? 503 : 429)
          ->Start();
      return;
    }
    auto slot = std::make_unique<ConnectionSlot>(state_, std::move(peer));
    if (tls_.has_value()) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), state_, std::move(slot),
                                                                       *tls_)
          ->Start();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(std::move(socket), state_, std::move(slot))->Start();
    }
  }

  HttpServerCounters counters() const {
    HttpServerCounters counters;
    {
      std::lock_guard lock(state_->connections_mutex);
      counters.open_connections = static_cast<int64_t>(state_->open_connections);
    }
    counters.queued_requests = static_cast<int64_t>(state_->queued_requests.load());
    counters.refused_total_cap = state_->refused_total_cap;
    counters.refused_per_peer_cap = state_->refused_per_peer_cap;
    counters.refused_queue_full = state_->refused_queue_full;
    counters.shed_past_deadline = state_->shed_past_deadline;
    counters.accept_errors = state_->accept_errors;
    return counters;
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
      accept_retry_.cancel();
    });
    io_.stop();
    for (std::thread& thread : threads_) thread.join();
    state_->workers.join();
  }

  int port() const { return port_; }

 private:
  static constexpr int64_t kMaxRefusing = 256;

  asio::io_context io_;
  std::optional<asio::ssl::context> tls_;  // HTTPS when set
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  absl::Duration accept_delay_;
  std::shared_ptr<SharedState> state_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  int port_ = 0;
  // Read when scraped; last, so unregistered first.
  std::vector<std::unique_ptr<metrics::ScrapedValue>> scraped_;

 public:
  // The front door's state as metrics (HttpServerCounters), read when scraped.
  void RegisterMetrics() {
    using metrics::ScrapedValue;
    const auto add = [this](const char* name, const char* help, prometheus::Labels labels,
                            int64_t HttpServerCounters::*field, ScrapedValue::Type type) {
      scraped_.push_back(std::make_unique<ScrapedValue>(
          name, help, std::move(labels), [this, field] { return static_cast<double>(counters().*field); }, type));
    };
    add("ocop_http_open_connections", "Open HTTP connections.", {}, &HttpServerCounters::open_connections,
        ScrapedValue::Type::kGauge);
    add("ocop_http_queued_requests", "HTTP requests waiting for a worker.", {}, &HttpServerCounters::queued_requests,
        ScrapedValue::Type::kGauge);
    const char* refused = "HTTP connections refused: over the total or the per-client cap.";
    add("ocop_http_refused_connections_total", refused, {{"cap", "total"}}, &HttpServerCounters::refused_total_cap,
        ScrapedValue::Type::kCounter);
    add("ocop_http_refused_connections_total", refused, {{"cap", "per_peer"}},
        &HttpServerCounters::refused_per_peer_cap, ScrapedValue::Type::kCounter);
    const char* shed = "HTTP requests answered 503 unread: the worker queue was full, or they waited past its deadline.";
    add("ocop_http_shed_requests_total", shed, {{"reason", "queue_full"}}, &HttpServerCounters::refused_queue_full,
        ScrapedValue::Type::kCounter);
    add("ocop_http_shed_requests_total", shed, {{"reason", "past_deadline"}}, &HttpServerCounters::shed_past_deadline,
        ScrapedValue::Type::kCounter);
    add("ocop_http_accept_errors_total", "accept() failures (out of descriptors or memory), each followed by a backoff.",
        {}, &HttpServerCounters::accept_errors, ScrapedValue::Type::kCounter);
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
int HttpServer::port() const { return impl_->port(); }
HttpServerCounters HttpServer::counters() const { return impl_->counters(); }
void HttpServer::Stop() {
  if (impl_) impl_->Stop();
}

absl::StatusOr<HttpRequest> ParseHttpRequest(std::string_view bytes, const HttpServerOptions& options,
                                             std::string peer_address) {
  bhttp::request_parser<bhttp::string_body> parser;
  ConfigureParser(parser, options);
  parser.eager(true);
  beast::error_code error;
  size_t used = 0;
  while (!error && used < bytes.size() && !parser.is_done()) {
    used += parser.put(asio::buffer(bytes.data() + used, bytes.size() - used), error);
    if (error == bhttp::error::need_more) break;
  }
  // The end of the bytes ends a body that runs to the end of the connection; with nothing
  // parsed at all there is no request (and Beast asserts on an end without a start).
  if (!error && !parser.is_done() && parser.got_some()) parser.put_eof(error);
  if (error == bhttp::error::header_limit || error == bhttp::error::body_limit) {
    return absl::ResourceExhaustedError(absl::StrCat("http: ", error.message()));
  }
  if (error || !parser.is_done()) {
    return absl::InvalidArgumentError(absl::StrCat("http: not one complete request: ",
                                                   error ? error.message() : "incomplete"));
  }
  return std::move(*ToHttpRequest(parser.release(), peer_address));
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              HttpHandler handler, FastHttpHandler fast) {
  auto impl = std::make_unique<Impl>(options, std::move(handler), std::move(fast));
  absl::Status listening = impl->Listen();
  if (!listening.ok()) return listening;
  impl->RegisterMetrics();
  if (!options.port_file.empty()) {
    absl::Status written = grpcutil::WritePortFile(options.port_file, impl->port());
    if (!written.ok()) return written;
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace ocop::http
