// The web console for producers and provincial OCOP offices (docs/console.md): server-rendered
// pages over the backends' gRPC APIs, each call made with the signed-in person's own access token,
// so the backends apply the same ownership checks as for any other client.
//
// Routes (first slice):
//   GET  /login, POST /login   sign in with the registry (IdentityService.Login)
//   POST /logout               sign out (the registry session is revoked)
//   GET  /                     -> /products
//   GET  /products[?q=&page=]  a producer's own products, an office's province's (searchable), with
//                              ratings and certificate validity (expired and expiring highlighted)
//   GET  /producers[?q=&page=] an office's producers (searchable)
//   GET  /console.css, /healthz
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/access_token.h"
#include "common/http/http_server.h"
#include "ocop/registry/v1/identity.grpc.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "services/console/sessions.h"

namespace ocop::console {

struct ConsoleConfig {
  std::string registry;  // host:port
  absl::Duration backend_deadline = absl::Seconds(5);
  // A session ends after this long without a request (and when the registry session expires).
  absl::Duration idle_timeout = absl::Minutes(30);
  size_t max_sessions = 20000;
  // Certificates ending within this many days are highlighted.
  int expiring_within_days = 90;
  // What day it is for certificates (expired, expiring); the session clock when empty. Tests pin it.
  std::function<absl::Time()> calendar;
  // The registry's tokens: their issuer and audience.
  auth::VerifierOptions verifier;
  http::HttpServerOptions http;
};

class Console {
 public:
  // Serves HTTP until Stop(). `registry_keys` gives the registry's token keys (auth::RegistryKeys);
  // `clock` judges sessions and what "today" is for certificates.
  static absl::StatusOr<std::unique_ptr<Console>> Start(const ConsoleConfig& config, auth::KeySource registry_keys,
                                                        std::function<absl::Time()> clock);
  ~Console();

  int http_port() const;
  SessionStore& sessions() { return sessions_; }
  void Stop();

  // One request; runs on an HTTP worker.
  http::HttpResponse Handle(const http::HttpRequest& request);

 private:
  Console(const ConsoleConfig& config, auth::KeySource registry_keys, std::function<absl::Time()> clock);

  http::HttpResponse ShowLogin(const http::HttpRequest& request);
  http::HttpResponse Login(const http::HttpRequest& request);
  http::HttpResponse Logout(const http::HttpRequest& request, const std::shared_ptr<Session>& session,
                            const std::string& cookie);
  http::HttpResponse Products(const http::HttpRequest& request, Session& session);
  http::HttpResponse Producers(const http::HttpRequest& request, Session& session);

  // A context for a call on behalf of `session` (its access token), or the reason there is none.
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> ContextFor(Session& session);
  // Where to go when no token can be had for `session`: sign in again, or "try later".
  http::HttpResponse SessionLost(const absl::Status& status, const Session& session);
  // The page for a backend's refusal or failure.
  http::HttpResponse BackendError(const grpc::Status& status, const Session* session);

  const ConsoleConfig config_;
  const std::function<absl::Time()> clock_;
  auth::TokenVerifier verifier_;
  SessionStore sessions_;
  std::shared_ptr<grpc::Channel> registry_channel_;
  std::unique_ptr<registry::v1::IdentityService::Stub> identity_;
  std::unique_ptr<registry::v1::RegistryService::Stub> registry_;
  std::unique_ptr<http::HttpServer> http_;
};

}  // namespace ocop::console
