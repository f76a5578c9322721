#include "services/console/console.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/service_auth.h"
#include "common/crypto/digest.h"
#include "common/grpc/client.h"
#include "common/grpc/proto_time.h"
#include "common/http/web.h"
#include "common/log/log.h"
#include "common/token/base32.h"
#include "services/console/pages.h"
#include "services/console/responses.h"

namespace ocop::console {
namespace {

// __Host-: the browser keeps them only if Secure, for this host alone, path "/" (no subdomain or
// plain-HTTP page can plant or read them). Browsers treat http://127.0.0.1 and localhost as
// secure, so the quickstart works without TLS.
constexpr char kSessionCookie[] = "__Host-ocop-session";
constexpr char kLoginCookie[] = "__Host-ocop-login";

constexpr int kPageSize = 50;

void AddCommonHeaders(http::HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
                                "base-uri 'none'; frame-ancestors 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "same-origin");
}

std::string CookieHeader(const char* name, const std::string& value, const char* same_site, int max_age = -1) {
  std::string header = absl::StrCat(name, "=", value, "; Path=/; HttpOnly; Secure; SameSite=", same_site);
  if (max_age >= 0) absl::StrAppend(&header, "; Max-Age=", max_age);
  return header;
}

std::string CookieOf(const http::HttpRequest& request, const char* name) {
  auto header = request.headers.find("cookie");
  if (header == request.headers.end()) return "";
  std::map<std::string, std::string> cookies = http::ParseCookies(header->second);
  auto found = cookies.find(name);
  return found == cookies.end() ? "" : found->second;
}

absl::StatusOr<std::string> RandomToken() {
  absl::StatusOr<std::string> bytes = crypto::RandomBytes(20);
  if (!bytes.ok()) return bytes.status();
  return token::Base32Encode(*bytes);
}

// What RandomToken makes: 32 base32 characters.
bool IsRandomToken(const std::string& text) {
  return text.size() == 32 && text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == std::string::npos;
}

// Vietnam's calendar day at `time` (certificates run to the end of their last day there).
absl::CivilDay VietnamDay(absl::Time time) {
  return absl::ToCivilDay(time, absl::FixedTimeZone(7 * 3600));
}

}  // namespace

http::HttpResponse Html(int status, std::string body) {
  http::HttpResponse response{status, {}, std::move(body)};
  response.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  response.headers.emplace_back("Cache-Control", "no-store");
  AddCommonHeaders(response);
  return response;
}

http::HttpResponse Redirect(const std::string& location) {
  http::HttpResponse response{303, {{"Location", location}, {"Cache-Control", "no-store"}}, ""};
  AddCommonHeaders(response);
  return response;
}

http::HttpResponse Attachment(const std::string& content_type, const std::string& filename, std::string body) {
  http::HttpResponse response{200, {{"Content-Type", content_type}}, std::move(body)};
  response.headers.emplace_back("Content-Disposition", absl::StrCat("attachment; filename=\"", filename, "\""));
  response.headers.emplace_back("Cache-Control", "no-store");
  AddCommonHeaders(response);
  return response;
}

Console::Console(const ConsoleConfig& config, auth::KeySource registry_keys, std::function<absl::Time()> clock)
    : config_(config),
      clock_(std::move(clock)),
      verifier_(config.verifier, std::move(registry_keys), [] { return absl::Now(); }),
      sessions_(config.idle_timeout, config.max_sessions, clock_),
      registry_channel_(grpcutil::MakeChannel(config.registry)),
      identity_(registry::v1::IdentityService::NewStub(registry_channel_)),
      registry_(registry::v1::RegistryService::NewStub(registry_channel_)),
      evaluation_(registry::v1::EvaluationService::NewStub(registry_channel_)),
      batch_channel_(grpcutil::MakeChannel(config.batch)),
      stamp_channel_(grpcutil::MakeChannel(config.stamp)),
      batch_(batch::v1::BatchService::NewStub(batch_channel_)),
      stamp_(stamp::v1::StampService::NewStub(stamp_channel_)) {
  audit_["registry"] = common::v1::AuditService::NewStub(registry_channel_);
  audit_["batch"] = common::v1::AuditService::NewStub(batch_channel_);
  audit_["stamp"] = common::v1::AuditService::NewStub(stamp_channel_);
}

absl::StatusOr<std::unique_ptr<Console>> Console::Start(const ConsoleConfig& config, auth::KeySource registry_keys,
                                                        std::function<absl::Time()> clock) {
  std::unique_ptr<Console> console(new Console(config, std::move(registry_keys), std::move(clock)));
  if (absl::Status keys = console->verifier_.Refresh(); !keys.ok()) {
    // Not fatal: the keys are fetched again at the first sign-in.
    logs::Warning("registry token keys not loaded yet", {{"error", keys}});
  }
  Console* self = console.get();
  http::HttpServerOptions http = config.http;
  http.body_limit_bytes = std::max(http.body_limit_bytes, config.max_upload_bytes);
  absl::StatusOr<std::unique_ptr<http::HttpServer>> server =
      http::HttpServer::Start(http, [self](const http::HttpRequest& request) { return self->Handle(request); });
  if (!server.ok()) return server.status();
  console->http_ = std::move(*server);
  return console;
}

Console::~Console() { Stop(); }

void Console::Stop() {
  if (http_ != nullptr) http_->Stop();
}

int Console::http_port() const { return http_ == nullptr ? 0 : http_->port(); }

http::HttpResponse Console::Handle(const http::HttpRequest& request) {
  const absl::string_view path = http::PathOf(request.target);
  const bool get = request.method == "GET" || request.method == "HEAD";
  if (path == "/console.css" && get) {
    http::HttpResponse response{200, {{"Content-Type", "text/css; charset=utf-8"}}, Stylesheet()};
    response.headers.emplace_back("Cache-Control", "public, max-age=3600");
    AddCommonHeaders(response);
    return response;
  }
  if (path == "/healthz") return http::HttpResponse{200, {{"Content-Type", "text/plain"}}, "ok\n"};
  // The HTTP server takes bodies up to max_upload_bytes for the forms with files (the CSV import,
  // the diary's photo); every other request keeps the usual limit.
  if (request.body.size() > config_.http.body_limit_bytes && path != "/import" && !absl::EndsWith(path, "/events")) {
    return Html(413, RenderMessage(nullptr, "Nội dung gửi lên quá lớn", "What was sent is too large"));
  }
  // Browsers ask for it on their own; a redirect to the sign-in page would only cost a round trip.
  if (path == "/favicon.ico") return http::HttpResponse{404, {{"Content-Type", "text/plain"}}, ""};
  if (path == "/login") {
    if (get) return ShowLogin(request);
    if (request.method == "POST") return Login(request);
    return Html(405, RenderMessage(nullptr, "Phương thức không được phép", "Method not allowed"));
  }

  // Everything else is for a signed-in person.
  const std::string cookie = CookieOf(request, kSessionCookie);
  std::shared_ptr<Session> session = sessions_.Find(cookie);
  if (session == nullptr) {
    if (!get) return Html(403, RenderMessage(nullptr, "Phiên đăng nhập đã hết; hãy đăng nhập lại",
                                             "Your session has ended; sign in again"));
    return Redirect("/login");
  }
  if (path == "/logout" && request.method == "POST") return Logout(request, session, cookie);
  const std::vector<std::string> parts = absl::StrSplit(path.substr(1), '/');
  if (!parts.empty() && ((parts[0] == "producers" && (parts.size() > 1 || request.method == "POST")) ||
                         (parts[0] == "products" && parts.size() > 1))) {
    return RecordsRoute(request, *session, parts);
  }
  if (!parts.empty() && (parts[0] == "areas" || parts[0] == "growingAreas" || parts[0] == "batches" ||
                         parts[0] == "rolls" || parts[0] == "scans")) {
    return ProducerRoute(request, *session, parts);
  }
  if (!parts.empty() && (parts[0] == "rounds" || parts[0] == "dossiers" || parts[0] == "reports" ||
                         parts[0] == "import" || parts[0] == "renewals")) {
    return OfficeRoute(request, *session, parts);
  }
  if (!get) return Html(405, RenderMessage(session.get(), "Phương thức không được phép", "Method not allowed"));
  // Council members come for their rounds; everyone else starts with the products.
  if (path == "/") return Redirect(session->user.role == "council" ? "/rounds" : "/products");
  if (path == "/products") return Products(request, *session);
  if (path == "/producers") return Producers(request, *session, NewForm(), 200);
  if (path == "/audit") return Audit(request, *session);
  return Html(404, RenderMessage(session.get(), "Không có trang này", "No such page"));
}

http::HttpResponse Console::ShowLogin(const http::HttpRequest& request) {
  // Already signed in: straight to the work.
  if (sessions_.Find(CookieOf(request, kSessionCookie)) != nullptr) return Redirect("/products");
  // One token per browser, kept while its cookie lives: two sign-in tabs (or a page and the
  // browser's own requests landing here) must not undo each other's forms.
  absl::StatusOr<std::string> csrf = CookieOf(request, kLoginCookie);
  if (!IsRandomToken(*csrf)) csrf = RandomToken();
  if (!csrf.ok()) return Html(500, RenderMessage(nullptr, "Đã có lỗi xảy ra", "Something went wrong"));
  http::HttpResponse response =
      Html(200, RenderLoginPage(LoginFields{.username = "", .csrf = *csrf, .error_vi = "", .error_en = ""}));
  // The sign-in form's CSRF token is also a cookie only this site can set (double submit): a page
  // elsewhere cannot sign a visitor in as someone else.
  response.headers.emplace_back("Set-Cookie", CookieHeader(kLoginCookie, *csrf, "Strict", 3600));
  return response;
}

http::HttpResponse Console::Login(const http::HttpRequest& request) {
  absl::StatusOr<std::map<std::string, std::string>> form = http::ParseForm(request.body);
  const std::string expected = CookieOf(request, kLoginCookie);
  if (!form.ok() || expected.empty() || !crypto::ConstantTimeEquals((*form)["csrf"], expected)) {
    return Html(403, RenderMessage(nullptr, "Biểu mẫu đã hết hạn; hãy mở lại trang đăng nhập",
                                   "The form has expired; open the sign-in page again"));
  }
  LoginFields retry{.username = (*form)["username"], .csrf = expected, .error_vi = "", .error_en = ""};
  registry::v1::LoginRequest login;
  login.set_username((*form)["username"]);
  login.set_password((*form)["password"]);
  registry::v1::LoginResponse answer;
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, config_.backend_deadline);
  const grpc::Status status = identity_->Login(&context, login, &answer);
  if (!status.ok()) {
    int code = 401;
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      code = 429;
      retry.error_vi = "Đăng nhập sai quá nhiều lần; hãy đợi vài phút rồi thử lại.";
      retry.error_en = "Too many failed attempts; wait a few minutes and try again.";
    } else if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
               status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      code = 503;
      retry.error_vi = "Không kết nối được máy chủ; hãy thử lại sau ít phút.";
      retry.error_en = "Cannot reach the server now; try again in a few minutes.";
    } else {
      retry.error_vi = "Sai tên đăng nhập hoặc mật khẩu.";
      retry.error_en = "Wrong username or password.";
    }
    return Html(code, RenderLoginPage(retry));
  }
  absl::StatusOr<auth::AccessClaims> claims = verifier_.Verify(answer.access_token().token());
  if (!claims.ok()) {
    logs::Error("the registry's sign-in token does not verify", {{"error", claims.status()}});
    retry.error_vi = "Không đăng nhập được lúc này; hãy thử lại sau.";
    retry.error_en = "Cannot sign in now; try again later.";
    return Html(503, RenderLoginPage(retry));
  }
  auto session = std::make_shared<Session>();
  session->user = ConsoleUser{claims->subject, login.username(), claims->role, claims->producer, claims->province};
  absl::StatusOr<std::string> csrf = RandomToken();
  if (!csrf.ok()) return Html(500, RenderMessage(nullptr, "Đã có lỗi xảy ra", "Something went wrong"));
  session->csrf = *csrf;
  session->registry_session = answer.session();
  session->expires = grpcutil::FromProtoTime(answer.session_expire_time());
  // The sign-in's own token first, then new ones from the session secret as each nears expiry.
  auto first = std::make_shared<std::optional<auth::MintedToken>>(
      auth::MintedToken{answer.access_token().token(), grpcutil::FromProtoTime(answer.access_token().expire_time())});
  auth::Minter from_session = auth::MintFromRegistry(registry_channel_, answer.session_secret(), config_.backend_deadline);
  session->tokens = std::make_shared<auth::TokenSource>(
      [first, from_session]() -> absl::StatusOr<auth::MintedToken> {
        if (first->has_value()) {
          auth::MintedToken token = **first;
          first->reset();
          return token;
        }
        return from_session();
      },
      clock_);
  absl::StatusOr<std::string> cookie = sessions_.Add(session);
  if (!cookie.ok()) return Html(500, RenderMessage(nullptr, "Đã có lỗi xảy ra", "Something went wrong"));
  logs::Info("signed in", {{"user", session->user.subject}, {"role", session->user.role}});
  http::HttpResponse response = Redirect("/");
  response.headers.emplace_back("Set-Cookie", CookieHeader(kSessionCookie, *cookie, "Lax"));
  response.headers.emplace_back("Set-Cookie", CookieHeader(kLoginCookie, "", "Strict", 0));
  return response;
}

http::HttpResponse Console::Logout(const http::HttpRequest& request, const std::shared_ptr<Session>& session,
                                   const std::string& cookie) {
  absl::StatusOr<std::map<std::string, std::string>> form = http::ParseForm(request.body);
  if (!form.ok() || !crypto::ConstantTimeEquals((*form)["csrf"], session->csrf)) {
    return Html(403, RenderMessage(session.get(), "Biểu mẫu không hợp lệ; hãy thử lại", "Invalid form; try again"));
  }
  // The registry session goes too, so its secret mints nothing more (best effort: the console's
  // own session ends whatever the registry answers).
  if (absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = ContextFor(*session); context.ok()) {
    registry::v1::RevokeCredentialRequest revoke;
    revoke.set_name(session->registry_session);
    revoke.set_reason("signed out of the console");
    registry::v1::RevokeCredentialResponse revoked;
    const grpc::Status status = identity_->RevokeCredential(context->get(), revoke, &revoked);
    if (!status.ok()) logs::Warning("cannot revoke a session at sign-out", {{"error", status.error_message()}});
  }
  sessions_.Remove(cookie);
  http::HttpResponse response = Redirect("/login");
  response.headers.emplace_back("Set-Cookie", CookieHeader(kSessionCookie, "", "Lax", 0));
  return response;
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> Console::ContextFor(Session& session) {
  absl::StatusOr<std::string> token = session.tokens->Token();
  if (!token.ok()) {
    // Revoked or disabled at the registry (or it is down: then signing in again fails politely).
    if (absl::IsUnauthenticated(token.status()) || absl::IsPermissionDenied(token.status())) session.ended = true;
    return token.status();
  }
  auto context = std::make_unique<grpc::ClientContext>();
  grpcutil::PrepareContext(*context, config_.backend_deadline);
  context->AddMetadata("authorization", "Bearer " + *token);
  return context;
}

http::HttpResponse Console::SessionLost(const absl::Status& status, const Session& session) {
  if (session.ended) return Redirect("/login");
  logs::Warning("cannot get an access token for a session", {{"error", status}});
  return Html(503, RenderMessage(&session, "Không kết nối được máy chủ; hãy thử lại sau ít phút",
                                 "Cannot reach the server now; try again in a few minutes"));
}

http::HttpResponse Console::BackendError(const grpc::Status& status, const Session* session) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAUTHENTICATED:
      // The registry no longer honours the session (or a backend no longer takes its token).
      return Redirect("/login");
    case grpc::StatusCode::PERMISSION_DENIED:
      return Html(403, RenderMessage(session, "Bạn không có quyền xem trang này", "You may not see this page"));
    case grpc::StatusCode::NOT_FOUND:
      return Html(404, RenderMessage(session, "Không tìm thấy", "Not found"));
    case grpc::StatusCode::INVALID_ARGUMENT:
      return Html(400, RenderMessage(session, "Yêu cầu không hợp lệ: " + status.error_message(),
                                     "Invalid request: " + status.error_message()));
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Html(503, RenderMessage(session, "Không kết nối được máy chủ; hãy thử lại sau ít phút",
                                     "Cannot reach the server now; try again in a few minutes"));
    default:
      logs::Error("a backend call failed", {{"code", static_cast<int>(status.error_code())},
                                            {"error", status.error_message()}});
      return Html(500, RenderMessage(session, "Đã có lỗi xảy ra", "Something went wrong"));
  }
}

http::HttpResponse Console::Products(const http::HttpRequest& request, Session& session) {
  absl::StatusOr<std::map<std::string, std::string>> query = http::ParseQuery(request.target);
  if (!query.ok()) return Html(400, RenderMessage(&session, "Địa chỉ không hợp lệ", "Invalid address"));
  registry::v1::ListProductsRequest list;
  list.set_page_size(kPageSize);
  list.set_page_token((*query)["page"]);
  ProductsView view;
  if (session.user.role == "producer") {
    list.set_producer(session.user.producer);
  } else {
    // Office staff see their province (the registry holds them to it); others search everything
    // their role may read.
    if (!session.user.province.empty()) list.set_province_code(session.user.province);
    list.set_query((*query)["q"]);
    view.show_search = true;
  }
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = ContextFor(session);
  if (!context.ok()) return SessionLost(context.status(), session);
  registry::v1::ListProductsResponse answer;
  const grpc::Status status = registry_->ListProducts(context->get(), list, &answer);
  if (!status.ok()) return BackendError(status, &session);
  view.products.assign(answer.products().begin(), answer.products().end());
  view.query = list.query();
  view.this_page_token = list.page_token();
  view.next_page_token = answer.next_page_token();
  view.today = VietnamDay(config_.calendar ? config_.calendar() : clock_());
  view.soon_days = config_.expiring_within_days;
  return Html(200, RenderPage(session, "Sản phẩm", "Products", RenderProductsBody(view)));
}

http::HttpResponse Console::Producers(const http::HttpRequest& request, Session& session, FormState new_form,
                                      int http_status) {
  if (session.user.role != "office" && session.user.role != "admin") {
    return Html(403, RenderMessage(&session, "Bạn không có quyền xem trang này", "You may not see this page"));
  }
  absl::StatusOr<std::map<std::string, std::string>> query = http::ParseQuery(request.target);
  if (!query.ok()) return Html(400, RenderMessage(&session, "Địa chỉ không hợp lệ", "Invalid address"));
  registry::v1::ListProducersRequest list;
  list.set_page_size(kPageSize);
  list.set_page_token((*query)["page"]);
  list.set_query((*query)["q"]);
  if (!session.user.province.empty()) list.set_province_code(session.user.province);
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = ContextFor(session);
  if (!context.ok()) return SessionLost(context.status(), session);
  registry::v1::ListProducersResponse answer;
  const grpc::Status status = registry_->ListProducers(context->get(), list, &answer);
  if (!status.ok()) return BackendError(status, &session);
  ProducersView view;
  view.csrf = session.csrf;
  view.new_form = std::move(new_form);
  view.producers.assign(answer.producers().begin(), answer.producers().end());
  view.query = list.query();
  view.this_page_token = list.page_token();
  view.next_page_token = answer.next_page_token();
  return Html(http_status, RenderPage(session, "Nhà sản xuất", "Producers", RenderProducersBody(view)));
}

}  // namespace ocop::console
