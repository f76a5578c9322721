// The provincial office's and the council's pages of the console: evaluation rounds (dossiers
// accepted or returned with a reason, council members' score sheets, closing a round into
// certificates) and the province's reports. The registry holds each caller to its province and
// each council member to its rounds; the console only shows what those calls return.
#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "common/crypto/digest.h"
#include "common/http/web.h"
#include "common/log/log.h"
#include "tools/ocopctl/import_rows.h"
#include "services/console/console.h"
#include "services/console/handlers.h"
#include "services/console/office_pages.h"
#include "services/console/pages.h"
#include "services/console/responses.h"

namespace ocop::console {

http::HttpResponse Console::OfficeRoute(const http::HttpRequest& request, Session& session,
                                        const std::vector<std::string>& parts) {
  const std::string& role = session.user.role;
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  const size_t n = parts.size();
  for (size_t i = 1; i < n; i += 2) {
    if (!IsId(parts[i])) return Html(404, RenderMessage(&session, "Không có trang này", "No such page"));
  }
  const bool office = role == "office" || role == "admin";
  if (!office && role != "council") {
    return Html(403, RenderMessage(&session, "Trang này dành cho văn phòng OCOP và hội đồng",
                                   "This page is for OCOP offices and councils"));
  }
  if (parts[0] == "rounds" && n == 1 && get) return Rounds(request, session, NewForm(), 200);
  if (parts[0] == "rounds" && n == 1 && post && office) return CreateRound(request, session);
  if (parts[0] == "rounds" && n == 2 && get) return RoundPage(request, session, "rounds/" + parts[1], "", "", {}, 200);
  if (parts[0] == "rounds" && n == 3 && post && parts[2] == "close") {
    return CloseRound(request, session, "rounds/" + parts[1]);
  }
  if (parts[0] == "rounds" && n >= 3 && n <= 4 && get && office && parts[2] == "certificates") {
    return Certificates(request, session, "rounds/" + parts[1], n == 4 ? "dossiers/" + parts[3] : "");
  }
  if (parts[0] == "renewals" && n == 1 && post && office) return StartRenewal(request, session);
  if (parts[0] == "dossiers" && n == 3 && post &&
      (parts[2] == "accept" || parts[2] == "return" || parts[2] == "score")) {
    return DossierAction(request, session, "dossiers/" + parts[1], parts[2]);
  }
  if (parts[0] == "import" && n == 1 && (get || post)) {
    if (!office) return Html(403, RenderMessage(&session, "Trang này dành cho văn phòng OCOP", "This page is for OCOP offices"));
    return Import(request, session);
  }
  if (parts[0] == "reports" && n == 1 && get) {
    if (!office) return Html(403, RenderMessage(&session, "Trang này dành cho văn phòng OCOP", "This page is for OCOP offices"));
    return Reports(request, session);
  }
  if (!get && !post) return Html(405, RenderMessage(&session, "Phương thức không được phép", "Method not allowed"));
  return Html(404, RenderMessage(&session, "Không có trang này", "No such page"));
}

http::HttpResponse Console::Rounds(const http::HttpRequest& request, Session& session, FormState new_form,
                                   int http_status) {
  registry::v1::ListRoundsRequest list;
  list.set_page_size(50);
  list.set_page_token(QueryValue(request, "page"));
  registry::v1::ListRoundsResponse rounds;
  grpc::Status status = Call(session, [&](grpc::ClientContext* c) { return evaluation_->ListRounds(c, list, &rounds); });
  if (!status.ok()) return BackendError(status, &session);
  RoundsView view;
  view.rounds.assign(rounds.rounds().begin(), rounds.rounds().end());
  view.this_page_token = list.page_token();
  view.next_page_token = rounds.next_page_token();
  view.office = session.user.role == "office" || session.user.role == "admin";
  if (view.office) {
    registry::v1::ListCriteriaSetsResponse sets;
    status = Call(session, [&](grpc::ClientContext* c) {
      return evaluation_->ListCriteriaSets(c, registry::v1::ListCriteriaSetsRequest(), &sets);
    });
    if (!status.ok()) return BackendError(status, &session);
    view.criteria_sets.assign(sets.criteria_sets().begin(), sets.criteria_sets().end());
  }
  view.csrf = session.csrf;
  view.new_form = std::move(new_form);
  view.year = static_cast<int>(absl::ToCivilYear(config_.calendar ? config_.calendar() : clock_(), Vietnam()).year());
  return Html(http_status, RenderPage(session, "Đánh giá, phân hạng sản phẩm OCOP", "OCOP evaluation rounds",
                              RenderRoundsBody(view)));
}

http::HttpResponse Console::CreateRound(const http::HttpRequest& request, Session& session) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  registry::v1::CreateRoundRequest create;
  create.set_request_id(form.request_id);
  registry::v1::EvaluationRound* round = create.mutable_round();
  round->set_display_name(form.Value("display_name"));
  round->set_province_code(session.user.province);
  round->set_criteria_set(form.Value("criteria_set"));
  round->set_certificate_prefix(form.Value("certificate_prefix"));
  for (absl::string_view line : absl::StrSplit(form.Value("council_members"), absl::ByAnyChar("\r\n,"), absl::SkipWhitespace())) {
    round->add_council_members(std::string(absl::StripAsciiWhitespace(line)));
  }
  int64_t year = 0;
  int64_t level = 0;
  grpc::Status status = ParseCount(form, "year", &year, true);
  if (status.ok()) status = ParseCount(form, "council_level", &level, true);
  if (status.ok()) {
    round->set_year(static_cast<int32_t>(std::min<int64_t>(year, 100000)));
    round->set_council_level(static_cast<registry::v1::CouncilLevel>(std::min<int64_t>(level, 3)));
    registry::v1::EvaluationRound created;
    status = Call(session, [&](grpc::ClientContext* c) { return evaluation_->CreateRound(c, create, &created); });
    if (status.ok()) return Redirect(absl::StrCat("/", created.name(), "?done=round"));
  }
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) return BackendError(status, &session);
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  AddRefusal(form, status, kRoundFields);
  return Rounds(request, session, std::move(form), HttpStatusOfRefusal(status));
}

http::HttpResponse Console::RoundPage(const http::HttpRequest& request, Session& session, const std::string& round,
                                      const std::string& refused_dossier, const std::string& refused_form,
                                      FormState refused, int status) {
  RoundView view;
  registry::v1::GetRoundRequest get;
  get.set_name(round);
  grpc::Status called = Call(session, [&](grpc::ClientContext* c) { return evaluation_->GetRound(c, get, &view.round); });
  // Another province's round, or one the member does not sit on, is not there for this person.
  if (called.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  }
  if (!called.ok()) return BackendError(called, &session);
  registry::v1::ListDossiersRequest list;
  list.set_round(round);
  registry::v1::ListDossiersResponse dossiers;
  called = Call(session, [&](grpc::ClientContext* c) { return evaluation_->ListDossiers(c, list, &dossiers); });
  if (!called.ok()) return BackendError(called, &session);
  for (const registry::v1::Dossier& dossier : dossiers.dossiers()) {
    // Drafts are the producer's business until submitted.
    if (dossier.state() == registry::v1::DOSSIER_STATE_DRAFT) continue;
    view.dossiers.push_back(dossier);
    registry::v1::GetProductRequest get_product;
    get_product.set_name(dossier.product());
    registry::v1::Product product;
    if (Call(session, [&](grpc::ClientContext* c) { return registry_->GetProduct(c, get_product, &product); }).ok()) {
      view.product_names[dossier.product()] = product.display_name();
    }
  }
  registry::v1::GetRoundResultRequest result;
  result.set_name(round);
  called = Call(session, [&](grpc::ClientContext* c) { return evaluation_->GetRoundResult(c, result, &view.result); });
  if (!called.ok()) return BackendError(called, &session);
  registry::v1::ListCriteriaSetsResponse sets;
  called = Call(session, [&](grpc::ClientContext* c) {
    return evaluation_->ListCriteriaSets(c, registry::v1::ListCriteriaSetsRequest(), &sets);
  });
  if (!called.ok()) return BackendError(called, &session);
  for (const registry::v1::CriteriaSet& set : sets.criteria_sets()) {
    if (set.name() == view.round.criteria_set()) view.criteria = set;
  }
  view.csrf = session.csrf;
  view.office = session.user.role == "office" || session.user.role == "admin";
  if (session.user.role == "council") view.member = session.user.subject;
  view.refused_dossier = refused_dossier;
  // The page of dossiers: ?from= on a link, or the "from" a posted form carried.
  std::string from = QueryValue(request, "from");
  if (from.empty()) from = refused.Value("from");
  size_t first = 0;
  if (absl::SimpleAtoi(from, &first)) view.first_dossier = first;
  view.sheet_for = refused_form == "score" ? refused_dossier : "";
  if (const std::string asked = QueryValue(request, "dossier"); view.sheet_for.empty() && IsId(asked)) {
    view.sheet_for = "dossiers/" + asked;
  }
  view.refused_form = refused_form;
  view.refused = std::move(refused);
  // A decision's day is a certificate's day: the calendar's.
  view.today = absl::FormatCivilTime(absl::ToCivilDay(config_.calendar ? config_.calendar() : clock_(), Vietnam()));
  view.notice = NoticeFor(QueryValue(request, "done"));
  return Html(status, RenderPage(session, view.round.display_name(), "Evaluation round", RenderRoundBody(view)));
}

http::HttpResponse Console::DossierAction(const http::HttpRequest& request, Session& session,
                                          const std::string& dossier, const std::string& action) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  registry::v1::GetDossierRequest get;
  get.set_name(dossier);
  registry::v1::Dossier found;
  grpc::Status status = Call(session, [&](grpc::ClientContext* c) { return evaluation_->GetDossier(c, get, &found); });
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  }
  if (!status.ok()) return BackendError(status, &session);
  std::vector<std::string> fields;
  if (action == "score") {
    // Every field named c_{criterion} is a criterion's points; the registry checks the set.
    registry::v1::SubmitScoreSheetRequest submit;
    submit.mutable_sheet()->set_dossier(dossier);
    for (const auto& [name, value] : form.values) {
      if (name.rfind("c_", 0) != 0) continue;
      fields.push_back(name);
      int64_t points = 0;
      status = ParseCount(form, name, &points, true);
      if (!status.ok()) break;
      registry::v1::ScoreEntry* entry = submit.mutable_sheet()->add_entries();
      entry->set_criterion(name.substr(2));
      entry->set_points(static_cast<int32_t>(std::min<int64_t>(points, 1000)));
    }
    if (status.ok()) {
      registry::v1::ScoreSheet sheet;
      status = Call(session, [&](grpc::ClientContext* c) { return evaluation_->SubmitScoreSheet(c, submit, &sheet); });
    }
    // "sheet.entries[2].criterion: ..." names no field of the form: it goes on the form.
  } else {
    registry::v1::TransitionDossierRequest move;
    move.set_name(dossier);
    move.set_to(action == "accept" ? registry::v1::DOSSIER_STATE_ACCEPTED : registry::v1::DOSSIER_STATE_RETURNED);
    move.set_reason(form.Value("reason"));
    if (action == "return") fields = kReturnFields;
    registry::v1::Dossier moved;
    status = Call(session, [&](grpc::ClientContext* c) { return evaluation_->TransitionDossier(c, move, &moved); });
  }
  size_t from = 0;
  if (!absl::SimpleAtoi(form.Value("from"), &from)) from = 0;
  if (status.ok()) {
    return Redirect(absl::StrCat("/", found.round(), "?done=", action, "&from=", from, "#dossier-", dossier.substr(9)));
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  AddRefusal(form, status, fields);
  return RoundPage(request, session, found.round(), dossier, action, std::move(form), HttpStatusOfRefusal(status));
}

// From the renewal worklist on /reports: the office opens a re-evaluation dossier of a product in
// one of its open rounds, naming the certificate it renews.
http::HttpResponse Console::StartRenewal(const http::HttpRequest& request, Session& session) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  registry::v1::CreateDossierRequest create;
  create.set_request_id(form.request_id);
  create.mutable_dossier()->set_round(form.Value("round"));
  create.mutable_dossier()->set_product(form.Value("product"));
  create.mutable_dossier()->set_renews(form.Value("renews"));
  registry::v1::Dossier created;
  grpc::Status status =
      Call(session, [&](grpc::ClientContext* c) { return evaluation_->CreateDossier(c, create, &created); });
  if (status.ok()) {
    return Redirect(absl::StrCat("/", created.round(), "?done=renewal#dossier-", created.name().substr(9)));
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  // The worklist has no field to show it next to: say why on a page of its own.
  return Html(HttpStatusOfRefusal(status),
              RenderMessage(&session, "Không lập được hồ sơ đánh giá lại: " + status.error_message(),
                            "The re-evaluation dossier was not created: " + status.error_message()));
}

http::HttpResponse Console::CloseRound(const http::HttpRequest& request, Session& session, const std::string& round) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  registry::v1::CloseRoundRequest close;
  close.set_name(round);
  close.set_decision_number(form.Value("decision_number"));
  close.set_decision_date(form.Value("decision_date"));
  registry::v1::RoundResult result;
  grpc::Status status = Call(session, [&](grpc::ClientContext* c) { return evaluation_->CloseRound(c, close, &result); });
  if (status.ok()) return Redirect(absl::StrCat("/", round, "?done=close"));
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) return BackendError(status, &session);
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  AddRefusal(form, status, kCloseFields);
  return RoundPage(request, session, round, "", "close", std::move(form), HttpStatusOfRefusal(status));
}

http::HttpResponse Console::Reports(const http::HttpRequest& request, Session& session) {
  ReportsView view;
  const absl::CivilDay today = absl::ToCivilDay(config_.calendar ? config_.calendar() : clock_(), Vietnam());
  view.as_of = QueryValue(request, "as_of");
  if (view.as_of.empty()) view.as_of = absl::FormatCivilTime(today);
  view.plan = QueryValue(request, "plan");
  view.expiring_within_days = config_.expiring_within_days;
  absl::CivilDay as_of_day;
  if (!absl::ParseCivilTime(view.as_of, &as_of_day)) {
    view.error_vi = "Ngày không hợp lệ.";
    view.error_en = "Not a date.";
    return Html(400, RenderPage(session, "Báo cáo", "Reports", RenderReportsBody(view)));
  }
  const std::string& province = session.user.province;
  auto report = [&](registry::v1::ReportDimension by, registry::v1::CertifiedProductsReport* out) {
    registry::v1::ReportCertifiedProductsRequest ask;
    ask.set_as_of(view.as_of);
    ask.set_province_code(province);
    if (by != registry::v1::REPORT_DIMENSION_UNSPECIFIED) ask.add_group_by(by);
    return Call(session, [&](grpc::ClientContext* c) { return registry_->ReportCertifiedProducts(c, ask, out); });
  };
  for (auto [by, out] : {std::pair{registry::v1::REPORT_DIMENSION_STARS, &view.by_stars},
                         std::pair{registry::v1::REPORT_DIMENSION_PRODUCT_GROUP, &view.by_group},
                         std::pair{registry::v1::REPORT_DIMENSION_COMMUNE, &view.by_commune}}) {
    grpc::Status status = report(by, out);
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      view.error_vi = "Không lập được báo cáo cho ngày này.";
      view.error_en = status.error_message();
      return Html(400, RenderPage(session, "Báo cáo", "Reports", RenderReportsBody(view)));
    }
    if (!status.ok()) return BackendError(status, &session);
  }
  registry::v1::ListExpiringCertificatesRequest expiring;
  expiring.set_as_of(view.as_of);
  expiring.set_within_days(config_.expiring_within_days);
  expiring.set_province_code(province);
  expiring.set_page_size(100);
  registry::v1::ListExpiringCertificatesResponse certificates;
  grpc::Status status = Call(session, [&](grpc::ClientContext* c) {
    return registry_->ListExpiringCertificates(c, expiring, &certificates);
  });
  if (!status.ok()) return BackendError(status, &session);
  view.expiring.assign(certificates.certificates().begin(), certificates.certificates().end());
  // The open rounds a re-evaluation can join (an office sees its own province's).
  if (!view.expiring.empty()) {
    registry::v1::ListRoundsRequest rounds_request;
    rounds_request.set_province_code(province);
    rounds_request.set_page_size(100);
    registry::v1::ListRoundsResponse rounds;
    status = Call(session, [&](grpc::ClientContext* c) { return evaluation_->ListRounds(c, rounds_request, &rounds); });
    if (!status.ok()) return BackendError(status, &session);
    for (const registry::v1::EvaluationRound& round : rounds.rounds()) {
      if (round.state() == registry::v1::ROUND_STATE_OPEN) view.open_rounds.push_back(round);
    }
    view.csrf = session.csrf;
    view.renewal_request_id = NewForm().request_id;
  }
  if (!view.plan.empty()) {
    registry::v1::GetPlanProgressRequest ask;
    ask.set_name(view.plan);
    ask.set_as_of(view.as_of);
    status = Call(session, [&](grpc::ClientContext* c) { return registry_->GetPlanProgress(c, ask, &view.progress); });
    view.plan_found = status.ok();
    if (!status.ok() && status.error_code() != grpc::StatusCode::NOT_FOUND &&
        status.error_code() != grpc::StatusCode::INVALID_ARGUMENT) {
      return BackendError(status, &session);
    }
  }
  // Scans across the province, the 30 days to the report's day; the page stands without them
  // (the stamp service is another service, and may be busy).
  stamp::v1::GetScanStatsRequest of_province;
  of_province.set_province_code(province);
  if (!ScansPerDay(session, of_province, as_of_day, &view.scans_per_day).ok()) view.scans_per_day.clear();
  return Html(200, RenderPage(session, "Báo cáo OCOP của tỉnh", "The province's OCOP reports", RenderReportsBody(view)));
}

http::HttpResponse Console::Import(const http::HttpRequest& request, Session& session) {
  ImportView view;
  view.csrf = session.csrf;
  const auto page = [&](int status) {
    return Html(status, RenderPage(session, "Nhập dữ liệu từ tệp CSV", "Import CSV files", RenderImportBody(view)));
  };
  if (request.method != "POST") return page(200);
  auto type = request.headers.find("content-type");
  absl::StatusOr<std::map<std::string, std::string>> form =
      http::ParseMultipartForm(type == request.headers.end() ? "" : type->second, request.body);
  if (!form.ok() || !crypto::ConstantTimeEquals((*form)["csrf"], session.csrf)) {
    return Html(403, RenderMessage(&session, "Biểu mẫu đã hết hạn; hãy mở lại trang và thử lại",
                                   "The form has expired; open the page again and retry"));
  }
  view.validate_only = (*form)["validate_only"] == "1";
  const std::string& producers = (*form)["producers"];
  const std::string& products = (*form)["products"];
  if (producers.empty() && products.empty()) {
    view.error = "Hãy chọn ít nhất một tệp. / Choose at least one file.";
    return page(400);
  }
  view.sent = true;
  ctl::CsvImport rows = ctl::ReadImportCsv(producers.empty() ? "" : "producers.csv", producers,
                                           products.empty() ? "" : "products.csv", products);
  if (!rows.errors.empty()) {
    view.file_errors = std::move(rows.errors);
    return page(400);
  }
  // Rows go in messages of 500, as ocopctl sends them; the registry checks them all before it
  // writes any.
  grpc::Status status = Call(
      session,
      [&](grpc::ClientContext* c) {
        std::unique_ptr<grpc::ClientWriter<registry::v1::ImportRecordsRequest>> writer =
            registry_->ImportRecords(c, &view.result);
        registry::v1::ImportRecordsRequest message;
        message.set_validate_only(view.validate_only);
        ctl::SetImportedFields(rows, message);
        auto flush = [&] {
          const bool written = writer->Write(message);
          message.Clear();
          return written;
        };
        bool open = true;
        for (const registry::v1::ImportProducerRow& row : rows.producers) {
          *message.add_producers() = row;
          if (message.producers_size() == 500 && open) open = flush();
        }
        for (const registry::v1::ImportProductRow& row : rows.products) {
          *message.add_products() = row;
          if (message.products_size() == 500 && open) open = flush();
        }
        if (open && (message.producers_size() > 0 || message.products_size() > 0 || message.validate_only())) flush();
        writer->WritesDone();
        return writer->Finish();
      },
      std::max(config_.backend_deadline, absl::Seconds(60)));
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED || status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
    view.error = status.error_message();
    return page(status.error_code() == grpc::StatusCode::PERMISSION_DENIED ? 403 : 400);
  }
  if (!status.ok()) return BackendError(status, &session);
  logs::Info("import", {{"applied", view.result.applied()}, {"errors", view.result.errors_size()}});
  return page(view.result.errors().empty() ? 200 : 400);
}

}  // namespace ocop::console
