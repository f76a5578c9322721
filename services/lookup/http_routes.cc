#include "services/lookup/http_routes.h"

#include <google/protobuf/util/json_util.h>


#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/digital_link/digital_link.h"
#include "common/http/web.h"
#include "common/jwks/jwks.h"
#include "common/log/log.h"
#include "services/lookup/page.h"

namespace ocop::lookup {
namespace {

// Verdicts must never be cached: a browser must not show "genuine" after a recall.
void AddCommonHeaders(http::HttpResponse& response, absl::string_view content_type) {
  response.headers.emplace_back("Content-Type", std::string(content_type));
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("X-Frame-Options", "DENY");
}

http::HttpResponse Html(int status, std::string body) {
  http::HttpResponse response{status, {}, std::move(body)};
  AddCommonHeaders(response, "text/html; charset=utf-8");
  return response;
}

http::HttpResponse Json(int status, std::string body) {
  http::HttpResponse response{status, {}, std::move(body)};
  AddCommonHeaders(response, "application/json; charset=utf-8");
  return response;
}

std::string JsonEscape(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, "\\u00", c < 0x10 ? "0" : "1", absl::string_view(&"0123456789abcdef"[c & 0xf], 1));
    } else {
      out += c;
    }
  }
  return out;
}

// ?lang=en leads with English; the switch links to the same page in the other language. The link
// is a query-only relative reference ("?x=1&lang=vi"), so nothing of the request's path is
// reflected into it: a path such as "//evil.example/x" cannot become a link to another site.
PageOptions PageOptionsFor(const http::HttpRequest& request) {
  absl::string_view target = request.target;
  std::vector<std::string> kept;
  bool english = false;
  if (size_t mark = target.find('?'); mark != absl::string_view::npos) {
    for (absl::string_view parameter : absl::StrSplit(target.substr(mark + 1), '&', absl::SkipEmpty())) {
      if (parameter == "lang=en") {
        english = true;
      } else if (!absl::StartsWith(parameter, "lang=")) {
        kept.emplace_back(parameter);
      }
    }
  }
  kept.push_back(english ? "lang=vi" : "lang=en");
  PageOptions options;
  options.language = english ? PageLanguage::kEnglish : PageLanguage::kVietnamese;
  options.other_language_href = absl::StrCat("?", absl::StrJoin(kept, "&"));
  return options;
}

int HttpStatusFor(const absl::Status& status) {
  // NOT_FOUND, on this public surface, only ever means "no such stamp": shown as 404.
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument: return 400;
    case absl::StatusCode::kNotFound: return 404;
    case absl::StatusCode::kResourceExhausted: return 429;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded: return 503;
    default: return 500;
  }
}

// What a public client may see of an error: its own input mistakes, never internals.
std::string PublicMessage(const absl::Status& status) {
  switch (HttpStatusFor(status)) {
    case 400:
    case 404:
    case 429: return std::string(status.message());
    case 503: return "cannot check now: a backend is temporarily unavailable; retry shortly";
    default: return "internal error";
  }
}

http::HttpResponse ErrorResponse(const absl::Status& status, bool json, const http::HttpRequest& request) {
  int code = HttpStatusFor(status);
  // Why a request failed, for operators. A 503 (a backend down) is logged like an access line,
  // for a sample of requests: in an outage every scan fails alike, and the metrics count them all.
  if (code >= 500 && (code != 503 || logs::IsSampled(request.request_id))) {
    logs::Log(code == 503 ? logs::Level::kWarning : logs::Level::kError, "scan request failed",
              {{"method", request.method}, {"path", std::string_view(request.target).substr(0, request.target.find('?'))},
               {"status", code}, {"error", status}});
  }
  http::HttpResponse response =
      json ? Json(code, absl::StrCat("{\"error\":{\"code\":", code, ",\"status\":\"",
                                     absl::StatusCodeToString(status.code()), "\",\"message\":\"",
                                     JsonEscape(PublicMessage(status)), "\"}}\n"))
           : code == 400 ? Html(400, RenderMessagePage("Mã không hợp lệ: đây không phải tem truy xuất OCOP",
                                                      "Invalid code: this is not an OCOP traceability stamp",
                                                      PageOptionsFor(request)))
           : code == 404 ? Html(404, RenderMessagePage("Không tìm thấy sản phẩm hoặc tem này",
                                                      "No such product or stamp", PageOptionsFor(request)))
           : code == 503 ? Html(503, RenderUnavailablePage(PageOptionsFor(request)))
                         : Html(code, RenderMessagePage("Đã có lỗi xảy ra", "Something went wrong",
                                                        PageOptionsFor(request)));
  if (code == 503) response.headers.emplace_back("Retry-After", "5");
  return response;
}

std::string JsonPage(const google::protobuf::Message& message) {
  std::string body;
  (void)google::protobuf::util::MessageToJsonString(message, &body);
  return body + "\n";
}

// RFC 9264 linkset of what we offer for a GS1 Digital Link: the page, its JSON view, the lot's
// EPCIS export (when the link names a lot we know) and the stamp public keys. Links start with
// `base`, the configured public base URL, never the request's Host header (which a client
// chooses, and a shared cache could then serve to others); empty `base`: links are relative.
std::string Linkset(const digital_link::DigitalLinkPath& link, const v1::ResolveResponse& view,
                    const std::string& base) {
  std::string path = absl::StrCat("/01/", link.gtin);
  if (!link.lot.empty()) absl::StrAppend(&path, "/10/", digital_link::PercentEncodePath(link.lot));
  if (!link.serial.empty()) absl::StrAppend(&path, "/21/", digital_link::PercentEncodePath(link.serial));
  const std::string page = base + path;
  auto target = [](const std::string& href, absl::string_view type, absl::string_view title) {
    return absl::StrCat("{\"href\":\"", JsonEscape(href), "\",\"type\":\"", type, "\",\"title\":\"",
                        JsonEscape(title), "\",\"hreflang\":[\"vi\",\"en\"]}");
  };
  std::string html = target(page, "text/html", absl::StrCat(view.product().display_name(), " — truy xuất nguồn gốc"));
  std::string out = absl::StrCat("{\"linkset\":[{\"anchor\":\"", JsonEscape(page), "\",",
                                 "\"https://gs1.org/voc/defaultLink\":[", html, "],",
                                 "\"https://gs1.org/voc/pip\":[", html, "],",
                                 "\"alternate\":[", target(base + "/v1/resolve" + path, "application/json",
                                                          "JSON view"), "]");
  if (view.has_batch()) {
    absl::StrAppend(&out, ",\"https://gs1.org/voc/traceability\":[",
                    target(absl::StrCat(base, "/v1/epcis/", view.batch().name()), "application/ld+json",
                           "EPCIS 2.0 events of the lot"),
                    "]");
  }
  absl::StrAppend(&out, ",\"urn:ocop-trace:voc:jwks\":[",
                  target(base + "/.well-known/jwks.json", "application/jwk-set+json", "Stamp signing keys"), "]}]}\n");
  return out;
}

// The page or its JSON twin for a resolved token.
http::HttpResponse Respond(const absl::StatusOr<v1::ResolveResponse>& result, bool json,
                           const http::HttpRequest& request) {
  if (!result.ok()) return ErrorResponse(result.status(), json, request);
  if (json) return Json(200, JsonPage(*result));
  return Html(200, RenderResultPage(*result, PageOptionsFor(request)));
}

// The page or its JSON twin for a resolved stamp; a page's details come from `pages` when given.
http::HttpResponse RespondScan(const absl::StatusOr<Resolution>& result, bool json, const http::HttpRequest& request,
                               PageCache* pages) {
  if (!result.ok()) return ErrorResponse(result.status(), json, request);
  if (json) return Json(200, JsonPage(result->ToProto()));
  const PageOptions options = PageOptionsFor(request);
  if (pages == nullptr || !PageShowsDetails(result->verdict) || result->lot == nullptr ||
      result->product == nullptr || result->producer == nullptr) {
    return Html(200, RenderResultPage(result->ToProto(), options));
  }
  return Html(200, RenderResultPage(result->Summary(), *pages->DetailsOf(*result, options.language), options));
}

// A GS1 Digital Link: a signed stamp is verified like /s/{token}; any other link walks up to its
// lot or product ("unit not verified"), as GS1's resolver does for serials it does not know.
http::HttpResponse HandleDigitalLink(Resolver& resolver, const http::HttpRequest& request, const std::string& client,
                                     const std::string& base_url, bool json) {
  absl::string_view code = request.target;
  if (json) absl::ConsumePrefix(&code, "/v1/resolve");
  absl::StatusOr<digital_link::DigitalLinkPath> link = digital_link::ParsePath(code);
  if (!link.ok()) return ErrorResponse(link.status(), json, request);
  const std::string link_type = link->Param("linkType");
  bool is_stamp = !link->Param("k").empty() || !link->Param("s").empty();
  absl::StatusOr<v1::ResolveResponse> result =
      is_stamp && link_type.empty() ? resolver.Resolve(code, client) : resolver.WalkUp(*link);
  if (link_type == "linkset" || link_type == "all") {
    if (!result.ok()) return ErrorResponse(result.status(), true, request);
    http::HttpResponse response{200, {}, Linkset(*link, *result, base_url)};
    AddCommonHeaders(response, "application/linkset+json");
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
    return response;
  }
  return Respond(result, json, request);
}

// A province's catalogue (HTML, or JSON for `json`): not a verdict, so shared caches may keep it
// for a minute, and its search form may submit to this site.
http::HttpResponse HandleCatalogue(Resolver& resolver, absl::string_view province, const http::HttpRequest& request,
                                   bool json) {
  absl::StatusOr<std::map<std::string, std::string>> parameters = http::ParseQuery(request.target);
  if (!parameters.ok()) return ErrorResponse(parameters.status(), json, request);
  absl::StatusOr<CatalogueFilter> filter = ParseCatalogueFilter(*parameters);
  if (!filter.ok()) return ErrorResponse(filter.status(), json, request);
  absl::StatusOr<std::shared_ptr<const CatalogueView>> view = resolver.CatalogueOf(province);
  if (!view.ok()) return ErrorResponse(view.status(), json, request);
  const v1::Catalogue page = SelectFromCatalogue(**view, *filter);
  http::HttpResponse response =
      json ? Json(200, JsonPage(page)) : Html(200, RenderCataloguePage(page, *filter, PageOptionsFor(request)));
  for (auto& [name, value] : response.headers) {
    if (name == "Cache-Control") value = "public, max-age=60";
    if (name == "Content-Security-Policy") absl::StrReplaceAll({{"form-action 'none'", "form-action 'self'"}}, &value);
  }
  if (json) response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  return response;
}

}  // namespace

http::HttpResponse HandleHttp(Resolver& resolver, KeyRing& keys, const http::HttpRequest& request,
                              const std::string& client, const std::string& base_url, PageCache* pages) {
  absl::string_view path = request.target;
  if (size_t query = path.find_first_of("?#"); query != absl::string_view::npos) path = path.substr(0, query);
  if (absl::string_view token = path; absl::ConsumePrefix(&token, "/v1/pin/")) {
    if (request.method != "POST") {
      http::HttpResponse response = Json(405, "{\"error\":{\"code\":405,\"message\":\"use POST\"}}\n");
      response.headers.emplace_back("Allow", "POST");
      return response;
    }
    // Body: pin=12345678 (an HTML form's encoding); only digits are meaningful.
    absl::string_view pin = request.body;
    absl::ConsumePrefix(&pin, "pin=");
    absl::StatusOr<stamp::v1::VerifyPinResponse> outcome =
        resolver.VerifyPin(token, std::string(absl::StripAsciiWhitespace(pin)), client);
    if (!outcome.ok()) return ErrorResponse(outcome.status(), true, request);
    std::string body;
    if (!google::protobuf::util::MessageToJsonString(*outcome, &body).ok()) {
      return ErrorResponse(absl::InternalError("JSON encoding failed"), true, request);
    }
    return Json(200, body + "\n");
  }
  if (request.method != "GET" && request.method != "HEAD") {
    http::HttpResponse response = Html(405, RenderMessagePage("Phương thức không được hỗ trợ", "Method not allowed"));
    response.headers.emplace_back("Allow", "GET, HEAD");
    return response;
  }
  if (path == "/healthz") return http::HttpResponse{200, {{"Content-Type", "text/plain"}}, "ok\n"};
  if (path == "/.well-known/jwks.json") {
    // Public keys: cacheable and readable from any origin, unlike verdicts.
    keys.RefreshIfStale();
    return http::HttpResponse{200,
                              {{"Content-Type", "application/jwk-set+json"},
                               {"Cache-Control", "public, max-age=300"},
                               {"Access-Control-Allow-Origin", "*"},
                               {"X-Content-Type-Options", "nosniff"}},
                              jwks::ToJson(jwks::MakeJwks(keys.PublicKeys())) + "\n"};
  }

  if (absl::string_view province = path; absl::ConsumePrefix(&province, "/catalogue/")) {
    return HandleCatalogue(resolver, province, request, false);
  }
  if (absl::string_view province = path; absl::ConsumePrefix(&province, "/v1/catalogue/")) {
    return HandleCatalogue(resolver, province, request, true);
  }
  if (absl::string_view product = path; absl::ConsumePrefix(&product, "/p/")) {
    return Respond(resolver.ProductPage(product), false, request);
  }
  if (absl::string_view product = path; absl::ConsumePrefix(&product, "/v1/products/")) {
    return Respond(resolver.ProductPage(product), true, request);
  }
  if (absl::StartsWith(path, "/01/")) return HandleDigitalLink(resolver, request, client, base_url, false);
  if (absl::StartsWith(path, "/v1/resolve/01/")) return HandleDigitalLink(resolver, request, client, base_url, true);
  if (absl::string_view batch = path; absl::ConsumePrefix(&batch, "/v1/epcis/")) {
    absl::StatusOr<std::string> document = resolver.ExportEpcis(std::string(batch));
    if (absl::IsFailedPrecondition(document.status())) {  // a history too long for one document
      return Json(409, absl::StrCat("{\"error\":{\"code\":409,\"status\":\"FAILED_PRECONDITION\",\"message\":\"",
                                    JsonEscape(document.status().message()), "\"}}\n"));
    }
    if (!document.ok()) return ErrorResponse(document.status(), true, request);
    http::HttpResponse response{200, {}, std::move(*document)};
    AddCommonHeaders(response, "application/ld+json; charset=utf-8");
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
    return response;
  }
  absl::string_view token = path;
  bool json = absl::ConsumePrefix(&token, "/v1/resolve/");
  if (!json && !absl::ConsumePrefix(&token, "/s/") && !absl::ConsumePrefix(&token, "/S/")) {
    return Html(404, RenderMessagePage("Không tìm thấy trang", "Page not found", PageOptionsFor(request)));
  }
  return RespondScan(resolver.ResolveViews(token, client), json, request, pages);
}

std::optional<http::HttpResponse> HandleHttpFromMemory(Resolver& resolver, const http::HttpRequest& request,
                                                       const std::string& client, PageCache* pages) {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  absl::string_view path = request.target;
  if (size_t query = path.find_first_of("?#"); query != absl::string_view::npos) path = path.substr(0, query);
  absl::string_view token = path;
  bool json = absl::ConsumePrefix(&token, "/v1/resolve/");
  if (json ? absl::StartsWith(token, "01/")
           : !absl::ConsumePrefix(&token, "/s/") && !absl::ConsumePrefix(&token, "/S/")) {
    return std::nullopt;
  }
  std::optional<absl::StatusOr<Resolution>> result = resolver.ResolveFromMemory(token, client);
  if (!result.has_value()) return std::nullopt;
  return RespondScan(*result, json, request, pages);
}

}  // namespace ocop::lookup
