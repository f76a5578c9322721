// The audit trail page (admins): each writing service keeps its own trail of writes and refused
// attempts (common/audit); the page reads one service's at a time with the filters the API has.
// The trails name people and their addresses, so the services give them to admins only.
#include "absl/strings/str_cat.h"
#include "common/grpc/proto_time.h"
#include "common/http/web.h"
#include "services/console/console.h"
#include "services/console/handlers.h"
#include "services/console/lot_pages.h"
#include "services/console/pages.h"
#include "services/console/responses.h"

namespace ocop::console {
namespace {

using http::HtmlEscape;

std::string AuditFilters(const std::map<std::string, std::string>& query) {
  auto value = [&](const char* name) {
    auto found = query.find(name);
    return found == query.end() ? std::string() : found->second;
  };
  std::string service = value("service").empty() ? "registry" : value("service");
  std::string out = "<form class=\"search\" method=\"get\" action=\"/audit\"><div class=\"field\"><label for=\"service\">";
  absl::StrAppend(&out, Both("Dịch vụ", "Service"), "</label><select id=\"service\" name=\"service\">");
  for (const char* name : {"registry", "batch", "stamp"}) {
    absl::StrAppend(&out, "<option value=\"", name, "\"", service == name ? " selected" : "", ">", name, "</option>");
  }
  absl::StrAppend(&out, "</select></div>");
  for (const auto& [name, vi, en] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"subject", "Người thực hiện", "Who (users/…)"},
           {"method", "Thao tác có chứa", "Method containing"},
           {"resource", "Đối tượng có chứa", "Resource containing"}}) {
    absl::StrAppend(&out, "<div class=\"field\"><label for=\"", name, "\">", Both(vi, en), "</label><input id=\"", name,
                    "\" name=\"", name, "\" value=\"", HtmlEscape(value(name.c_str())), "\"></div>");
  }
  absl::StrAppend(&out, "<label class=\"check\"><input type=\"checkbox\" name=\"denied\" value=\"1\"",
                  value("denied") == "1" ? " checked" : "", "> ", Both("Chỉ các lần bị từ chối", "Refused only"),
                  "</label><button type=\"submit\">", Both("Xem", "Show"), "</button></form>");
  return out;
}

}  // namespace

http::HttpResponse Console::Audit(const http::HttpRequest& request, Session& session) {
  if (session.user.role != "admin") {
    return Html(403, RenderMessage(&session, "Nhật ký thay đổi dành cho quản trị", "The audit trail is for admins"));
  }
  absl::StatusOr<std::map<std::string, std::string>> query = http::ParseQuery(request.target);
  if (!query.ok()) return Html(400, RenderMessage(&session, "Địa chỉ không hợp lệ", "Invalid address"));
  const std::string service = (*query)["service"].empty() ? "registry" : (*query)["service"];
  auto stub = audit_.find(service);
  if (stub == audit_.end()) return Html(400, RenderMessage(&session, "Không có dịch vụ này", "No such service"));
  common::v1::ListAuditRecordsRequest list;
  list.set_subject((*query)["subject"]);
  list.set_method((*query)["method"]);
  list.set_resource((*query)["resource"]);
  list.set_denied_only((*query)["denied"] == "1");
  list.set_page_size(100);
  list.set_page_token((*query)["page"]);
  common::v1::ListAuditRecordsResponse records;
  grpc::Status status =
      Call(session, [&](grpc::ClientContext* c) { return stub->second->ListAuditRecords(c, list, &records); });
  if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    return Html(400, RenderMessage(&session, "Bộ lọc không hợp lệ: " + status.error_message(),
                                   "Invalid filter: " + status.error_message()));
  }
  if (!status.ok()) return BackendError(status, &session);
  std::string body = AuditFilters(*query);
  if (records.records().empty()) {
    absl::StrAppend(&body, "<p>", Both("Không có bản ghi nào.", "No records."), "</p>");
  } else {
    absl::StrAppend(&body, "<table><thead><tr><th scope=\"col\">", Both("Lúc", "When"), "</th><th scope=\"col\">",
                    Both("Người thực hiện", "Who"), "</th><th scope=\"col\">", Both("Thao tác", "Method"),
                    "</th><th scope=\"col\">", Both("Đối tượng", "Resources"), "</th><th scope=\"col\">",
                    Both("Kết quả", "Outcome"), "</th></tr></thead><tbody>");
    for (const common::v1::AuditRecord& record : records.records()) {
      std::string resources;
      for (const std::string& resource : record.resources()) {
        absl::StrAppend(&resources, resources.empty() ? "" : "<br>", HtmlEscape(resource));
      }
      const std::string method = record.method().substr(record.method().rfind('/') + 1);
      absl::StrAppend(&body, "<tr", record.outcome() == "ok" ? "" : " class=\"expired\"",
                      "><td data-label=\"Lúc / When\">", VietnamTime(record.time()),
                      "</td><td data-label=\"Người / Who\">", HtmlEscape(record.subject()), " (",
                      HtmlEscape(record.role()), ")</td><td data-label=\"Thao tác / Method\">", HtmlEscape(method),
                      "</td><td data-label=\"Đối tượng / Resources\">", resources.empty() ? "–" : resources,
                      "</td><td data-label=\"Kết quả / Outcome\">", HtmlEscape(record.outcome()), "</td></tr>");
    }
    absl::StrAppend(&body, "</tbody></table>");
  }
  if (!records.next_page_token().empty()) {
    std::map<std::string, std::string> next = *query;
    next["page"] = records.next_page_token();
    std::string target = "/audit?";
    for (const auto& [name, value] : next) absl::StrAppend(&target, name, "=", http::UrlEncode(value), "&amp;");
    absl::StrAppend(&body, "<nav class=\"paging\" aria-label=\"Trang / Pages\"><a href=\"", target.substr(0, target.size() - 5),
                    "\">", Both("Trang sau »", "Next page"), "</a></nav>");
  }
  return Html(200, RenderPage(session, "Nhật ký thay đổi", "Audit trail", body));
}

}  // namespace ocop::console
