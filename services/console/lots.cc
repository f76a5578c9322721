// The producer's pages of the console: growing areas and seasons with the farm diary, harvests into
// lots, the lot's value chain (events, split, blend, recall), its stamp rolls (order, download,
// activate, void, revoke) and the scans of its stamps. Every backend call carries the person's own token, so the backends'
// ownership checks apply to every write; reads are open at the backends to any signed-in role, so
// each page checks here that what it shows is the person's own.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/crypto/digest.h"
#include "common/grpc/proto_time.h"
#include "common/http/web.h"
#include "common/log/log.h"
#include "common/token/base32.h"
#include "services/console/console.h"
#include "services/console/handlers.h"
#include "services/console/lot_pages.h"
#include "services/console/pages.h"
#include "services/console/responses.h"

namespace ocop::console {
namespace {

constexpr int kPageSize = 50;

// The event a diary form describes, or the refusal naming the field at fault.
grpc::Status EventFromForm(const FormState& form, const std::vector<std::string>& steps,
                           batch::v1::BatchEvent* event) {
  const std::string step = form.Value("biz_step");
  if (std::find(steps.begin(), steps.end(), step) == steps.end()) return Refuse("biz_step", "choose a step");
  event->set_biz_step(step);
  event->set_type(batch::v1::EVENT_TYPE_OBJECT);
  absl::Time when;
  std::string error;
  if (!absl::ParseTime("%Y-%m-%dT%H:%M", form.Value("event_time"), Vietnam(), &when, &error)) {
    return Refuse("event_time", "must be a date and time");
  }
  grpcutil::ToProtoTime(when, event->mutable_event_time());
  event->set_event_time_zone_offset("+07:00");
  if (const std::string place = form.Value("location"); !place.empty()) {
    event->mutable_location()->set_display_name(place);
  }
  auto& details = *event->mutable_details();
  double quantity = 0;
  if (grpc::Status parsed = ParseQuantity(form, "quantity", &quantity, false); !parsed.ok()) return parsed;
  if (!form.Value("quantity").empty()) {
    if (form.Value("unit").empty()) return Refuse("unit", "required with a quantity");
    details["quantity"] = absl::StrCat(quantity);
    details["unit"] = form.Value("unit");
  }
  for (const char* key : {"pesticide", "pre_harvest_interval_days", "veterinary_drug", "withdrawal_period_days", "note"}) {
    if (const std::string value = form.Value(key); !value.empty()) details[key] = value;
  }
  const std::string uri = form.Value("attachment_uri");
  const std::string sha256 = absl::AsciiStrToLower(form.Value("attachment_sha256"));
  if (!uri.empty() || !sha256.empty()) {
    if (uri.empty()) return Refuse("attachment_uri", "required with a hash");
    if (sha256.empty()) return Refuse("attachment_sha256", "required with an address");
    batch::v1::Attachment* attachment = event->add_attachments();
    attachment->set_uri(uri);
    attachment->set_sha256(sha256);
  }
  return grpc::Status::OK;
}

}  // namespace

bool Console::Owns(const Session& session, const std::string& producer) const {
  return session.user.role == "producer" && !producer.empty() && producer == session.user.producer;
}

FormState Console::NewForm() {
  FormState form;
  absl::StatusOr<std::string> bytes = crypto::RandomBytes(16);
  if (bytes.ok()) form.request_id = "console-" + token::Base32Encode(*bytes);
  return form;
}

grpc::Status Console::Call(Session& session, const std::function<grpc::Status(grpc::ClientContext*)>& call,
                           absl::Duration deadline) {
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = ContextFor(session);
  if (!context.ok()) {
    return grpc::Status(session.ended ? grpc::StatusCode::UNAUTHENTICATED : grpc::StatusCode::UNAVAILABLE,
                        std::string(context.status().message()));
  }
  if (deadline > absl::ZeroDuration()) (*context)->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  return call(context->get());
}

std::optional<std::map<std::string, std::string>> Console::PostedForm(const http::HttpRequest& request,
                                                                     const Session& session,
                                                                     http::HttpResponse* refusal) {
  // Forms with a file input come as multipart/form-data, the others url-encoded.
  auto type = request.headers.find("content-type");
  const bool multipart = type != request.headers.end() && absl::StartsWithIgnoreCase(type->second, "multipart/");
  absl::StatusOr<std::map<std::string, std::string>> form =
      multipart ? http::ParseMultipartForm(type->second, request.body) : http::ParseForm(request.body);
  if (!form.ok() || !crypto::ConstantTimeEquals((*form)["csrf"], session.csrf)) {
    *refusal = Html(403, RenderMessage(&session, "Biểu mẫu đã hết hạn; hãy mở lại trang và thử lại",
                                       "The form has expired; open the page again and retry"));
    return std::nullopt;
  }
  if ((*form)["request_id"].empty()) (*form)["request_id"] = NewForm().request_id;
  return *form;
}

http::HttpResponse Console::ProducerRoute(const http::HttpRequest& request, Session& session,
                                          const std::vector<std::string>& parts) {
  if (session.user.role != "producer") {
    return Html(403, RenderMessage(&session, "Trang này dành cho nhà sản xuất", "This page is for producers"));
  }
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  const size_t n = parts.size();
  for (size_t i = 1; i < n; i += 2) {
    if (!IsId(parts[i])) return Html(404, RenderMessage(&session, "Không có trang này", "No such page"));
  }
  if (parts[0] == "areas" && n == 1 && get) return Areas(request, session, "", NewForm(), NewForm(), 200);
  if (parts[0] == "areas" && n == 1 && post) return AddArea(request, session);
  if (parts[0] == "scans" && n == 1 && get) return Scans(request, session);
  if (parts[0] == "growingAreas" && n >= 3 && parts[2] == "seasons") {
    const std::string area = "growingAreas/" + parts[1];
    if (n == 3 && post) return AddSeason(request, session, area);
    const std::string season = n >= 4 ? absl::StrCat(area, "/seasons/", parts[3]) : "";
    if (n == 4 && get) return SeasonPage(request, session, season, {NewForm(), NewForm()}, 200);
    if (n == 5 && post && parts[4] == "events") return RecordEvent(request, session, season, true);
    if (n == 5 && post && parts[4] == "harvest") return Harvest(request, session, season);
  }
  if (parts[0] == "batches") {
    if (n == 1 && get) return Lots(request, session, NewForm(), 200);
    if (n == 2 && post && parts[1] == "blend") return Blend(request, session);
    const std::string lot = n >= 2 ? "batches/" + parts[1] : "";
    if (n == 2 && get) return LotPage(request, session, lot, {NewForm(), NewForm(), NewForm(), NewForm()}, 200);
    if (n == 3 && post && parts[2] == "events") return RecordEvent(request, session, lot, false);
    if (n == 3 && post && parts[2] == "rolls") return OrderRoll(request, session, lot);
    if (n == 3 && post && parts[2] == "split") return Split(request, session, lot);
    if (n == 3 && post && parts[2] == "recall") return Recall(request, session, lot);
  }
  if (parts[0] == "rolls" && n >= 2) {
    const std::string roll = "rolls/" + parts[1];
    if (n == 2 && get) return RollPage(request, session, roll, {NewForm(), NewForm(), NewForm()}, 200);
    if (n == 3 && post && parts[2] == "download") return Download(request, session, roll);
    if (n == 3 && post && parts[2] == "activate") return ChangeStamps(request, session, roll, true);
    if (n == 3 && post && parts[2] == "change") return ChangeStamps(request, session, roll, false);
  }
  if (!get && !post) return Html(405, RenderMessage(&session, "Phương thức không được phép", "Method not allowed"));
  return Html(404, RenderMessage(&session, "Không có trang này", "No such page"));
}

// ---- Growing areas and seasons ----

http::HttpResponse Console::Areas(const http::HttpRequest& request, Session& session, const std::string& refused_area,
                                  FormState season_form, FormState area_form, int status) {
  batch::v1::ListGrowingAreasRequest list;
  list.set_producer(session.user.producer);
  list.set_page_size(20);
  list.set_page_token(QueryValue(request, "page"));
  batch::v1::ListGrowingAreasResponse areas;
  grpc::Status called = Call(session, [&](grpc::ClientContext* c) { return batch_->ListGrowingAreas(c, list, &areas); });
  if (!called.ok()) return BackendError(called, &session);
  AreasView view;
  for (const batch::v1::GrowingArea& area : areas.growing_areas()) {
    AreaWithSeasons entry{area, {}};
    batch::v1::ListSeasonsRequest seasons_request;
    seasons_request.set_parent(area.name());
    seasons_request.set_page_size(50);
    batch::v1::ListSeasonsResponse seasons;
    called = Call(session, [&](grpc::ClientContext* c) { return batch_->ListSeasons(c, seasons_request, &seasons); });
    if (!called.ok()) return BackendError(called, &session);
    entry.seasons.assign(seasons.seasons().begin(), seasons.seasons().end());
    view.areas.push_back(std::move(entry));
  }
  view.csrf = session.csrf;
  view.refused_area = refused_area;
  view.season_form = std::move(season_form);
  view.area_form = std::move(area_form);
  view.today = absl::FormatCivilTime(absl::ToCivilDay(clock_(), Vietnam()));
  view.this_page_token = list.page_token();
  view.next_page_token = areas.next_page_token();
  std::string body = RenderAreasBody(view);
  body = NoticeOf(NoticeFor(QueryValue(request, "done"))) + body;
  return Html(status, RenderPage(session, "Vùng trồng và mùa vụ", "Growing areas and seasons", body));
}

http::HttpResponse Console::AddSeason(const http::HttpRequest& request, Session& session, const std::string& area) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  batch::v1::GetGrowingAreaRequest get;
  get.set_name(area);
  batch::v1::GrowingArea found;
  grpc::Status status = Call(session, [&](grpc::ClientContext* c) { return batch_->GetGrowingArea(c, get, &found); });
  if (!status.ok()) return BackendError(status, &session);
  if (!Owns(session, found.producer())) return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  batch::v1::CreateSeasonRequest create;
  create.set_parent(area);
  create.set_request_id(form.request_id);
  create.mutable_season()->set_label(form.Value("label"));
  create.mutable_season()->set_start_date(form.Value("start_date"));
  batch::v1::Season season;
  status = Call(session, [&](grpc::ClientContext* c) { return batch_->CreateSeason(c, create, &season); });
  if (status.ok()) return Redirect("/" + season.name() + "?done=season");
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  AddRefusal(form, status, {"label", "start_date"});
  return Areas(request, session, area, std::move(form), NewForm(), HttpStatusOfRefusal(status));
}

http::HttpResponse Console::AddArea(const http::HttpRequest& request, Session& session) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  batch::v1::CreateGrowingAreaRequest create;
  create.set_request_id(form.request_id);
  batch::v1::GrowingArea* area = create.mutable_growing_area();
  area->set_code(form.Value("code"));
  area->set_producer(session.user.producer);
  area->set_commune_code(form.Value("commune_code"));
  area->set_crop(form.Value("crop"));
  double hectares = 0;
  grpc::Status status = ParseQuantity(form, "area_hectares", &hectares, true);
  if (status.ok()) {
    area->set_area_hectares(hectares);
    batch::v1::GrowingArea created;
    status = Call(session, [&](grpc::ClientContext* c) { return batch_->CreateGrowingArea(c, create, &created); });
    if (status.ok()) return Redirect("/areas?done=area");
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  AddRefusal(form, status, kAreaFields);
  return Areas(request, session, "", NewForm(), std::move(form), HttpStatusOfRefusal(status));
}

http::HttpResponse Console::SeasonPage(const http::HttpRequest& request, Session& session, const std::string& season,
                                       SeasonForms forms, int status) {
  SeasonView view;
  batch::v1::GetSeasonRequest get_season;
  get_season.set_name(season);
  grpc::Status called =
      Call(session, [&](grpc::ClientContext* c) { return batch_->GetSeason(c, get_season, &view.season); });
  if (!called.ok()) return BackendError(called, &session);
  batch::v1::GetGrowingAreaRequest get_area;
  get_area.set_name(season.substr(0, season.find("/seasons/")));
  called = Call(session, [&](grpc::ClientContext* c) { return batch_->GetGrowingArea(c, get_area, &view.area); });
  if (!called.ok()) return BackendError(called, &session);
  if (!Owns(session, view.area.producer())) return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));

  batch::v1::ListEventsRequest list;
  list.set_parent(season);
  list.set_page_size(100);
  list.set_page_token(QueryValue(request, "page"));
  batch::v1::ListEventsResponse events;
  called = Call(session, [&](grpc::ClientContext* c) { return batch_->ListEvents(c, list, &events); });
  if (!called.ok()) return BackendError(called, &session);
  view.events.assign(events.events().begin(), events.events().end());
  view.events_this_page_token = list.page_token();
  view.events_next_page_token = events.next_page_token();

  registry::v1::ListProductsRequest products_request;
  products_request.set_producer(session.user.producer);
  products_request.set_page_size(100);
  registry::v1::ListProductsResponse products;
  called = Call(session,
                [&](grpc::ClientContext* c) { return registry_->ListProducts(c, products_request, &products); });
  if (!called.ok()) return BackendError(called, &session);
  view.products.assign(products.products().begin(), products.products().end());

  view.csrf = session.csrf;
  view.event_form = std::move(forms.event);
  view.harvest_form = std::move(forms.harvest);
  const absl::Time now = clock_();
  view.now_local = absl::FormatTime("%Y-%m-%dT%H:%M", now, Vietnam());
  view.today = absl::FormatCivilTime(absl::ToCivilDay(now, Vietnam()));
  view.notice = NoticeFor(QueryValue(request, "done"));
  return Html(status, RenderPage(session, view.season.label(), "Season", RenderSeasonBody(view)));
}

http::HttpResponse Console::RecordEvent(const http::HttpRequest& request, Session& session, const std::string& chain,
                                        bool season) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  // A picked file gives its SHA-256 and is then dropped: the service records documents by address
  // and digest, never their bytes.
  std::string file = std::move((*posted)["attachment_file"]);
  posted->erase("attachment_file");
  if (!file.empty() && (*posted)["attachment_sha256"].empty()) {
    (*posted)["attachment_sha256"] = crypto::HexEncode(crypto::Sha256(file));
  }
  FormState form = Posted(*posted);
  batch::v1::AppendEventRequest append;
  append.set_parent(chain);
  append.set_request_id(form.request_id);
  grpc::Status status = EventFromForm(form, season ? SeasonSteps() : LotSteps(), append.mutable_event());
  if (status.ok()) {
    batch::v1::BatchEvent stored;
    status = Call(session, [&](grpc::ClientContext* c) { return batch_->AppendEvent(c, append, &stored); });
    if (status.ok()) return Redirect(absl::StrCat("/", chain, "?done=event"));
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  // A chain that is not there (or not the person's: the backend checks the owner) is the page's
  // own "not found", not a field's.
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return BackendError(status, &session);
  AddRefusal(form, status, kEventFields);
  const int code = HttpStatusOfRefusal(status);
  if (season) return SeasonPage(request, session, chain, {std::move(form), NewForm()}, code);
  return LotPage(request, session, chain, {std::move(form), NewForm(), NewForm(), NewForm()}, code);
}

http::HttpResponse Console::Harvest(const http::HttpRequest& request, Session& session, const std::string& season) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  batch::v1::CreateBatchRequest create;
  create.set_request_id(form.request_id);
  batch::v1::Batch* lot = create.mutable_batch();
  lot->set_product(form.Value("product"));
  lot->set_lot_code(form.Value("lot_code"));
  lot->set_harvest_date(form.Value("harvest_date"));
  lot->set_unit(form.Value("unit"));
  lot->set_expiry_date(form.Value("expiry_date"));
  lot->add_source_seasons(season);
  double quantity = 0;
  int64_t packages = 0;
  grpc::Status status = ParseQuantity(form, "quantity", &quantity, true);
  if (status.ok()) status = ParseCount(form, "package_count", &packages, false);
  if (status.ok()) {
    lot->set_quantity(quantity);
    lot->set_package_count(packages);
    batch::v1::Batch created;
    status = Call(session, [&](grpc::ClientContext* c) { return batch_->CreateBatch(c, create, &created); });
    if (status.ok()) return Redirect(absl::StrCat("/", created.name(), "?done=harvest"));
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  AddRefusal(form, status, kHarvestFields);
  // "source_seasons: ... not found" is about the page itself.
  if (status.error_code() == grpc::StatusCode::NOT_FOUND && form.errors.empty()) return BackendError(status, &session);
  return SeasonPage(request, session, season, {NewForm(), std::move(form)}, HttpStatusOfRefusal(status));
}

// ---- Lots ----

http::HttpResponse Console::Lots(const http::HttpRequest& request, Session& session, FormState blend_form,
                                 int status) {
  batch::v1::ListBatchesRequest list;
  list.set_producer(session.user.producer);
  list.set_page_size(kPageSize);
  list.set_page_token(QueryValue(request, "page"));
  batch::v1::ListBatchesResponse lots;
  grpc::Status called = Call(session, [&](grpc::ClientContext* c) { return batch_->ListBatches(c, list, &lots); });
  if (!called.ok()) return BackendError(called, &session);
  registry::v1::ListProductsRequest products_request;
  products_request.set_producer(session.user.producer);
  products_request.set_page_size(100);
  registry::v1::ListProductsResponse products;
  called = Call(session,
                [&](grpc::ClientContext* c) { return registry_->ListProducts(c, products_request, &products); });
  if (!called.ok()) return BackendError(called, &session);
  LotsView view;
  view.csrf = session.csrf;
  view.blend_form = std::move(blend_form);
  view.batches.assign(lots.batches().begin(), lots.batches().end());
  for (const registry::v1::Product& product : products.products()) {
    view.product_names[product.name()] = product.display_name();
  }
  view.this_page_token = list.page_token();
  view.next_page_token = lots.next_page_token();
  return Html(status, RenderPage(session, "Lô hàng", "Lots", RenderLotsBody(view)));
}

http::HttpResponse Console::Blend(const http::HttpRequest& request, Session& session) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  batch::v1::MergeBatchesRequest merge;
  merge.set_request_id(form.request_id);
  merge.mutable_merged()->set_lot_code(form.Value("lot_code"));
  for (const auto& [name, value] : form.values) {
    if (name.rfind("lot_", 0) == 0 && name != "lot_code" && value == "1" && IsId(name.substr(4))) {
      merge.add_parents("batches/" + name.substr(4));
    }
  }
  grpc::Status status;
  if (merge.parents_size() < 2) status = Refuse("parents", "choose at least two lots to blend");
  if (status.ok()) {
    batch::v1::MergeBatchesResponse merged;
    status = Call(session, [&](grpc::ClientContext* c) { return batch_->MergeBatches(c, merge, &merged); });
    if (status.ok()) return Redirect(absl::StrCat("/", merged.merged().name(), "?done=blend"));
  }
  // Someone else's lot among them is refused by the batch service like any other write.
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) return BackendError(status, &session);
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  AddRefusal(form, status, {"lot_code"});
  return Lots(request, session, std::move(form), HttpStatusOfRefusal(status));
}

http::HttpResponse Console::LotPage(const http::HttpRequest& request, Session& session, const std::string& lot,
                                    LotForms forms, int status) {
  LotView view;
  batch::v1::GetBatchRequest get;
  get.set_name(lot);
  grpc::Status called = Call(session, [&](grpc::ClientContext* c) { return batch_->GetBatch(c, get, &view.batch); });
  if (!called.ok()) return BackendError(called, &session);
  if (!Owns(session, view.batch.producer())) return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));

  batch::v1::ListEventsRequest list;
  list.set_parent(lot);
  list.set_page_size(100);
  list.set_page_token(QueryValue(request, "page"));
  batch::v1::ListEventsResponse events;
  called = Call(session, [&](grpc::ClientContext* c) { return batch_->ListEvents(c, list, &events); });
  if (!called.ok()) return BackendError(called, &session);
  view.events.assign(events.events().begin(), events.events().end());
  view.events_this_page_token = list.page_token();
  view.events_next_page_token = events.next_page_token();

  registry::v1::GetProductRequest get_product;
  get_product.set_name(view.batch.product());
  registry::v1::Product product;
  called = Call(session, [&](grpc::ClientContext* c) { return registry_->GetProduct(c, get_product, &product); });
  view.product_name = called.ok() ? product.display_name() : view.batch.product();

  stamp::v1::ListRollsRequest rolls_request;
  rolls_request.set_batch(lot);
  rolls_request.set_page_size(100);
  stamp::v1::ListRollsResponse rolls;
  called = Call(session, [&](grpc::ClientContext* c) { return stamp_->ListRolls(c, rolls_request, &rolls); });
  if (!called.ok()) return BackendError(called, &session);
  view.rolls.assign(rolls.rolls().begin(), rolls.rolls().end());

  // The chart is a courtesy on this page: without the scan history (the stamp service busy), the
  // lot is still shown.
  stamp::v1::GetScanStatsRequest of_lot;
  of_lot.set_producer(session.user.producer);
  of_lot.set_batch(lot);
  if (!ScansPerDay(session, of_lot, absl::ToCivilDay(clock_(), Vietnam()), &view.scans_per_day).ok()) {
    view.scans_per_day.clear();
  }
  view.csrf = session.csrf;
  view.event_form = std::move(forms.event);
  view.roll_form = std::move(forms.roll);
  view.recall_form = std::move(forms.recall);
  view.split_form = std::move(forms.split);
  view.now_local = absl::FormatTime("%Y-%m-%dT%H:%M", clock_(), Vietnam());
  view.notice = NoticeFor(QueryValue(request, "done"));
  return Html(status, RenderPage(session, absl::StrCat("Lô ", view.batch.lot_code()),
                                 absl::StrCat("Lot ", view.batch.lot_code()), RenderLotBody(view)));
}

http::HttpResponse Console::OrderRoll(const http::HttpRequest& request, Session& session, const std::string& lot) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  stamp::v1::IssueRollRequest issue;
  issue.set_request_id(form.request_id);
  issue.mutable_roll()->set_batch(lot);
  issue.mutable_roll()->set_scratch_pins(form.Value("scratch_pins") == "1");
  int64_t count = 0;
  grpc::Status status = ParseCount(form, "count", &count, true);
  if (status.ok()) {
    issue.mutable_roll()->set_count(count);
    stamp::v1::Roll roll;
    status = Call(session, [&](grpc::ClientContext* c) { return stamp_->IssueRoll(c, issue, &roll); });
    if (status.ok()) return Redirect(absl::StrCat("/", roll.name(), "?done=roll"));
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return BackendError(status, &session);
  AddRefusal(form, status, kRollFields);
  return LotPage(request, session, lot, {NewForm(), std::move(form), NewForm(), NewForm()},
                 HttpStatusOfRefusal(status));
}

http::HttpResponse Console::Split(const http::HttpRequest& request, Session& session, const std::string& lot) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  batch::v1::SplitBatchRequest split;
  split.set_parent(lot);
  split.set_request_id(form.request_id);
  grpc::Status status;
  for (int i = 1; i <= 3 && status.ok(); ++i) {
    const std::string code = form.Value(absl::StrCat("lot_code_", i));
    double quantity = 0;
    status = ParseQuantity(form, absl::StrCat("quantity_", i), &quantity, !code.empty());
    if (!status.ok() || code.empty()) continue;
    batch::v1::Batch* child = split.add_children();
    child->set_lot_code(code);
    child->set_quantity(quantity);
  }
  if (status.ok()) {
    batch::v1::SplitBatchResponse answer;
    status = Call(session, [&](grpc::ClientContext* c) { return batch_->SplitBatch(c, split, &answer); });
    if (status.ok()) return Redirect(absl::StrCat("/", lot, "?done=split"));
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return BackendError(status, &session);
  AddRefusal(form, status, kSplitFields);
  return LotPage(request, session, lot, {NewForm(), NewForm(), NewForm(), std::move(form)},
                 HttpStatusOfRefusal(status));
}

http::HttpResponse Console::Recall(const http::HttpRequest& request, Session& session, const std::string& lot) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  batch::v1::RecallBatchRequest recall;
  recall.set_name(lot);
  recall.set_reason(form.Value("reason"));
  recall.set_request_id(form.request_id);
  batch::v1::RecallBatchResponse answer;
  grpc::Status status = Call(session, [&](grpc::ClientContext* c) { return batch_->RecallBatch(c, recall, &answer); });
  if (status.ok()) return Redirect(absl::StrCat("/", lot, "?done=recall"));
  if (!IsFormRefusal(status) || status.error_code() == grpc::StatusCode::NOT_FOUND) {
    return BackendError(status, &session);
  }
  AddRefusal(form, status, kRecallFields);
  return LotPage(request, session, lot, {NewForm(), NewForm(), std::move(form), NewForm()},
                 HttpStatusOfRefusal(status));
}

// ---- Scans ----

grpc::Status Console::ScansPerDay(Session& session, stamp::v1::GetScanStatsRequest filter, absl::CivilDay last_day,
                                  std::vector<Bar>* bars) {
  filter.set_from_day(absl::FormatCivilTime(last_day - 29));
  filter.set_to_day(absl::FormatCivilTime(last_day));
  filter.set_group_by(stamp::v1::SCAN_GROUP_BY_DAY);
  filter.set_page_size(31);
  stamp::v1::GetScanStatsResponse answer;
  grpc::Status status = Call(session, [&](grpc::ClientContext* c) { return stamp_->GetScanStats(c, filter, &answer); });
  if (!status.ok()) return status;
  std::map<std::string, const stamp::v1::ScanStatsRow*> by_day;
  for (const stamp::v1::ScanStatsRow& row : answer.rows()) by_day[row.key()] = &row;
  bars->clear();
  for (absl::CivilDay day = last_day - 29; day <= last_day; ++day) {
    const std::string key = absl::FormatCivilTime(day);
    auto found = by_day.find(key);
    bars->push_back(Bar{key, found == by_day.end() ? 0 : found->second->scans(),
                        found == by_day.end() ? 0 : found->second->possible_copy_scans()});
  }
  return grpc::Status::OK;
}

http::HttpResponse Console::Scans(const http::HttpRequest& /*request*/, Session& session) {
  ScansView view;
  stamp::v1::GetScanStatsRequest mine;
  mine.set_producer(session.user.producer);
  grpc::Status status = ScansPerDay(session, mine, absl::ToCivilDay(clock_(), Vietnam()), &view.per_day);
  if (!status.ok()) return BackendError(status, &session);
  view.from_day = view.per_day.front().label;
  view.to_day = view.per_day.back().label;
  auto rows = [&](stamp::v1::ScanGroupBy group, int page_size, stamp::v1::GetScanStatsResponse* answer) {
    stamp::v1::GetScanStatsRequest stats;
    stats.set_producer(session.user.producer);
    stats.set_from_day(view.from_day);
    stats.set_to_day(view.to_day);
    stats.set_group_by(group);
    stats.set_page_size(page_size);
    return Call(session, [&](grpc::ClientContext* c) { return stamp_->GetScanStats(c, stats, answer); });
  };
  stamp::v1::GetScanStatsResponse lots;
  status = rows(stamp::v1::SCAN_GROUP_BY_BATCH, 200, &lots);
  if (!status.ok()) return BackendError(status, &session);
  view.per_lot.assign(lots.rows().begin(), lots.rows().end());
  // The most scanned first: that is where a copy would show.
  std::sort(view.per_lot.begin(), view.per_lot.end(),
            [](const auto& a, const auto& b) { return a.scans() > b.scans(); });
  stamp::v1::GetScanStatsResponse stamps;
  status = rows(stamp::v1::SCAN_GROUP_BY_STAMP, 1000, &stamps);
  if (!status.ok()) return BackendError(status, &session);
  for (const stamp::v1::ScanStatsRow& row : stamps.rows()) {
    if (row.possible_copy_scans() > 0 && view.flagged.size() < 100) view.flagged.push_back(row);
  }
  view.more_stamps = !stamps.next_page_token().empty();
  // Lot codes for the names.
  batch::v1::ListBatchesRequest list;
  list.set_producer(session.user.producer);
  list.set_page_size(1000);
  batch::v1::ListBatchesResponse batches;
  if (Call(session, [&](grpc::ClientContext* c) { return batch_->ListBatches(c, list, &batches); }).ok()) {
    for (const batch::v1::Batch& lot : batches.batches()) view.lot_codes[lot.name()] = lot.lot_code();
  }
  return Html(200, RenderPage(session, "Lượt quét tem", "Scans of your stamps", RenderScansBody(view)));
}

// ---- Stamp rolls ----

http::HttpResponse Console::RollPage(const http::HttpRequest& request, Session& session, const std::string& roll,
                                     RollForms forms, int status) {
  RollView view;
  stamp::v1::GetRollRequest get;
  get.set_name(roll);
  grpc::Status called = Call(session, [&](grpc::ClientContext* c) { return stamp_->GetRoll(c, get, &view.roll); });
  // The stamp service keeps another producer's roll to itself: to the person it is not there.
  if (called.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  }
  if (!called.ok()) return BackendError(called, &session);
  if (!Owns(session, view.roll.producer())) return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  batch::v1::GetBatchRequest get_lot;
  get_lot.set_name(view.roll.batch());
  batch::v1::Batch lot;
  called = Call(session, [&](grpc::ClientContext* c) { return batch_->GetBatch(c, get_lot, &lot); });
  view.lot_code = called.ok() ? lot.lot_code() : view.roll.batch();
  stamp::v1::ListRendersRequest renders_request;
  renders_request.set_roll(roll);
  stamp::v1::ListRendersResponse renders;
  called = Call(session, [&](grpc::ClientContext* c) { return stamp_->ListRenders(c, renders_request, &renders); });
  if (!called.ok()) return BackendError(called, &session);
  view.renders.assign(renders.renders().begin(), renders.renders().end());
  // Defaults for the forms: the first serial after every render, the first still only issued.
  view.next_to_download = view.roll.first_serial();
  for (const stamp::v1::Render& render : view.renders) {
    view.next_to_download = std::max<uint64_t>(view.next_to_download, render.last_serial() + 1);
  }
  view.next_to_activate = view.roll.first_serial();
  for (const stamp::v1::StateRange& range : view.roll.states()) {
    if (range.first_serial() > view.next_to_activate) break;
    view.next_to_activate = range.last_serial() + 1;
  }
  view.csrf = session.csrf;
  view.download_form = std::move(forms.download);
  view.activate_form = std::move(forms.activate);
  view.change_form = std::move(forms.change);
  view.notice = NoticeFor(QueryValue(request, "done"));
  return Html(status, RenderPage(session, absl::StrCat("Cuộn tem ", view.roll.name().substr(6)),
                                 absl::StrCat("Stamp roll ", view.roll.name().substr(6)), RenderRollBody(view)));
}

http::HttpResponse Console::Download(const http::HttpRequest& request, Session& session, const std::string& roll) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  const std::string format = form.Value("format");
  stamp::v1::StreamStampsRequest stream;
  stream.set_roll(roll);
  stream.set_printer(form.Value("printer"));
  int64_t first = 0;
  int64_t count = 0;
  grpc::Status status = ParseCount(form, "first_serial", &first, true);
  if (status.ok()) status = ParseCount(form, "count", &count, true);
  const bool pdf = format == "pdf-a4" || format == "pdf-roll";
  const int64_t most = pdf ? kMaxDownloadPdf : kMaxDownloadZpl;
  if (status.ok() && format != "zpl" && !pdf) status = Refuse("format", "choose a format");
  if (status.ok() && (first < 1)) status = Refuse("first_serial", "must be at least 1");
  if (status.ok() && (count < 1 || count > most)) {
    status = Refuse("count", absl::StrCat("must be between 1 and ", most, " for this format"));
  }
  std::string file;
  uint64_t last_serial = 0;
  if (status.ok()) {
    stream.set_first_serial(static_cast<uint64_t>(first));
    stream.set_count(count);
    stream.set_format(format == "zpl"       ? stamp::v1::IMAGE_FORMAT_ZPL
                      : format == "pdf-a4" ? stamp::v1::IMAGE_FORMAT_PDF_A4_SHEET
                                           : stamp::v1::IMAGE_FORMAT_PDF_LABEL_ROLL);
    if (pdf) stream.set_labels_per_document(static_cast<int>(count));
    // The whole range at once: a document is one message; labels are rendered and signed as they go.
    status = Call(
        session,
        [&](grpc::ClientContext* c) {
          std::unique_ptr<grpc::ClientReader<stamp::v1::RenderedStamp>> reader = stamp_->StreamStamps(c, stream);
          stamp::v1::RenderedStamp rendered;
          while (reader->Read(&rendered)) {
            file += rendered.image();
            last_serial = rendered.last_serial() != 0 ? rendered.last_serial() : rendered.serial();
          }
          return reader->Finish();
        },
        std::max(config_.backend_deadline, absl::Seconds(60)));
  }
  if (status.ok()) {
    const std::string name = absl::StrCat("tem-", roll.substr(6), "-", first, "-", last_serial, pdf ? ".pdf" : ".zpl");
    logs::Info("stamps downloaded", {{"roll", roll}, {"first", first}, {"last", static_cast<int64_t>(last_serial)}});
    return Attachment(pdf ? "application/pdf" : "application/zpl", name, std::move(file));
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  AddRefusal(form, status, kDownloadFields);
  // "first_serial: serials 5..9 of rolls/x were rendered before": next to the field it names.
  return RollPage(request, session, roll, {std::move(form), NewForm(), NewForm()}, HttpStatusOfRefusal(status));
}

http::HttpResponse Console::ChangeStamps(const http::HttpRequest& request, Session& session, const std::string& roll,
                                         bool activate) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  const std::string action = activate ? "activate" : form.Value("action");
  stamp::v1::ChangeStampsRequest change;
  change.set_roll(roll);
  change.set_reason(form.Value("reason"));
  change.set_request_id(form.request_id);
  change.set_override_package_limit(activate && form.Value("override_package_limit") == "1");
  int64_t first = 0;
  int64_t count = 0;
  grpc::Status status = ParseCount(form, "first_serial", &first, true);
  if (status.ok()) status = ParseCount(form, "count", &count, true);
  if (status.ok() && action != "activate" && action != "void" && action != "revoke") {
    status = Refuse("action", "choose void or revoke");
  }
  if (status.ok()) {
    change.set_first_serial(static_cast<uint64_t>(first));
    change.set_count(count);
    stamp::v1::Roll changed;
    status = Call(session, [&](grpc::ClientContext* c) {
      if (action == "activate") return stamp_->ActivateStamps(c, change, &changed);
      if (action == "void") return stamp_->VoidStamps(c, change, &changed);
      return stamp_->RevokeStamps(c, change, &changed);
    });
    if (status.ok()) return Redirect(absl::StrCat("/", roll, "?done=", action));
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND && !absl::StartsWith(status.error_message(), "first_serial")) {
    return BackendError(status, &session);
  }
  if (activate) {
    AddRefusal(form, status, kActivateFields);
    return RollPage(request, session, roll, {NewForm(), std::move(form), NewForm()}, HttpStatusOfRefusal(status));
  }
  AddRefusal(form, status, kChangeFields);
  return RollPage(request, session, roll, {NewForm(), NewForm(), std::move(form)}, HttpStatusOfRefusal(status));
}

}  // namespace ocop::console
