#include "services/console/office_pages.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/http/web.h"
#include "services/console/lot_pages.h"
#include "services/console/pages.h"

namespace ocop::console {
namespace {

using http::HtmlEscape;

std::string LevelName(registry::v1::CouncilLevel level) {
  switch (level) {
    case registry::v1::COUNCIL_LEVEL_DISTRICT: return Both("Cấp huyện", "District");
    case registry::v1::COUNCIL_LEVEL_PROVINCE: return Both("Cấp tỉnh", "Province");
    case registry::v1::COUNCIL_LEVEL_CENTRAL: return Both("Trung ương", "Central");
    default: return "–";
  }
}

std::string DossierStateName(registry::v1::DossierState state) {
  switch (state) {
    case registry::v1::DOSSIER_STATE_DRAFT: return Both("Nháp", "Draft");
    case registry::v1::DOSSIER_STATE_SUBMITTED: return Both("Đã nộp, chờ tiếp nhận", "Submitted");
    case registry::v1::DOSSIER_STATE_ACCEPTED: return Both("Đã tiếp nhận, đang chấm", "Accepted, being scored");
    case registry::v1::DOSSIER_STATE_RETURNED: return Both("Trả lại", "Returned");
    case registry::v1::DOSSIER_STATE_EVALUATED: return Both("Đã chấm xong", "Scored");
    case registry::v1::DOSSIER_STATE_RATED: return Both("Đã công nhận", "Rated");
    default: return "–";
  }
}

// A target as the plan states it: "150", "≈ 150" (about), "30–40" (a range) or "≤ 5" (at most).
std::string GoalText(const registry::v1::PlanTarget& target) {
  switch (target.bound()) {
    case registry::v1::TARGET_BOUND_ABOUT: return absl::StrFormat("≈ %g", target.target());
    case registry::v1::TARGET_BOUND_RANGE: return absl::StrFormat("%g–%g", target.target(), target.target_max());
    case registry::v1::TARGET_BOUND_AT_MOST: return absl::StrFormat("≤ %g", target.target());
    default: return absl::StrFormat("%g", target.target());
  }
}

std::string Metric(registry::v1::PlanMetric metric) {
  switch (metric) {
    case registry::v1::PLAN_METRIC_NEW_CERTIFIED_PRODUCTS:
      return Both("Sản phẩm mới đạt 3 sao trở lên", "Newly certified products");
    case registry::v1::PLAN_METRIC_NEW_FIVE_STAR_PRODUCTS: return Both("Sản phẩm mới đạt 5 sao", "New 5-star products");
    case registry::v1::PLAN_METRIC_CERTIFIED_PRODUCTS: return Both("Sản phẩm OCOP còn hiệu lực", "Certified products");
    case registry::v1::PLAN_METRIC_COOPERATIVE_PRODUCER_SHARE: return Both("Tỷ lệ chủ thể là HTX (%)", "Cooperatives (%)");
    case registry::v1::PLAN_METRIC_ENTERPRISE_PRODUCER_SHARE: return Both("Tỷ lệ doanh nghiệp (%)", "Enterprises (%)");
    case registry::v1::PLAN_METRIC_WOMEN_LED_PRODUCER_SHARE: return Both("Tỷ lệ do phụ nữ làm chủ (%)", "Women-led (%)");
    case registry::v1::PLAN_METRIC_ETHNIC_MINORITY_PRODUCER_SHARE:
      return Both("Tỷ lệ người dân tộc thiểu số làm chủ (%)", "Ethnic-minority-led (%)");
    case registry::v1::PLAN_METRIC_MODERN_CHANNEL_PRODUCER_SHARE:
      return Both("Tỷ lệ bán qua kênh hiện đại (%)", "Selling on modern channels (%)");
    case registry::v1::PLAN_METRIC_FIVE_STAR_PRODUCTS:
      return Both("Sản phẩm 5 sao còn hiệu lực", "5-star products (stock)");
    case registry::v1::PLAN_METRIC_FIVE_STAR_KEPT_SHARE:
      return Both("Tỷ lệ sản phẩm 5 sao được duy trì (%)", "5-star products kept (%)");
    case registry::v1::PLAN_METRIC_CONSOLIDATED_OR_UPGRADED_SHARE:
      return Both("Tỷ lệ sản phẩm được củng cố, nâng hạng (%)", "Consolidated or upgraded (%)");
    case registry::v1::PLAN_METRIC_NEW_OCOP_PRODUCERS: return Both("Chủ thể OCOP mới", "New OCOP producers");
    case registry::v1::PLAN_METRIC_GREEN_VALUE_CHAIN_PRODUCER_SHARE:
      return Both("Tỷ lệ có chuỗi giá trị xanh, tuần hoàn (%)", "Green or circular value chains (%)");
    case registry::v1::PLAN_METRIC_TRAINED_WORKER_SHARE:
      return Both("Tỷ lệ lao động được đào tạo (%)", "Trained workers (%)");
    case registry::v1::PLAN_METRIC_PROVINCE_SALES_POINTS_OPENED_OR_UPGRADED:
      return Both("Trung tâm, điểm bán OCOP cấp tỉnh mở mới hoặc nâng cấp", "Province OCOP showrooms opened or upgraded");
    case registry::v1::PLAN_METRIC_SALES_POINTS_OPENED:
      return Both("Điểm giới thiệu, bán sản phẩm OCOP mở mới", "OCOP sales points opened");
    default: return "–";
  }
}

}  // namespace

std::string Stars(int stars) {
  if (stars <= 0) return "–";
  std::string out = absl::StrCat("<span class=\"stars\" aria-label=\"", stars, " sao / stars\">");
  for (int i = 0; i < stars; ++i) out += "★";
  return out + "</span>";
}

// The form that opens a round.
std::string NewRoundForm(const RoundsView& view) {
  const FormState& form = view.new_form;
  std::vector<std::pair<std::string, std::string>> sets;
  for (const registry::v1::CriteriaSet& set : view.criteria_sets) {
    sets.emplace_back(set.name(), HtmlEscape(set.display_name()));
  }
  return absl::StrCat(
      "<details", form.failed() ? " open" : "", "><summary>", Both("Mở đợt đánh giá mới", "Open a new round"),
      "</summary>", FormStart("new-round", "/rounds", view.csrf, form, "Đợt đánh giá mới", "New round"),
      Input(form, "new-round", InputSpec("display_name", "Tên đợt", "Name").Required().Attributes("maxlength=\"300\"")),
      "<div class=\"pair\">",
      Input(form, "new-round",
            InputSpec("year", "Năm", "Year").Type("number").Required().Attributes("min=\"2018\" max=\"2100\""),
            absl::StrCat(view.year)),
      Select(form, "new-round", "council_level", "Cấp hội đồng", "Council level",
             {{"2", LevelName(registry::v1::COUNCIL_LEVEL_PROVINCE)},
              {"3", LevelName(registry::v1::COUNCIL_LEVEL_CENTRAL)}}),
      "</div>", Select(form, "new-round", "criteria_set", "Bộ tiêu chí", "Criteria", sets),
      Input(form, "new-round",
            InputSpec("council_members", "Thành viên hội đồng", "Council members")
                .Type("textarea")
                .Required()
                .Hint(Both("Mỗi dòng một mã người dùng (users/…), do quản trị cấp.",
                           "One user id (users/…) per line, as the administrator issued them."))),
      Input(form, "new-round",
            InputSpec("certificate_prefix", "Tiền tố số giấy chứng nhận", "Certificate number prefix")
                .Required()
                .Attributes("maxlength=\"50\" placeholder=\"TN-OCOP-2026-\"")),
      FormEnd("Mở đợt", "Open the round"), "</details>");
}

std::string RenderRoundsBody(const RoundsView& view) {
  const std::string form = view.office ? NewRoundForm(view) : "";
  if (view.rounds.empty()) {
    return absl::StrCat("<p>", Both("Không có đợt đánh giá nào.", "No evaluation rounds."), "</p>", form);
  }
  std::string out = absl::StrCat(form, "<table><thead><tr><th scope=\"col\">", Both("Đợt đánh giá", "Round"),
                                 "</th><th scope=\"col\">", Both("Năm", "Year"), "</th><th scope=\"col\">",
                                 Both("Cấp", "Level"), "</th><th scope=\"col\">", Both("Trạng thái", "State"),
                                 "</th></tr></thead><tbody>");
  for (const registry::v1::EvaluationRound& round : view.rounds) {
    const bool closed = round.state() == registry::v1::ROUND_STATE_CLOSED;
    absl::StrAppend(&out, "<tr><td data-label=\"Đợt / Round\"><a href=\"/", HtmlEscape(round.name()), "\">",
                    HtmlEscape(round.display_name()), "</a></td><td data-label=\"Năm / Year\">", round.year(),
                    "</td><td data-label=\"Cấp / Level\">", LevelName(round.council_level()),
                    "</td><td data-label=\"Trạng thái / State\">",
                    closed ? absl::StrCat(Both("Đã kết thúc", "Closed"), " · ", HtmlEscape(round.decision_number()))
                           : Both("Đang mở", "Open"),
                    "</td></tr>");
  }
  absl::StrAppend(&out, "</tbody></table>");
  if (!view.next_page_token.empty() || !view.this_page_token.empty()) {
    absl::StrAppend(&out, "<nav class=\"paging\" aria-label=\"Trang / Pages\">");
    if (!view.this_page_token.empty()) absl::StrAppend(&out, "<a href=\"/rounds\">", Both("« Trang đầu", "First page"), "</a>");
    if (!view.next_page_token.empty()) {
      absl::StrAppend(&out, "<a href=\"/rounds?page=", http::UrlEncode(view.next_page_token), "\">",
                      Both("Trang sau »", "Next page"), "</a>");
    }
    absl::StrAppend(&out, "</nav>");
  }
  return out;
}

std::string RenderRoundBody(const RoundView& view) {
  const registry::v1::EvaluationRound& round = view.round;
  const bool open = round.state() == registry::v1::ROUND_STATE_OPEN;
  std::string out = NoticeOf(view.notice);
  absl::StrAppend(&out, "<dl class=\"facts\"><dt>", Both("Cấp", "Level"), "</dt><dd>", LevelName(round.council_level()),
                  "</dd><dt>", Both("Năm", "Year"), "</dt><dd>", round.year(), "</dd><dt>",
                  Both("Bộ tiêu chí", "Criteria"), "</dt><dd>", HtmlEscape(view.criteria.display_name()),
                  "</dd><dt>", Both("Thành viên hội đồng", "Council members"), "</dt><dd>",
                  round.council_members_size(), "</dd><dt>", Both("Trạng thái", "State"), "</dt><dd>",
                  open ? Both("Đang mở", "Open")
                       : absl::StrCat(Both("Đã kết thúc", "Closed"), " · ", HtmlEscape(round.decision_number()), " (",
                                      HtmlEscape(round.decision_date()), ")"),
                  "</dd></dl>");

  // Dossiers as they arrive.
  absl::StrAppend(&out, "<h2>", Both("Hồ sơ", "Dossiers"), "</h2>");
  // Which dossier's score sheet this page shows a council member: the one asked for, else the
  // first accepted one the member has not scored.
  auto member_scored = [&](const std::string& dossier) {
    for (const registry::v1::RoundResult::Row& row : view.result.rows()) {
      if (row.dossier() != dossier) continue;
      for (int i = 0; i < round.council_members_size() && i < row.member_totals_size(); ++i) {
        if (round.council_members(i) == view.member && row.member_totals(i) > 0) return true;
      }
    }
    return false;
  };
  std::string sheet_shown = view.sheet_for;
  if (!view.member.empty() && sheet_shown.empty()) {
    for (const registry::v1::Dossier& dossier : view.dossiers) {
      if (dossier.state() == registry::v1::DOSSIER_STATE_ACCEPTED && !member_scored(dossier.name())) {
        sheet_shown = dossier.name();
        break;
      }
    }
  }
  if (view.dossiers.empty()) absl::StrAppend(&out, "<p>", Both("Chưa có hồ sơ nào.", "No dossiers yet."), "</p>");
  const size_t first = std::min(view.first_dossier, view.dossiers.size());
  const size_t end = std::min(first + kDossiersPerPage, view.dossiers.size());
  // Every form on the page brings the person back to this page of dossiers.
  const std::string from = absl::StrCat("<input type=\"hidden\" name=\"from\" value=\"", first, "\">");
  for (size_t index = first; index < end; ++index) {
    const registry::v1::Dossier& dossier = view.dossiers[index];
    auto name = view.product_names.find(dossier.product());
    const std::string id = dossier.name().substr(dossier.name().rfind('/') + 1);
    absl::StrAppend(&out, "<section class=\"card\" id=\"dossier-", HtmlEscape(id), "\"><h3>",
                    HtmlEscape(name == view.product_names.end() ? dossier.product() : name->second), "</h3><p>",
                    DossierStateName(dossier.state()), " · ", Both("Tự chấm", "Self-assessed"), ": ",
                    dossier.self_assessed_score(), "</p>");
    if (!dossier.documents().empty()) {
      absl::StrAppend(&out, "<ul class=\"links\">");
      for (const registry::v1::DossierDocument& document : dossier.documents()) {
        absl::StrAppend(&out, "<li>", HtmlEscape(document.title().empty() ? document.uri() : document.title()),
                        " · <code>", HtmlEscape(document.uri()), "</code></li>");
      }
      absl::StrAppend(&out, "</ul>");
    }
    const bool refused_here = view.refused_dossier == dossier.name();
    if (view.office && dossier.state() == registry::v1::DOSSIER_STATE_SUBMITTED) {
      FormState fresh;
      const FormState& returned = refused_here && view.refused_form == "return" ? view.refused : fresh;
      const std::string base = "/" + dossier.name();
      absl::StrAppend(&out, "<div class=\"columns\"><div>",
                      FormStart("accept-" + id, base + "/accept", view.csrf, fresh, "Tiếp nhận", "Accept"), from,
                      "<p class=\"hint\">",
                      Both("Hồ sơ đủ điều kiện: chuyển hội đồng chấm điểm.", "Complete: on to the council."),
                      "</p>", FormEnd("Tiếp nhận", "Accept"), "</div><div>",
                      FormStart("return-" + id, base + "/return", view.csrf, returned, "Trả lại", "Return"), from,
                      Input(returned, "return-" + id,
                            InputSpec("reason", "Lý do (nhà sản xuất sẽ thấy)", "Reason (the producer sees it)")
                                .Type("textarea")
                                .Required()
                                .Attributes("maxlength=\"500\"")),
                      FormEnd("Trả lại", "Return"), "</div></div>");
    }
    // A council member's score sheet, while the dossier waits for it.
    if (!view.member.empty() && (dossier.state() == registry::v1::DOSSIER_STATE_ACCEPTED ||
                                 dossier.state() == registry::v1::DOSSIER_STATE_EVALUATED)) {
      if (member_scored(dossier.name())) {
        absl::StrAppend(&out, "<p class=\"notice\">", Both("Bạn đã chấm hồ sơ này.", "You have scored this dossier."),
                        "</p>");
      } else if (dossier.state() == registry::v1::DOSSIER_STATE_ACCEPTED && dossier.name() != sheet_shown) {
        absl::StrAppend(&out, "<p><a href=\"/", HtmlEscape(round.name()), "?from=", first, "&amp;dossier=", HtmlEscape(id), "#dossier-",
                        HtmlEscape(id), "\">", Both("Chấm điểm hồ sơ này", "Score this dossier"), "</a></p>");
      } else if (dossier.state() == registry::v1::DOSSIER_STATE_ACCEPTED) {
        FormState fresh;
        const FormState& sheet = refused_here && view.refused_form == "score" ? view.refused : fresh;
        const std::string form_id = "score-" + id;
        absl::StrAppend(&out, FormStart(form_id, "/" + dossier.name() + "/score", view.csrf, sheet, "Phiếu chấm điểm",
                                        "Score sheet"),
                        from);
        for (const registry::v1::CriteriaPart& part : view.criteria.parts()) {
          absl::StrAppend(&out, "<fieldset><legend>", HtmlEscape(part.id()), ". ", HtmlEscape(part.title()), " (",
                          Both("tối đa", "at most"), " ", part.max_points(), ")</legend>");
          for (const registry::v1::Criterion& criterion : part.criteria()) {
            absl::StrAppend(&out, Input(sheet, form_id,
                                        InputSpec("c_" + criterion.id(), absl::StrCat(criterion.id(), ". ",
                                                                                      HtmlEscape(criterion.title())),
                                                  absl::StrCat("0–", criterion.max_points()))
                                            .Type("number")
                                            .Required()
                                            .Attributes(absl::StrCat("min=\"0\" max=\"", criterion.max_points(),
                                                                     "\" step=\"1\" inputmode=\"numeric\""))));
          }
          absl::StrAppend(&out, "</fieldset>");
        }
        absl::StrAppend(&out, FormEnd("Gửi phiếu chấm", "Submit the sheet"));
      }
    }
    absl::StrAppend(&out, "</section>");
  }
  if (first > 0 || end < view.dossiers.size()) {
    absl::StrAppend(&out, "<nav class=\"paging\" aria-label=\"Trang / Pages\"><span>", first + 1, "–", end, " / ",
                    view.dossiers.size(), "</span>");
    if (first > 0) {
      absl::StrAppend(&out, "<a href=\"/", HtmlEscape(round.name()), "?from=", first - std::min(first, kDossiersPerPage),
                      "\">", Both("« Trang trước", "Previous page"), "</a>");
    }
    if (end < view.dossiers.size()) {
      absl::StrAppend(&out, "<a href=\"/", HtmlEscape(round.name()), "?from=", end, "\">",
                      Both("Trang sau »", "Next page"), "</a>");
    }
    absl::StrAppend(&out, "</nav>");
  }

  // Results so far, and the certificates once closed.
  if (!view.result.rows().empty()) {
    absl::StrAppend(&out, "<h2>", Both("Kết quả", "Results"), "</h2><table><thead><tr><th scope=\"col\">",
                    Both("Sản phẩm", "Product"), "</th><th scope=\"col\">", Both("Chủ thể", "Producer"),
                    "</th><th scope=\"col\">", Both("Số phiếu", "Sheets"), "</th><th scope=\"col\">",
                    Both("Điểm", "Score"), "</th><th scope=\"col\">", Both("Hạng sao", "Stars"),
                    "</th><th scope=\"col\">", Both("Giấy chứng nhận", "Certificate"), "</th></tr></thead><tbody>");
    for (const registry::v1::RoundResult::Row& row : view.result.rows()) {
      absl::StrAppend(&out, "<tr><td data-label=\"Sản phẩm / Product\">", HtmlEscape(row.product_display_name()),
                      "</td><td data-label=\"Chủ thể / Producer\">", HtmlEscape(row.producer_display_name()),
                      "</td><td data-label=\"Số phiếu / Sheets\">", row.sheets(), "/", round.council_members_size(),
                      "</td><td data-label=\"Điểm / Score\">",
                      row.sheets() > 0 ? absl::StrFormat("%d (%.2f)", row.score(), row.average()) : "–",
                      "</td><td data-label=\"Hạng sao / Stars\">", Stars(row.stars()),
                      "</td><td data-label=\"Giấy chứng nhận / Certificate\">",
                      row.certificate_number().empty() ? "–"
                      : !view.office                   ? HtmlEscape(row.certificate_number())
                          : absl::StrCat("<a href=\"/", HtmlEscape(round.name()), "/certificates/",
                                         HtmlEscape(row.dossier().substr(row.dossier().rfind('/') + 1)), "\">",
                                         HtmlEscape(row.certificate_number()), " (PDF)</a>"),
                      "</td></tr>");
    }
    absl::StrAppend(&out, "</tbody></table>");
    if (!open && view.office) {
      absl::StrAppend(&out, "<p><a href=\"/", HtmlEscape(round.name()), "/certificates\">",
                      Both("Danh sách sản phẩm được công nhận (CSV)", "Certified products (CSV)"), "</a></p>");
    }
  }
  if (view.office && open) {
    FormState fresh;
    const FormState& close = view.refused_form == "close" ? view.refused : fresh;
    absl::StrAppend(
        &out, FormStart("close", "/" + round.name() + "/close", view.csrf, close, "Kết thúc đợt, cấp giấy chứng nhận",
                        "Close the round and issue certificates"),
        "<p class=\"hint\">",
        Both("Ghi hạng sao cho mọi hồ sơ đã chấm xong; giấy chứng nhận có hiệu lực 36 tháng từ ngày quyết định.",
             "Rates every scored dossier; certificates run 36 months from the decision date."),
        "</p>",
        Input(close, "close", InputSpec("decision_number", "Số quyết định", "Decision number")
                                  .Required()
                                  .Attributes("maxlength=\"100\" placeholder=\"123/QĐ-UBND\"")),
        Input(close, "close", InputSpec("decision_date", "Ngày quyết định", "Decision date").Type("date").Required(),
              view.today),
        FormEnd("Kết thúc đợt", "Close the round"));
  }
  return out;
}

namespace {

// A re-evaluation of `certificate` in one of the open rounds: the dossier renews it.
std::string RenewalForm(const ReportsView& view, const registry::v1::ExpiringCertificate& certificate) {
  if (view.open_rounds.empty()) return Both("Chưa có đợt đánh giá nào đang mở", "No open round yet");
  const registry::v1::Product& product = certificate.product();
  std::string out = absl::StrCat(
      "<form class=\"inline\" method=\"post\" action=\"/renewals\"><input type=\"hidden\" name=\"csrf\" value=\"",
      HtmlEscape(view.csrf), "\"><input type=\"hidden\" name=\"request_id\" value=\"",
      HtmlEscape(absl::StrCat(view.renewal_request_id, "-", product.name().substr(9))),
      "\"><input type=\"hidden\" name=\"product\" value=\"", HtmlEscape(product.name()),
      "\"><input type=\"hidden\" name=\"renews\" value=\"", HtmlEscape(product.rating().name()),
      "\"><select name=\"round\" aria-label=\"Đợt đánh giá / Round\">");
  for (const registry::v1::EvaluationRound& round : view.open_rounds) {
    absl::StrAppend(&out, "<option value=\"", HtmlEscape(round.name()), "\">", HtmlEscape(round.display_name()),
                    "</option>");
  }
  absl::StrAppend(&out, "</select> <button type=\"submit\">", Both("Lập hồ sơ", "Open a dossier"),
                  "</button></form>");
  return out;
}

}  // namespace

std::string RenderReportsBody(const ReportsView& view) {
  const bool failed = !view.error_vi.empty();
  std::string out = absl::StrCat(
      "<form class=\"search\" method=\"get\" action=\"/reports\"><div class=\"field\"><label for=\"as_of\">",
      Both("Số liệu tính đến ngày", "As of"), "</label><input id=\"as_of\" name=\"as_of\" type=\"date\" value=\"",
      HtmlEscape(view.as_of), "\"", failed ? " aria-invalid=\"true\" aria-describedby=\"reports-error\"" : "",
      "></div><div class=\"field\"><label for=\"plan\">", Both("Kế hoạch (mã)", "Plan (its name)"),
      "</label><input id=\"plan\" name=\"plan\" placeholder=\"plans/thai-nguyen-2021-2025\" value=\"",
      HtmlEscape(view.plan), "\"></div><button type=\"submit\">", Both("Xem", "Show"), "</button></form>");
  if (failed) {
    absl::StrAppend(&out, "<p class=\"error\" id=\"reports-error\" role=\"alert\">", HtmlEscape(view.error_vi),
                    " <span class=\"en\" lang=\"en\">", HtmlEscape(view.error_en), "</span></p>");
    return out;
  }
  absl::StrAppend(&out, "<p><strong>", view.by_stars.total(), "</strong> ",
                  Both("sản phẩm OCOP còn hiệu lực", "certified products valid"), " · ", HtmlEscape(view.as_of),
                  "</p>");
  std::vector<Bar> stars;
  for (int count = 3; count <= 5; ++count) {
    int64_t products = 0;
    for (const auto& row : view.by_stars.rows()) {
      if (row.stars() == count) products = row.products();
    }
    stars.push_back(Bar{absl::StrCat(count, " sao / stars"), products, 0});
  }
  absl::StrAppend(&out, "<div class=\"columns\"><div><h2>", Both("Theo hạng sao", "By stars"), "</h2>",
                  BarChart(stars, "Sản phẩm OCOP theo hạng sao", "Certified products by stars", "Sản phẩm", "Products"),
                  "</div><div><h2>", Both("Theo nhóm sản phẩm", "By product group"), "</h2>");
  std::vector<Bar> groups;
  for (const auto& row : view.by_group.rows()) {
    // The chart's labels are plain text: the Vietnamese name only.
    std::string label = GroupName(row.product_group());
    label = label.substr(0, label.find(" <span"));
    groups.push_back(Bar{label, row.products(), 0});
  }
  absl::StrAppend(&out, BarChart(groups, "Sản phẩm OCOP theo nhóm", "Certified products by group", "Sản phẩm",
                                 "Products"),
                  "</div></div><h2>", Both("Theo xã, phường", "By commune"), "</h2>");
  if (view.by_commune.rows().empty()) {
    absl::StrAppend(&out, "<p>", Both("Chưa có sản phẩm nào.", "None."), "</p>");
  } else {
    int64_t most = 1;
    for (const auto& row : view.by_commune.rows()) most = std::max(most, row.products());
    absl::StrAppend(&out, "<table><thead><tr><th scope=\"col\">", Both("Xã, phường", "Commune"),
                    "</th><th scope=\"col\">", Both("Sản phẩm", "Products"), "</th></tr></thead><tbody>");
    for (const auto& row : view.by_commune.rows()) {
      absl::StrAppend(&out, "<tr><td data-label=\"Xã, phường / Commune\">",
                      HtmlEscape(row.commune_name().empty() ? row.commune_code() : row.commune_name()),
                      "</td><td data-label=\"Sản phẩm / Products\">", row.products(),
                      absl::StrFormat(" <svg width=\"120\" height=\"10\" aria-hidden=\"true\"><rect width=\"%d\" "
                                      "height=\"10\" fill=\"#1f5e3a\"/></svg>",
                                      static_cast<int>(120 * row.products() / most)),
                      "</td></tr>");
    }
    absl::StrAppend(&out, "</tbody></table>");
  }

  if (!view.plan.empty()) {
    absl::StrAppend(&out, "<h2>", Both("Tiến độ kế hoạch", "Plan progress"), "</h2>");
    if (!view.plan_found) {
      absl::StrAppend(&out, "<p>", Both("Không tìm thấy kế hoạch này.", "No such plan."), "</p>");
    } else {
      absl::StrAppend(&out, "<p>", HtmlEscape(view.progress.plan().display_name()), " (",
                      HtmlEscape(view.progress.plan().period_start()), " – ",
                      HtmlEscape(view.progress.plan().period_end()), ")</p><table><thead><tr><th scope=\"col\">",
                      Both("Chỉ tiêu", "Target"), "</th><th scope=\"col\">", Both("Mục tiêu", "Goal"),
                      "</th><th scope=\"col\">", Both("Đạt", "Reached"), "</th><th scope=\"col\">",
                      Both("Tiến độ", "Progress"), "</th></tr></thead><tbody>");
      for (const registry::v1::PlanProgress::Target& target : view.progress.targets()) {
        const double goal = target.target().target();
        const int percent = goal <= 0 ? 100 : static_cast<int>(std::min(100.0, 100.0 * target.value() / goal));
        absl::StrAppend(&out, "<tr", target.met() ? "" : " class=\"expiring\"", "><td data-label=\"Chỉ tiêu / Target\">",
                        Metric(target.target().metric()), "</td><td data-label=\"Mục tiêu / Goal\">",
                        GoalText(target.target()), "</td><td data-label=\"Đạt / Reached\">",
                        absl::StrFormat("%g", target.value()), "</td><td data-label=\"Tiến độ / Progress\">",
                        absl::StrFormat("<svg width=\"120\" height=\"10\" role=\"img\" aria-label=\"%d%%\"><rect "
                                        "width=\"120\" height=\"10\" fill=\"#dde3dd\"/><rect width=\"%d\" height=\"10\" "
                                        "fill=\"%s\"/></svg> %d%%",
                                        percent, 120 * percent / 100, target.met() ? "#1f5e3a" : "#9a6700", percent,
                                        percent),
                        "</td></tr>");
      }
      absl::StrAppend(&out, "</tbody></table>");
    }
  }

  absl::StrAppend(&out, "<h2>", Both("Giấy chứng nhận sắp hết hạn", "Certificates expiring"), "</h2><p class=\"hint\">",
                  Both(absl::StrCat("Trong ", view.expiring_within_days, " ngày tới"),
                       absl::StrCat("Within ", view.expiring_within_days, " days")),
                  "</p>");
  if (view.expiring.empty()) {
    absl::StrAppend(&out, "<p>", Both("Không có.", "None."), "</p>");
  } else {
    absl::StrAppend(&out, "<table><thead><tr><th scope=\"col\">", Both("Sản phẩm", "Product"),
                    "</th><th scope=\"col\">", Both("Chủ thể", "Producer"), "</th><th scope=\"col\">",
                    Both("Hiệu lực đến", "Valid until"), "</th><th scope=\"col\">", Both("Còn (ngày)", "Days left"),
                    "</th><th scope=\"col\">", Both("Đánh giá lại", "Re-evaluate"), "</th></tr></thead><tbody>");
    for (const registry::v1::ExpiringCertificate& certificate : view.expiring) {
      absl::StrAppend(&out, "<tr class=\"expiring\"><td data-label=\"Sản phẩm / Product\">",
                      HtmlEscape(certificate.product().display_name()), " ",
                      Stars(certificate.product().rating().stars()), "</td><td data-label=\"Chủ thể / Producer\">",
                      HtmlEscape(certificate.producer_display_name()), "</td><td data-label=\"Hiệu lực đến / Valid until\">",
                      HtmlEscape(certificate.product().rating().valid_until()),
                      "</td><td data-label=\"Còn / Days left\">", certificate.days_left(),
                      "</td><td data-label=\"Đánh giá lại / Re-evaluate\">", RenewalForm(view, certificate), "</td></tr>");
    }
    absl::StrAppend(&out, "</tbody></table>");
  }
  if (!view.scans_per_day.empty()) {
    absl::StrAppend(&out, "<h2>", Both("Lượt quét tem trong tỉnh", "Scans across the province"), "</h2>",
                    BarChart(view.scans_per_day, "Lượt quét mỗi ngày, 30 ngày đến ngày báo cáo (đỏ: nghi tem sao chép)",
                             "Scans per day, 30 days to the report's day (red: possible copies)", "Lượt quét",
                             "Scans"));
  }
  return out;
}

std::string RenderImportBody(const ImportView& view) {
  std::string out;
  if (view.sent && view.file_errors.empty() && view.result.errors().empty()) {
    const registry::v1::ImportRecordsResponse& result = view.result;
    out += NoticeOf(result.applied() ? "Đã nhập dữ liệu.|The files are imported."
                                   : "Tệp hợp lệ; chưa ghi gì (chỉ kiểm tra).|The files are valid; nothing was written (check only).");
    absl::StrAppend(&out, "<table><thead><tr><th scope=\"col\"></th><th scope=\"col\">", Both("Tạo mới", "Created"),
                    "</th><th scope=\"col\">", Both("Cập nhật", "Updated"), "</th><th scope=\"col\">",
                    Both("Không đổi", "Unchanged"), "</th></tr></thead><tbody><tr><th scope=\"row\">",
                    Both("Chủ thể", "Producers"), "</th><td data-label=\"Tạo mới / Created\">",
                    result.producers_created(), "</td><td data-label=\"Cập nhật / Updated\">",
                    result.producers_updated(), "</td><td data-label=\"Không đổi / Unchanged\">",
                    result.producers_unchanged(), "</td></tr><tr><th scope=\"row\">", Both("Sản phẩm", "Products"),
                    "</th><td data-label=\"Tạo mới / Created\">", result.products_created(),
                    "</td><td data-label=\"Cập nhật / Updated\">", result.products_updated(),
                    "</td><td data-label=\"Không đổi / Unchanged\">", result.products_unchanged(),
                    "</td></tr><tr><th scope=\"row\">", Both("Xếp hạng", "Ratings"),
                    "</th><td data-label=\"Tạo mới / Created\">", result.ratings_added(),
                    "</td><td data-label=\"Cập nhật / Updated\">–</td><td data-label=\"Không đổi / Unchanged\">",
                    result.ratings_unchanged(), "</td></tr></tbody></table>");
  }
  if (!view.file_errors.empty() || !view.result.errors().empty()) {
    const size_t count = view.file_errors.size() + static_cast<size_t>(view.result.errors_size());
    absl::StrAppend(&out, "<div class=\"card\" role=\"alert\"><h2>",
                    Both(absl::StrCat(count, " dòng có lỗi; chưa ghi gì"),
                         absl::StrCat(count, " bad rows; nothing was written")),
                    "</h2><table><thead><tr><th scope=\"col\">", Both("Tệp", "File"), "</th><th scope=\"col\">",
                    Both("Dòng", "Line"), "</th><th scope=\"col\">", Both("Lỗi", "Error"),
                    "</th></tr></thead><tbody>");
    for (const std::string& error : view.file_errors) {
      // "producers.csv:4: kind: ..." -> file, line, reason.
      const size_t first = error.find(':');
      const size_t second = first == std::string::npos ? std::string::npos : error.find(':', first + 1);
      const bool split = second != std::string::npos;
      absl::StrAppend(&out, "<tr class=\"expired\"><td data-label=\"Tệp / File\">",
                      HtmlEscape(split ? error.substr(0, first) : ""), "</td><td data-label=\"Dòng / Line\">",
                      HtmlEscape(split ? error.substr(first + 1, second - first - 1) : ""),
                      "</td><td data-label=\"Lỗi / Error\">",
                      HtmlEscape(split ? std::string(absl::StripLeadingAsciiWhitespace(error.substr(second + 1))) : error),
                      "</td></tr>");
    }
    for (const registry::v1::ImportError& error : view.result.errors()) {
      absl::StrAppend(&out, "<tr class=\"expired\"><td data-label=\"Tệp / File\">", HtmlEscape(error.file()),
                      ".csv</td><td data-label=\"Dòng / Line\">", error.line(),
                      "</td><td data-label=\"Lỗi / Error\">", HtmlEscape(error.message()), "</td></tr>");
    }
    absl::StrAppend(&out, "</tbody></table></div>");
  }
  absl::StrAppend(
      &out, "<form class=\"card\" id=\"import\" method=\"post\" action=\"/import\" enctype=\"multipart/form-data\">",
      "<input type=\"hidden\" name=\"csrf\" value=\"", HtmlEscape(view.csrf), "\">", "<p class=\"hint\">",
      Both("Tệp CSV (UTF-8) như mẫu trong docs/registry.md: mỗi dòng một chủ thể hoặc một sản phẩm. "
           "Nếu có dòng lỗi, không dòng nào được ghi.",
           "CSV files (UTF-8) as docs/registry.md describes: one producer or product per line. "
           "If any row is bad, none is written."),
      "</p>",
      view.error.empty() ? "" : absl::StrCat("<p class=\"error\" role=\"alert\">", HtmlEscape(view.error), "</p>"),
      "<div class=\"field\"><label for=\"import-producers\">", Both("Tệp chủ thể", "Producers file"),
      "</label><input id=\"import-producers\" name=\"producers\" type=\"file\" accept=\".csv,text/csv\"></div>",
      "<div class=\"field\"><label for=\"import-products\">", Both("Tệp sản phẩm", "Products file"),
      "</label><input id=\"import-products\" name=\"products\" type=\"file\" accept=\".csv,text/csv\"></div>",
      "<label class=\"check\"><input type=\"checkbox\" name=\"validate_only\" value=\"1\"",
      view.validate_only ? " checked" : "", "> ", Both("Chỉ kiểm tra, chưa ghi", "Check only, write nothing"),
      "</label><button type=\"submit\">", Both("Gửi tệp", "Send the files"), "</button></form>");
  return out;
}

}  // namespace ocop::console
