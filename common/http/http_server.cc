#include "common/http/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <optional>
#include <cstdio>
#include <thread>
#include <type_traits>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/server.h"

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
};

HttpResponse SafeHandle(SharedState& state, const HttpRequest& request) {
  try {
    return state.handler(request);
  } catch (const std::exception& e) {
    // Never show internals to a public client; say what happened in the log only.
    std::fprintf(stderr, "http: handler threw on %s: %s\n", request.target.c_str(), e.what());
  }
  return HttpResponse{500, {{"Content-Type", "text/plain; charset=utf-8"}}, "internal error\n"};
}

// One connection: plain (beast::tcp_stream) or TLS (beast::ssl_stream over it).
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... TlsContext>
  Session(tcp::socket socket, std::shared_ptr<SharedState> state, TlsContext&... tls)
      : stream_(std::move(socket), tls...), state_(std::move(state)) {}

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
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.header_limit_bytes));
    parser_->body_limit(state_->options.body_limit_bytes);
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
    auto request = std::make_shared<HttpRequest>();
    request->method = std::string(raw.method_string());
    request->target = std::string(raw.target());
    for (const auto& field : raw) {
      request->headers[absl::AsciiStrToLower(std::string(field.name_string()))] =
          std::string(field.value());
    }
    if (!peer_known_) {  // once per connection, not per request
      beast::error_code ignored;
      auto endpoint = Lowest().socket().remote_endpoint(ignored);
      peer_address_ = ignored ? "" : endpoint.address().to_string();
      peer_known_ = true;
    }
    request->peer_address = peer_address_;
    request->body = std::move(raw.body());
    keep_alive_ = raw.keep_alive();
    head_ = raw.method() == bhttp::verb::head;
    version_ = raw.version();
    if (state_->fast) {
      std::optional<HttpResponse> answered;
      try {
        answered = state_->fast(*request);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "http: fast handler threw on %s: %s\n", request->target.c_str(), e.what());
      }
      if (answered.has_value()) return Write(std::move(*answered));
    }
    // No deadline while the handler runs; the handler bounds its own backend calls.
    Lowest().expires_never();
    asio::post(state_->workers, [self = this->shared_from_this(), request] {
      HttpResponse response = SafeHandle(*self->state_, *request);
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    });
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
    for (auto& [name, value] : response.headers) message->set(name, value);
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
  bool keep_alive_ = false;
  bool peer_known_ = false;
  std::string peer_address_;
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
    Accept();
    for (int i = 0; i < state_->options.io_threads; ++i) threads_.emplace_back([this] { io_.run(); });
    return absl::OkStatus();
  }

  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](beast::error_code error, tcp::socket socket) {
      if (error == asio::error::operation_aborted) return;
      if (!error && tls_.has_value()) {
        std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(std::move(socket), state_, *tls_)->Start();
      } else if (!error) {
        std::make_shared<Session<beast::tcp_stream>>(std::move(socket), state_)->Start();
      }
      Accept();
    });
  }

  void Stop() {
    if (stopped_.exchange(true)) return;
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
    io_.stop();
    for (std::thread& thread : threads_) thread.join();
    state_->workers.join();
  }

  int port() const { return port_; }

 private:
  asio::io_context io_;
  std::optional<asio::ssl::context> tls_;  // HTTPS when set
  tcp::acceptor acceptor_;
  std::shared_ptr<SharedState> state_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stopped_{false};
  int port_ = 0;
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
int HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() {
  if (impl_) impl_->Stop();
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                              HttpHandler handler, FastHttpHandler fast) {
  auto impl = std::make_unique<Impl>(options, std::move(handler), std::move(fast));
  absl::Status listening = impl->Listen();
  if (!listening.ok()) return listening;
  if (!options.port_file.empty()) {
    absl::Status written = grpcutil::WritePortFile(options.port_file, impl->port());
    if (!written.ok()) return written;
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace ocop::http
