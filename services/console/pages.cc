#include "services/console/pages.h"

#include "absl/strings/str_cat.h"
#include "common/http/web.h"
#include "common/ocop_mark/ocop_mark.h"
#include "services/console/html.h"
#include "services/console/record_pages.h"

namespace ocop::console {
namespace {

using http::HtmlEscape;

std::string Head(absl::string_view title) {
  return absl::StrCat(
      "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex\"><title>",
      title,
      " · OCOP</title><link rel=\"icon\" href=\"data:,\"><link rel=\"stylesheet\" href=\"/console.css\"></head><body>");
}

constexpr char kTail[] = "</main></body></html>\n";

std::string RoleName(const std::string& role) {
  if (role == "producer") return Both("Nhà sản xuất", "Producer");
  if (role == "office") return Both("Văn phòng OCOP tỉnh", "Provincial OCOP office");
  if (role == "council") return Both("Thành viên hội đồng", "Council member");
  if (role == "admin") return Both("Quản trị", "Administrator");
  return HtmlEscape(role);
}

std::string KindName(registry::v1::ProducerKind kind) {
  switch (kind) {
    case registry::v1::PRODUCER_KIND_COOPERATIVE: return Both("Hợp tác xã", "Cooperative");
    case registry::v1::PRODUCER_KIND_ENTERPRISE: return Both("Doanh nghiệp", "Enterprise");
    case registry::v1::PRODUCER_KIND_COOPERATIVE_GROUP: return Both("Tổ hợp tác", "Cooperative group");
    case registry::v1::PRODUCER_KIND_HOUSEHOLD: return Both("Hộ sản xuất", "Household");
    default: return "–";
  }
}

// The search box and the paging links of a list at `path`.
std::string SearchForm(absl::string_view path, const std::string& query) {
  return absl::StrCat("<form class=\"search\" method=\"get\" action=\"", path, "\" role=\"search\">",
                      "<label for=\"q\">", Both("Tìm (không cần dấu)", "Search (diacritics ignored)"),
                      "</label><input id=\"q\" name=\"q\" type=\"search\" value=\"", HtmlEscape(query),
                      "\"><button type=\"submit\">", Both("Tìm", "Search"), "</button></form>");
}

std::string Paging(absl::string_view path, const std::string& query, const std::string& this_page,
                   const std::string& next_page) {
  if (this_page.empty() && next_page.empty()) return "";
  std::string out = "<nav class=\"paging\" aria-label=\"Trang / Pages\">";
  const std::string q = query.empty() ? "" : absl::StrCat("q=", http::UrlEncode(query));
  if (!this_page.empty()) {
    absl::StrAppend(&out, "<a href=\"", path, q.empty() ? "" : "?", q, "\">", Both("« Trang đầu", "First page"), "</a>");
  }
  if (!next_page.empty()) {
    absl::StrAppend(&out, "<a href=\"", path, "?", q, q.empty() ? "" : "&amp;", "page=", http::UrlEncode(next_page),
                    "\">", Both("Trang sau »", "Next page"), "</a>");
  }
  return out + "</nav>";
}

}  // namespace

std::string GroupName(registry::v1::ProductGroup group) {
  const ocop_mark::GroupLabel label = ocop_mark::LabelOf(group);
  return *label.vietnamese == '\0' ? "–" : Both(label.vietnamese, label.english);
}

const std::string& Stylesheet() {
  static const std::string* css = new std::string(
      "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f7f4;"
      "color:#1d2320;line-height:1.45}"
      "header{background:#1f5e3a;color:#fff;padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem;"
      "align-items:center;justify-content:space-between}header a{color:#fff}"
      "header form{margin:0}nav.menu{background:#e4ebe4;padding:.25rem 1rem}nav.menu a{margin-right:1rem}"
      "main{max-width:72rem;margin:0 auto;padding:1rem}a{color:#0b5a8c}"
      "h1{font-size:1.3rem;margin:.25rem 0 .75rem}.en{color:#5b6660;font-size:.85em}header .en{color:#d5e6d9}"
      "button .en,header button .en{color:inherit;opacity:.8}"
      "table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:.4rem .5rem;"
      "border-bottom:1px solid #dde3dd;vertical-align:top}th{background:#eef2ee;font-size:.9rem}"
      ".stars{color:#c58a00;white-space:nowrap}.expired{background:#fbe3e1}.expiring{background:#fff1c9}"
      ".tag{display:inline-block;border-radius:.3rem;padding:0 .3rem;font-size:.8rem;font-weight:600}"
      ".expired .tag{background:#b3261e;color:#fff}.expiring .tag{background:#9a6700;color:#fff}"
      "form.login{background:#fff;max-width:24rem;margin:2rem auto;padding:1rem 1.25rem;border-radius:.75rem}"
      "label{display:block;margin:.6rem 0 .2rem;font-weight:600}input{font:inherit;padding:.45rem;width:100%;"
      "box-sizing:border-box;border:1px solid #9aa59e;border-radius:.35rem}"
      "button{font:inherit;padding:.45rem 1rem;margin-top:.75rem;border:0;border-radius:.35rem;background:#1f5e3a;"
      "color:#fff;cursor:pointer}header button{margin:0;background:#fff;color:#1f5e3a}"
      ".error{color:#b3261e;font-weight:600;margin:.3rem 0}input[aria-invalid=true]{border-color:#b3261e}"
      "form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin-bottom:.75rem}"
      "form.search label{width:100%;margin:0}form.search input{flex:1;width:auto}form.search button{margin:0}"
      ".paging{margin:.75rem 0;display:flex;gap:1rem}.message{background:#fff;padding:1rem;border-radius:.75rem}"
      "@media (max-width:40rem){table,thead,tbody,tr,th,td{display:block}thead{display:none}"
      "tr{border-bottom:2px solid #c9d3c9;padding:.25rem 0}td{border:0;padding:.15rem .5rem}"
      "td::before{content:attr(data-label);display:block;font-size:.75rem;color:#5b6660}}"
      ".card{background:#fff;border-radius:.75rem;padding:.75rem 1rem;margin:0 0 1rem}h2{font-size:1.1rem;margin:.25rem 0 .5rem}"
      "h3{font-size:1rem;margin:.5rem 0 .25rem}select,textarea{font:inherit;padding:.45rem;width:100%;box-sizing:border-box;"
      "border:1px solid #9aa59e;border-radius:.35rem;background:#fff}fieldset{border:1px solid #dde3dd;border-radius:.5rem;"
      "margin:.75rem 0 0;padding:.25rem .75rem .5rem}legend{font-size:.9rem;color:#5b6660}"
      "label.check{display:flex;gap:.5rem;align-items:center;font-weight:400}label.check input{width:auto}"
      ".pair{display:flex;gap:.75rem}.pair>.field{flex:1;min-width:0}"
      ".hint{display:block;font-size:.85rem;color:#5b6660;margin:.2rem 0}.notice{background:#dff0e3;padding:.6rem 1rem;"
      "border-radius:.5rem;font-weight:600}dl.facts,.card dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;"
      "background:#fff;padding:.75rem 1rem;border-radius:.75rem}dd{margin:0}details{margin:0 0 1rem}"
      "summary{cursor:pointer;padding:.5rem 0;font-weight:600;color:#0b5a8c}ul.links{padding-left:1.2rem}"
      "ul.links li{margin:.3rem 0}code{font-size:.9em;overflow-wrap:anywhere}"
      ".columns{display:grid;grid-template-columns:1fr 1fr;gap:1rem;align-items:start}"
      "@media (max-width:50rem){.columns{grid-template-columns:1fr}dl.facts,.card dl{grid-template-columns:1fr}"
      "dt{font-size:.8rem;color:#5b6660}}\n");
  return *css;
}

std::string RenderLoginPage(const LoginFields& form) {
  const bool failed = !form.error_vi.empty();
  return absl::StrCat(
      Head("Đăng nhập"), "<main><form class=\"login\" method=\"post\" action=\"/login\">",
      "<h1>", Both("Đăng nhập hệ thống OCOP", "Sign in to OCOP traceability"), "</h1>",
      "<input type=\"hidden\" name=\"csrf\" value=\"", HtmlEscape(form.csrf), "\">",
      "<label for=\"username\">", Both("Tên đăng nhập", "Username"), "</label>",
      "<input id=\"username\" name=\"username\" autocomplete=\"username\" autocapitalize=\"none\" required value=\"",
      HtmlEscape(form.username), "\">", "<label for=\"password\">", Both("Mật khẩu", "Password"), "</label>",
      "<input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required",
      failed ? " aria-invalid=\"true\" aria-describedby=\"login-error\"" : "", ">",
      failed ? absl::StrCat("<p class=\"error\" id=\"login-error\" role=\"alert\">", HtmlEscape(form.error_vi),
                            " <span class=\"en\" lang=\"en\">", HtmlEscape(form.error_en), "</span></p>")
             : "",
      "<button type=\"submit\">", Both("Đăng nhập", "Sign in"), "</button></form>", kTail);
}

std::string RenderPage(const Session& session, const std::string& title_vi, const std::string& title_en,
                       const std::string& body) {
  std::string menu = absl::StrCat("<nav class=\"menu\" aria-label=\"Menu\"><a href=\"/products\">",
                                  Both("Sản phẩm", "Products"), "</a>");
  if (session.user.role == "producer") {
    absl::StrAppend(&menu, "<a href=\"/areas\">", Both("Vùng trồng", "Growing areas"), "</a><a href=\"/batches\">",
                    Both("Lô hàng", "Lots"), "</a><a href=\"/scans\">", Both("Lượt quét", "Scans"), "</a>");
  }
  if (session.user.role == "office" || session.user.role == "admin") {
    absl::StrAppend(&menu, "<a href=\"/producers\">", Both("Nhà sản xuất", "Producers"), "</a><a href=\"/rounds\">",
                    Both("Đánh giá", "Evaluation"), "</a><a href=\"/reports\">", Both("Báo cáo", "Reports"),
                    "</a><a href=\"/import\">", Both("Nhập CSV", "CSV import"), "</a>");
  }
  if (session.user.role == "admin") {
    absl::StrAppend(&menu, "<a href=\"/audit\">", Both("Nhật ký thay đổi", "Audit trail"), "</a>");
  }
  if (session.user.role == "council") {
    absl::StrAppend(&menu, "<a href=\"/rounds\">", Both("Đợt đánh giá", "Rounds"), "</a>");
  }
  absl::StrAppend(&menu, "</nav>");
  return absl::StrCat(
      Head(HtmlEscape(title_vi)), "<header><div><strong>", HtmlEscape(session.user.username), "</strong> · ",
      RoleName(session.user.role), "</div><form method=\"post\" action=\"/logout\">",
      "<input type=\"hidden\" name=\"csrf\" value=\"", HtmlEscape(session.csrf), "\"><button type=\"submit\">",
      Both("Đăng xuất", "Sign out"), "</button></form></header>", menu, "<main><h1>",
      Both(HtmlEscape(title_vi), HtmlEscape(title_en)), "</h1>", body, kTail);
}

std::string RenderMessage(const Session* session, const std::string& vi, const std::string& en) {
  const std::string body =
      absl::StrCat("<p class=\"message\" role=\"alert\">", Both(HtmlEscape(vi), HtmlEscape(en)), "</p>");
  if (session != nullptr) return RenderPage(*session, "Thông báo", "Notice", body);
  return absl::StrCat(Head("Thông báo"), "<main>", body, "<p><a href=\"/login\">", Both("Đăng nhập", "Sign in"),
                      "</a></p>", kTail);
}

CertificateStanding StandingOf(const registry::v1::OcopRating& rating, absl::CivilDay today, int soon_days) {
  absl::CivilDay last_day;
  if (rating.stars() < 3 || !absl::ParseCivilTime(rating.valid_until(), &last_day)) return CertificateStanding::kNone;
  if (today > last_day) return CertificateStanding::kExpired;
  if (last_day - today <= soon_days) return CertificateStanding::kExpiringSoon;
  return CertificateStanding::kValid;
}

std::string RenderProductsBody(const ProductsView& view) {
  std::string out;
  if (view.show_search) absl::StrAppend(&out, SearchForm("/products", view.query));
  if (view.products.empty()) {
    absl::StrAppend(&out, "<p>", Both("Không có sản phẩm nào.", "No products."), "</p>");
    return out;
  }
  absl::StrAppend(&out, "<table><thead><tr><th scope=\"col\">", Both("Sản phẩm", "Product"), "</th><th scope=\"col\">",
                  Both("Nhóm", "Group"), "</th><th scope=\"col\">", Both("Hạng sao", "Stars"),
                  "</th><th scope=\"col\">", Both("Giấy chứng nhận", "Certificate"), "</th><th scope=\"col\">",
                  Both("Hiệu lực đến", "Valid until"), "</th></tr></thead><tbody>");
  for (const registry::v1::Product& product : view.products) {
    const registry::v1::OcopRating& rating = product.rating();
    const CertificateStanding standing = StandingOf(rating, view.today, view.soon_days);
    const char* row_class = standing == CertificateStanding::kExpired        ? " class=\"expired\""
                            : standing == CertificateStanding::kExpiringSoon ? " class=\"expiring\""
                                                                             : "";
    std::string validity = rating.valid_until().empty() ? "–" : HtmlEscape(rating.valid_until());
    if (standing == CertificateStanding::kExpired) {
      absl::StrAppend(&validity, " <span class=\"tag\">", Both("Đã hết hạn", "Expired"), "</span>");
    } else if (standing == CertificateStanding::kExpiringSoon) {
      absl::StrAppend(&validity, " <span class=\"tag\">", Both("Sắp hết hạn", "Expiring soon"), "</span>");
    }
    std::string stars = "–";
    if (rating.stars() > 0) {
      stars = absl::StrCat("<span class=\"stars\" aria-label=\"", rating.stars(), " sao / stars\">");
      for (int i = 0; i < rating.stars(); ++i) stars += "★";
      stars += "</span>";
    }
    absl::StrAppend(&out, "<tr", row_class, "><td data-label=\"Sản phẩm / Product\"><a href=\"/",
                    HtmlEscape(product.name()), "\">", HtmlEscape(product.display_name()), "</a>", "</td><td data-label=\"Nhóm / Group\">",
                    GroupName(product.group()), "</td><td data-label=\"Hạng sao / Stars\">", stars,
                    "</td><td data-label=\"Giấy chứng nhận / Certificate\">",
                    rating.certificate_number().empty() ? "–" : HtmlEscape(rating.certificate_number()),
                    "</td><td data-label=\"Hiệu lực đến / Valid until\">", validity, "</td></tr>");
  }
  absl::StrAppend(&out, "</tbody></table>", Paging("/products", view.query, view.this_page_token, view.next_page_token));
  return out;
}

std::string RenderProducersBody(const ProducersView& view) {
  std::string out = SearchForm("/producers", view.query);
  absl::StrAppend(&out, "<details", view.new_form.failed() ? " open" : "", "><summary>",
                  Both("Thêm chủ thể", "Add a producer"), "</summary>",
                  ProducerForm("new-producer", "/producers", view.csrf, view.new_form, nullptr), "</details>");
  if (view.producers.empty()) {
    absl::StrAppend(&out, "<p>", Both("Không có nhà sản xuất nào.", "No producers."), "</p>");
    return out;
  }
  absl::StrAppend(&out, "<table><thead><tr><th scope=\"col\">", Both("Tên", "Name"), "</th><th scope=\"col\">",
                  Both("Loại hình", "Kind"), "</th><th scope=\"col\">", Both("Xã, phường", "Commune"),
                  "</th></tr></thead><tbody>");
  for (const registry::v1::Producer& producer : view.producers) {
    const std::string& commune = producer.address().current_commune_name().empty()
                                     ? producer.address().commune_name()
                                     : producer.address().current_commune_name();
    absl::StrAppend(&out, "<tr><td data-label=\"Tên / Name\"><a href=\"/", HtmlEscape(producer.name()), "\">",
                    HtmlEscape(producer.display_name()), "</a>",
                    "</td><td data-label=\"Loại hình / Kind\">", KindName(producer.kind()),
                    "</td><td data-label=\"Xã, phường / Commune\">", commune.empty() ? "–" : HtmlEscape(commune),
                    "</td></tr>");
  }
  absl::StrAppend(&out, "</tbody></table>",
                  Paging("/producers", view.query, view.this_page_token, view.next_page_token));
  return out;
}

}  // namespace ocop::console
