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
//   Producers (lots.cc): GET /areas, /growingAreas/{a}/seasons/{s}, /batches, /batches/{b},
//   /rolls/{r}, /scans; POST to a season's /events, /harvest, an area's /seasons, a lot's /events, /rolls,
//   /split, /recall, a roll's /download, /activate, /change.
//   GET  /console.css, /healthz
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <grpcpp/channel.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/access_token.h"
#include "common/http/http_server.h"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "ocop/common/v1/common.grpc.pb.h"
#include "ocop/registry/v1/evaluation.grpc.pb.h"
#include "ocop/registry/v1/identity.grpc.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "ocop/stamp/v1/stamp.grpc.pb.h"
#include "services/console/charts.h"
#include "services/console/html.h"
#include "services/console/sessions.h"

namespace ocop::console {

struct ConsoleConfig {
  std::string registry;  // host:port
  std::string batch;     // host:port
  std::string stamp;     // host:port
  absl::Duration backend_deadline = absl::Seconds(5);
  // A session ends after this long without a request (and when the registry session expires).
  absl::Duration idle_timeout = absl::Minutes(30);
  size_t max_sessions = 20000;
  // Certificates ending within this many days are highlighted.
  int expiring_within_days = 90;
  // http(s)://host[:port] of lookup's public site: printed certificates' QR codes point to the
  // products' public pages there ({public_base_url}/p/{id}).
  std::string public_base_url = "http://127.0.0.1:8080";
  // The largest request body taken (the CSV import's files): the HTTP server's body limit is
  // raised to it.
  size_t max_upload_bytes = 4 * 1024 * 1024;
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
  // `new_form`: the "new producer" form (refused: with what was typed).
  http::HttpResponse Producers(const http::HttpRequest& request, Session& session, FormState new_form, int status);
  // One producer's or product's page and their forms (records.cc).
  http::HttpResponse RecordsRoute(const http::HttpRequest& request, Session& session,
                                  const std::vector<std::string>& parts);
  http::HttpResponse CreateProducer(const http::HttpRequest& request, Session& session);
  http::HttpResponse ProducerPage(const http::HttpRequest& request, Session& session, const std::string& producer,
                                  FormState edit_form, FormState product_form, int status);
  http::HttpResponse UpdateProducer(const http::HttpRequest& request, Session& session, const std::string& producer);
  http::HttpResponse CreateProduct(const http::HttpRequest& request, Session& session, const std::string& producer);
  http::HttpResponse ProductPage(const http::HttpRequest& request, Session& session, const std::string& product,
                                 FormState edit_form, int status);
  http::HttpResponse UpdateProduct(const http::HttpRequest& request, Session& session, const std::string& product);

  // The producer's pages (lots.cc): growing areas, seasons and their diary, lots, stamp rolls.
  // `parts` is the path split at '/', without the leading empty part.
  http::HttpResponse ProducerRoute(const http::HttpRequest& request, Session& session,
                                   const std::vector<std::string>& parts);
  http::HttpResponse Areas(const http::HttpRequest& request, Session& session, const std::string& refused_area,
                           FormState season_form, FormState area_form, int status);
  http::HttpResponse AddArea(const http::HttpRequest& request, Session& session);
  http::HttpResponse AddSeason(const http::HttpRequest& request, Session& session, const std::string& area);
  struct SeasonForms {
    FormState event;
    FormState harvest;
  };
  http::HttpResponse SeasonPage(const http::HttpRequest& request, Session& session, const std::string& season,
                                SeasonForms forms, int status);
  http::HttpResponse RecordEvent(const http::HttpRequest& request, Session& session, const std::string& chain,
                                 bool season);
  http::HttpResponse Harvest(const http::HttpRequest& request, Session& session, const std::string& season);
  http::HttpResponse Lots(const http::HttpRequest& request, Session& session, FormState blend_form, int status);
  http::HttpResponse Blend(const http::HttpRequest& request, Session& session);
  struct LotForms {
    FormState event;
    FormState roll;
    FormState recall;
    FormState split;
  };
  http::HttpResponse LotPage(const http::HttpRequest& request, Session& session, const std::string& lot,
                             LotForms forms, int status);
  http::HttpResponse OrderRoll(const http::HttpRequest& request, Session& session, const std::string& lot);
  http::HttpResponse Split(const http::HttpRequest& request, Session& session, const std::string& lot);
  http::HttpResponse Recall(const http::HttpRequest& request, Session& session, const std::string& lot);
  struct RollForms {
    FormState download;
    FormState activate;
    FormState change;
  };
  http::HttpResponse RollPage(const http::HttpRequest& request, Session& session, const std::string& roll,
                              RollForms forms, int status);
  // Scans of the producer's stamps: per day, per lot, and the stamps flagged "possible copy".
  http::HttpResponse Scans(const http::HttpRequest& request, Session& session);
  // Scans per day over the 30 days to `last_day` (every day, zeros too) that `filter` selects
  // (producer, lot, province), possible copies as the highlight.
  grpc::Status ScansPerDay(Session& session, stamp::v1::GetScanStatsRequest filter, absl::CivilDay last_day,
                           std::vector<Bar>* bars);
  http::HttpResponse Download(const http::HttpRequest& request, Session& session, const std::string& roll);
  http::HttpResponse ChangeStamps(const http::HttpRequest& request, Session& session, const std::string& roll,
                                  bool activate);

  // The posted form when its CSRF token is the session's; nullopt otherwise (then `refusal` is
  // the 403 page).
  std::optional<std::map<std::string, std::string>> PostedForm(const http::HttpRequest& request,
                                                               const Session& session, http::HttpResponse* refusal);
  // The office's and the council's pages (rounds.cc): evaluation rounds and reports.
  http::HttpResponse OfficeRoute(const http::HttpRequest& request, Session& session,
                                 const std::vector<std::string>& parts);
  http::HttpResponse Rounds(const http::HttpRequest& request, Session& session, FormState new_form, int status);
  http::HttpResponse CreateRound(const http::HttpRequest& request, Session& session);
  // `refused_dossier`/`refused_form`/`refused`: a refused form to show again with what was typed.
  http::HttpResponse RoundPage(const http::HttpRequest& request, Session& session, const std::string& round,
                               const std::string& refused_dossier, const std::string& refused_form,
                               FormState refused, int status);
  // accept, return (with a reason) or score a dossier.
  http::HttpResponse DossierAction(const http::HttpRequest& request, Session& session, const std::string& dossier,
                                   const std::string& action);
  http::HttpResponse CloseRound(const http::HttpRequest& request, Session& session, const std::string& round);
  http::HttpResponse StartRenewal(const http::HttpRequest& request, Session& session);
  // A closed round's certificates (certificates.cc): the list as CSV (`dossier` empty) or the
  // printable PDF of the dossier's certificate.
  http::HttpResponse Certificates(const http::HttpRequest& request, Session& session, const std::string& round,
                                  const std::string& dossier);
  // The product's public page on lookup, which certificates link to.
  std::string PublicProductUrl(const std::string& product) const;
  http::HttpResponse Reports(const http::HttpRequest& request, Session& session);
  // The office's CSV import: GET shows the form, POST reads the files and sends their rows.
  http::HttpResponse Import(const http::HttpRequest& request, Session& session);

  // The audit trails of the registry, batch and stamp services (admins; audit.cc).
  http::HttpResponse Audit(const http::HttpRequest& request, Session& session);

  // A fresh form: a new idempotency key.
  FormState NewForm();
  // Runs `call` with a context for `session`; a session the registry no longer honours gives
  // UNAUTHENTICATED (BackendError then sends the person to sign in), no token for another
  // reason UNAVAILABLE.
  grpc::Status Call(Session& session, const std::function<grpc::Status(grpc::ClientContext*)>& call,
                    absl::Duration deadline = absl::ZeroDuration());
  // The owner check of every producer page: someone else's lot, season or roll is "not found"
  // (reads at the backends are open to every signed-in role, and a guessed URL must show nothing).
  bool Owns(const Session& session, const std::string& producer) const;

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
  std::unique_ptr<registry::v1::EvaluationService::Stub> evaluation_;
  std::shared_ptr<grpc::Channel> batch_channel_;
  std::shared_ptr<grpc::Channel> stamp_channel_;
  std::unique_ptr<batch::v1::BatchService::Stub> batch_;
  std::unique_ptr<stamp::v1::StampService::Stub> stamp_;
  // Each writing service's audit trail, by service name.
  std::map<std::string, std::unique_ptr<common::v1::AuditService::Stub>> audit_;
  std::unique_ptr<http::HttpServer> http_;
};

}  // namespace ocop::console
