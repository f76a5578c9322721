#include "services/console/lot_pages.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "common/epcis/vocabulary.h"
#include "common/grpc/proto_time.h"
#include "common/http/web.h"

namespace ocop::console {
namespace {

using http::HtmlEscape;

const absl::TimeZone& Vietnam() {
  static const absl::TimeZone* zone = new absl::TimeZone(absl::FixedTimeZone(7 * 3600));
  return *zone;
}

std::string StepName(const std::string& step) {
  const epcis::StepInfo* info = epcis::FindStep(step);
  if (info == nullptr) return HtmlEscape(step);
  return Both(info->vietnamese, info->english);
}

std::vector<std::pair<std::string, std::string>> StepOptions(const std::vector<std::string>& steps) {
  std::vector<std::pair<std::string, std::string>> options;
  for (const std::string& step : steps) options.emplace_back(step, StepName(step));
  return options;
}

std::string StatusName(batch::v1::BatchStatus status) {
  switch (status) {
    case batch::v1::BATCH_STATUS_OPEN: return Both("Đang lưu hành", "Open");
    case batch::v1::BATCH_STATUS_CLOSED: return Both("Đã chia/phối trộn", "Closed (split or blended)");
    case batch::v1::BATCH_STATUS_RECALLED: return Both("Đã thu hồi", "Recalled");
    default: return "–";
  }
}

std::string StateName(stamp::v1::StampState state) {
  switch (state) {
    case stamp::v1::STAMP_STATE_ISSUED: return Both("Chưa kích hoạt", "Issued, not active");
    case stamp::v1::STAMP_STATE_ACTIVE: return Both("Đã kích hoạt", "Active");
    case stamp::v1::STAMP_STATE_VOID: return Both("Đã huỷ (hỏng)", "Void (spoiled)");
    case stamp::v1::STAMP_STATE_REVOKED: return Both("Đã thu hồi", "Revoked");
    default: return "–";
  }
}

std::string Paging(const std::string& path, const std::string& this_page, const std::string& next_page) {
  if (this_page.empty() && next_page.empty()) return "";
  std::string out = "<nav class=\"paging\" aria-label=\"Trang / Pages\">";
  if (!this_page.empty()) absl::StrAppend(&out, "<a href=\"", path, "\">", Both("« Trang đầu", "First page"), "</a>");
  if (!next_page.empty()) {
    absl::StrAppend(&out, "<a href=\"", path, "?page=", http::UrlEncode(next_page), "\">",
                    Both("Trang sau »", "Next page"), "</a>");
  }
  return out + "</nav>";
}

std::string Quantity(double quantity, const std::string& unit) {
  return HtmlEscape(absl::StrCat(quantity, " ", unit));
}

std::string EventsTable(const std::vector<batch::v1::BatchEvent>& events, const std::string& path,
                        const std::string& this_page, const std::string& next_page) {
  if (events.empty()) return absl::StrCat("<p>", Both("Chưa có sự kiện nào.", "No events yet."), "</p>");
  std::string out = absl::StrCat("<table class=\"events\"><thead><tr><th scope=\"col\">#</th><th scope=\"col\">",
                                 Both("Thời gian", "Time"), "</th><th scope=\"col\">", Both("Công đoạn", "Step"),
                                 "</th><th scope=\"col\">", Both("Địa điểm", "Place"), "</th><th scope=\"col\">",
                                 Both("Chi tiết", "Details"), "</th></tr></thead><tbody>");
  for (const batch::v1::BatchEvent& event : events) {
    std::string details;
    for (const auto& [key, value] : event.details()) {
      absl::StrAppend(&details, details.empty() ? "" : "<br>", HtmlEscape(key), ": ", HtmlEscape(value));
    }
    for (const batch::v1::QuantityElement& input : event.inputs()) {
      absl::StrAppend(&details, details.empty() ? "" : "<br>", "← ", HtmlEscape(input.object()));
    }
    for (const batch::v1::QuantityElement& output : event.outputs()) {
      absl::StrAppend(&details, details.empty() ? "" : "<br>", "→ ", HtmlEscape(output.object()),
                      output.quantity() > 0 ? absl::StrCat(" (", Quantity(output.quantity(), output.unit()), ")") : "");
    }
    for (const batch::v1::Attachment& attachment : event.attachments()) {
      absl::StrAppend(&details, details.empty() ? "" : "<br>", Both("Tài liệu", "Document"), ": ",
                      HtmlEscape(attachment.uri()), " <code>", HtmlEscape(attachment.sha256().substr(0, 12)),
                      "…</code>");
    }
    if (!event.corrects().empty()) {
      absl::StrAppend(&details, details.empty() ? "" : "<br>", Both("Sửa", "Corrects"), " ",
                      HtmlEscape(event.corrects()), ": ", HtmlEscape(event.correction_reason()));
    }
    absl::StrAppend(&out, "<tr><td data-label=\"#\">", event.sequence(), "</td><td data-label=\"Thời gian / Time\">",
                    VietnamTime(event.event_time()), "</td><td data-label=\"Công đoạn / Step\">",
                    StepName(event.biz_step()), "</td><td data-label=\"Địa điểm / Place\">",
                    event.location().display_name().empty() ? "–" : HtmlEscape(event.location().display_name()),
                    "</td><td data-label=\"Chi tiết / Details\">", details.empty() ? "–" : details, "</td></tr>");
  }
  return absl::StrCat(out, "</tbody></table>", Paging(path, this_page, next_page));
}

// The diary's form: a step, when (now unless changed), where, and what goes with it.
std::string EventForm(const std::string& form_id, const std::string& action, const std::string& csrf,
                      const FormState& form, const std::vector<std::string>& steps, const std::string& now_local,
                      const std::string& last_place, bool farm) {
  std::string out = FormStart(form_id, action, csrf, form, "Ghi nhật ký", "Record an event", /*files=*/true);
  absl::StrAppend(&out, Select(form, form_id, "biz_step", "Công đoạn", "Step", StepOptions(steps)),
                  Input(form, form_id, InputSpec("event_time", "Thời gian", "Time").Type("datetime-local").Required(), now_local),
                  Input(form, form_id, InputSpec("location", "Địa điểm", "Place").Attributes("maxlength=\"200\""), last_place),
                  "<div class=\"pair\">",
                  Input(form, form_id, InputSpec("quantity", "Số lượng", "Quantity").Type("number").Attributes("min=\"0\" step=\"any\" inputmode=\"decimal\"")),
                  Input(form, form_id, InputSpec("unit", "Đơn vị", "Unit").Attributes("maxlength=\"20\"")),
                  "</div>");
  if (farm) {
    absl::StrAppend(
        &out, "<fieldset><legend>", Both("Khi phun thuốc", "When spraying"), "</legend>",
        Input(form, form_id, InputSpec("pesticide", "Tên thuốc", "Pesticide").Attributes("maxlength=\"200\"")),
        Input(form, form_id, InputSpec("pre_harvest_interval_days", "Thời gian cách ly (ngày)", "Pre-harvest interval (days)").Type("number").Attributes("min=\"0\" max=\"365\" step=\"1\" inputmode=\"numeric\"")),
        "</fieldset><fieldset><legend>", Both("Khi dùng thuốc thú y, vắc-xin", "When giving a veterinary drug or vaccine"),
        "</legend>",
        Input(form, form_id, InputSpec("veterinary_drug", "Tên thuốc, vắc-xin", "Drug or vaccine").Attributes("maxlength=\"200\"")),
        Input(form, form_id, InputSpec("withdrawal_period_days", "Thời gian ngừng sử dụng thuốc (ngày)", "Withdrawal period (days)").Type("number").Attributes("min=\"0\" max=\"365\" step=\"1\" inputmode=\"numeric\"")),
        "</fieldset>");
  }
  absl::StrAppend(&out,
                  Input(form, form_id, InputSpec("note", "Ghi chú", "Note").Type("textarea").Attributes("maxlength=\"500\"")),
                  "<fieldset><legend>", Both("Ảnh hoặc tài liệu (không bắt buộc)", "Photo or document (optional)"),
                  "</legend>",
                  Input(form, form_id,
                        InputSpec("attachment_file", "Chọn ảnh hoặc tệp để tính mã băm", "Pick the photo or file to hash it")
                            .Type("file")
                            .Attributes("accept=\"image/*,application/pdf\"")
                            .Hint(Both("Tệp không được lưu ở đây: chỉ mã băm SHA-256 của nó, để biết tệp về sau có bị đổi.",
                                       "The file is not kept here: only its SHA-256, so a later change to it shows."))),
                  Input(form, form_id, InputSpec("attachment_uri", "Địa chỉ https", "https address").Type("url").Attributes("maxlength=\"500\"")),
                  Input(form, form_id, InputSpec("attachment_sha256", "Mã băm SHA-256", "SHA-256 hash").Attributes("maxlength=\"64\" pattern=\"[0-9a-fA-F]{64}\"")),
                  "</fieldset>", FormEnd("Ghi", "Record"));
  return out;
}

}  // namespace

const std::vector<std::string>& SeasonSteps() {
  static const std::vector<std::string>* steps = new std::vector<std::string>{
      "ocop:spraying",  "ocop:fertilizing", "ocop:caring",   "ocop:irrigating", "ocop:pruning", "ocop:planting",
      "ocop:stocking",  "ocop:feeding",     "ocop:treating", "ocop:vaccinating", "inspecting",  "sampling",
      "other"};
  return *steps;
}

const std::vector<std::string>& LotSteps() {
  static const std::vector<std::string>* steps = new std::vector<std::string>{
      "ocop:processing", "ocop:drying", "packing", "storing", "shipping", "receiving", "retail_selling",
      "inspecting",      "sampling",    "other"};
  return *steps;
}

std::string VietnamTime(const google::protobuf::Timestamp& time) {
  return absl::FormatTime("%Y-%m-%d %H:%M", grpcutil::FromProtoTime(time), Vietnam());
}

std::string RenderAreasBody(const AreasView& view) {
  const FormState& area = view.area_form;
  const std::string new_area = absl::StrCat(
      "<details", area.failed() ? " open" : "", "><summary>", Both("Đăng ký vùng trồng", "Register a growing area"),
      "</summary>", FormStart("area", "/areas", view.csrf, area, "Vùng trồng mới", "New growing area"),
      Input(area, "area",
            InputSpec("code", "Mã số vùng trồng", "Growing area code")
                .Required()
                .Attributes("maxlength=\"64\" autocapitalize=\"characters\" placeholder=\"VN-TN-05503-001\"")),
      Input(area, "area", InputSpec("crop", "Cây trồng", "Crop").Required().Attributes("maxlength=\"200\"")),
      "<div class=\"pair\">",
      Input(area, "area",
            InputSpec("commune_code", "Mã xã, phường", "Commune code")
                .Required()
                .Attributes("inputmode=\"numeric\" pattern=\"[0-9]{5}\" maxlength=\"5\"")),
      Input(area, "area",
            InputSpec("area_hectares", "Diện tích (ha)", "Area (ha)")
                .Type("number")
                .Required()
                .Attributes("min=\"0\" step=\"any\" inputmode=\"decimal\"")),
      "</div>", FormEnd("Đăng ký", "Register"), "</details>");
  if (view.areas.empty()) {
    return absl::StrCat("<p>", Both("Chưa có vùng trồng nào được đăng ký.", "No growing area is registered yet."),
                        "</p>", new_area);
  }
  std::string out = new_area;
  for (const AreaWithSeasons& entry : view.areas) {
    const batch::v1::GrowingArea& area = entry.area;
    absl::StrAppend(&out, "<section class=\"card\"><h2>", HtmlEscape(area.crop()), " · <code>",
                    HtmlEscape(area.code()), "</code></h2><dl>",
                    Fact("Diện tích", "Area", HtmlEscape(absl::StrCat(area.area_hectares(), " ha"))),
                    Fact("Mã xã", "Commune code", HtmlEscape(area.commune_code())), "</dl><h3>",
                    Both("Các vụ", "Seasons"), "</h3>");
    if (entry.seasons.empty()) {
      absl::StrAppend(&out, "<p>", Both("Chưa có vụ nào.", "No seasons yet."), "</p>");
    } else {
      absl::StrAppend(&out, "<ul class=\"links\">");
      for (const batch::v1::Season& season : entry.seasons) {
        absl::StrAppend(&out, "<li><a href=\"/", HtmlEscape(season.name()), "\">", HtmlEscape(season.label()),
                        "</a> · ", HtmlEscape(season.start_date()), season.end_date().empty() ? "" : " – ",
                        HtmlEscape(season.end_date()), " · ", season.event_count(), " ",
                        Both("sự kiện", "events"), "</li>");
      }
      absl::StrAppend(&out, "</ul>");
    }
    const bool refused = view.refused_area == area.name();
    FormState fresh;
    fresh.request_id = view.season_form.request_id;
    const FormState& form = refused ? view.season_form : fresh;
    const std::string form_id = "season-" + area.name().substr(area.name().rfind('/') + 1);
    absl::StrAppend(&out, "<details", refused ? " open" : "", "><summary>", Both("Thêm vụ mới", "Add a season"),
                    "</summary>", FormStart(form_id, absl::StrCat("/", area.name(), "/seasons"), view.csrf, form,
                                            "Vụ mới", "New season"),
                    Input(form, form_id, InputSpec("label", "Tên vụ", "Label").Required().Attributes("maxlength=\"100\" placeholder=\"Vụ xuân 2027\"")),
                    Input(form, form_id, InputSpec("start_date", "Ngày bắt đầu", "Start date").Type("date").Required(), view.today),
                    FormEnd("Thêm vụ", "Add season"), "</details></section>");
  }
  return absl::StrCat(out, Paging("/areas", view.this_page_token, view.next_page_token));
}

std::string RenderSeasonBody(const SeasonView& view) {
  std::string out = NoticeOf(view.notice);
  absl::StrAppend(&out, "<dl class=\"facts\">",
                  Fact("Vùng trồng", "Growing area",
                       absl::StrCat(HtmlEscape(view.area.crop()), " · <code>", HtmlEscape(view.area.code()), "</code>")),
                  Fact("Bắt đầu", "Started", HtmlEscape(view.season.start_date())),
                  Fact("Kết thúc", "Ended", HtmlEscape(view.season.end_date())), "</dl>");
  std::string last_place;
  if (!view.events.empty()) last_place = view.events.back().location().display_name();
  absl::StrAppend(&out, "<div class=\"columns\"><div>",
                  EventForm("event", absl::StrCat("/", view.season.name(), "/events"), view.csrf, view.event_form,
                            SeasonSteps(), view.now_local, last_place, true),
                  "</div><div>");
  // Harvest: the season becomes a lot of one of the producer's products.
  std::vector<std::pair<std::string, std::string>> products;
  for (const registry::v1::Product& product : view.products) {
    products.emplace_back(product.name(), HtmlEscape(product.display_name()));
  }
  const FormState& harvest = view.harvest_form;
  absl::StrAppend(
      &out, FormStart("harvest", absl::StrCat("/", view.season.name(), "/harvest"), view.csrf, harvest,
                      "Thu hoạch thành lô", "Harvest a lot"),
      Select(harvest, "harvest", "product", "Sản phẩm", "Product", products),
      Input(harvest, "harvest", InputSpec("lot_code", "Mã lô", "Lot code").Required().Attributes("maxlength=\"64\" autocapitalize=\"characters\"")),
      Input(harvest, "harvest", InputSpec("harvest_date", "Ngày thu hoạch", "Harvest date").Type("date").Required(), view.today),
      "<div class=\"pair\">",
      Input(harvest, "harvest", InputSpec("quantity", "Khối lượng", "Quantity").Type("number").Required().Attributes("min=\"0\" step=\"any\" inputmode=\"decimal\"")),
      Input(harvest, "harvest", InputSpec("unit", "Đơn vị", "Unit").Required().Attributes("maxlength=\"20\""), "kg"),
      "</div>",
      Input(harvest, "harvest", InputSpec("package_count", "Số gói sẽ dán tem", "Packages to label").Type("number").Attributes("min=\"0\" step=\"1\" inputmode=\"numeric\"")),
      Input(harvest, "harvest", InputSpec("expiry_date", "Hạn sử dụng", "Best before").Type("date")),
      FormEnd("Tạo lô", "Create lot"), "</div></div>");
  absl::StrAppend(&out, "<h2>", Both("Nhật ký vụ", "Season diary"), "</h2>",
                  EventsTable(view.events, "/" + view.season.name(), view.events_this_page_token,
                              view.events_next_page_token));
  return out;
}

std::string RenderLotsBody(const LotsView& view) {
  if (view.batches.empty()) {
    return absl::StrCat("<p>", Both("Chưa có lô nào. Thu hoạch từ một vụ để tạo lô.",
                                    "No lots yet. Harvest one from a season."),
                        " <a href=\"/areas\">", Both("Vùng trồng", "Growing areas"), "</a></p>");
  }
  const FormState& blend = view.blend_form;
  std::string out = absl::StrCat(FormStart("blend", "/batches/blend", view.csrf, blend, "Lô của bạn", "Your lots"),
                                 "<table><thead><tr><th scope=\"col\">", Both("Phối trộn", "Blend"),
                                 "</th><th scope=\"col\">", Both("Mã lô", "Lot"),
                                 "</th><th scope=\"col\">", Both("Sản phẩm", "Product"), "</th><th scope=\"col\">",
                                 Both("Ngày thu hoạch", "Harvested"), "</th><th scope=\"col\">",
                                 Both("Khối lượng", "Quantity"), "</th><th scope=\"col\">",
                                 Both("Trạng thái", "Status"), "</th></tr></thead><tbody>");
  for (const batch::v1::Batch& batch : view.batches) {
    auto name = view.product_names.find(batch.product());
    const std::string id = batch.name().substr(batch.name().rfind('/') + 1);
    const std::string check =
        batch.status() != batch::v1::BATCH_STATUS_OPEN
            ? "–"
            : absl::StrCat("<input type=\"checkbox\" id=\"blend-lot_", HtmlEscape(id), "\" name=\"lot_", HtmlEscape(id),
                           "\" value=\"1\"", blend.Value("lot_" + id) == "1" ? " checked" : "",
                           " aria-label=\"Phối trộn ", HtmlEscape(batch.lot_code()), " / Blend ",
                           HtmlEscape(batch.lot_code()), "\">");
    absl::StrAppend(&out, "<tr", batch.status() == batch::v1::BATCH_STATUS_RECALLED ? " class=\"expired\"" : "",
                    "><td data-label=\"Phối trộn / Blend\">", check,
                    "</td><td data-label=\"Mã lô / Lot\"><a href=\"/", HtmlEscape(batch.name()), "\">",
                    HtmlEscape(batch.lot_code()), "</a></td><td data-label=\"Sản phẩm / Product\">",
                    name == view.product_names.end() ? HtmlEscape(batch.product()) : HtmlEscape(name->second),
                    "</td><td data-label=\"Ngày thu hoạch / Harvested\">", HtmlEscape(batch.harvest_date()),
                    "</td><td data-label=\"Khối lượng / Quantity\">", Quantity(batch.quantity(), batch.unit()),
                    "</td><td data-label=\"Trạng thái / Status\">", StatusName(batch.status()), "</td></tr>");
  }
  absl::StrAppend(&out, "</tbody></table>", Paging("/batches", view.this_page_token, view.next_page_token),
                  "<p class=\"hint\">",
                  Both("Chọn từ hai lô đang lưu hành cùng sản phẩm, cùng đơn vị để phối trộn thành một lô mới; "
                       "các lô cũ được đóng lại.",
                       "Pick two or more open lots of one product and unit to blend into a new lot; they are closed."),
                  "</p>",
                  Input(blend, "blend", InputSpec("lot_code", "Mã lô mới", "New lot code").Attributes("maxlength=\"64\"")),
                  FormEnd("Phối trộn các lô đã chọn", "Blend the chosen lots"));
  return out;
}

std::string RenderLotBody(const LotView& view) {
  const batch::v1::Batch& batch = view.batch;
  std::string out = NoticeOf(view.notice);
  std::string seasons;
  for (const std::string& season : batch.source_seasons()) {
    absl::StrAppend(&seasons, seasons.empty() ? "" : "<br>", "<a href=\"/", HtmlEscape(season), "\">",
                    HtmlEscape(season), "</a>");
  }
  std::string family;
  for (const std::string& parent : batch.parents()) {
    absl::StrAppend(&family, family.empty() ? "" : "<br>", "← <a href=\"/", HtmlEscape(parent), "\">",
                    HtmlEscape(parent), "</a>");
  }
  for (const std::string& child : batch.children()) {
    absl::StrAppend(&family, family.empty() ? "" : "<br>", "→ <a href=\"/", HtmlEscape(child), "\">",
                    HtmlEscape(child), "</a>");
  }
  absl::StrAppend(&out, "<dl class=\"facts\">", Fact("Sản phẩm", "Product", HtmlEscape(view.product_name)),
                  Fact("Trạng thái", "Status",
                       absl::StrCat(StatusName(batch.status()),
                                    batch.recall_reason().empty() ? "" : " · " + HtmlEscape(batch.recall_reason()))),
                  Fact("Ngày thu hoạch", "Harvested", HtmlEscape(batch.harvest_date())),
                  Fact("Khối lượng", "Quantity", Quantity(batch.quantity(), batch.unit())),
                  Fact("Số gói", "Packages", batch.package_count() > 0 ? absl::StrCat(batch.package_count()) : ""),
                  Fact("Hạn sử dụng", "Best before", HtmlEscape(batch.expiry_date())),
                  Fact("Mã vùng trồng", "Growing area code", HtmlEscape(batch.growing_area_code())),
                  Fact("Thu hoạch từ vụ", "Harvested from", seasons), Fact("Lô liên quan", "Related lots", family),
                  "</dl>");

  // Stamp rolls of the lot.
  absl::StrAppend(&out, "<h2>", Both("Cuộn tem", "Stamp rolls"), "</h2>");
  if (view.rolls.empty()) {
    absl::StrAppend(&out, "<p>", Both("Chưa có cuộn tem nào.", "No stamp rolls yet."), "</p>");
  } else {
    absl::StrAppend(&out, "<ul class=\"links\">");
    for (const stamp::v1::Roll& roll : view.rolls) {
      absl::StrAppend(&out, "<li><a href=\"/", HtmlEscape(roll.name()), "\">", HtmlEscape(roll.name()), "</a> · ",
                      roll.count(), " ", Both("tem", "stamps"), " (", roll.first_serial(), "–",
                      roll.first_serial() + roll.count() - 1, ") · ", roll.active_count(), " ",
                      Both("đã kích hoạt", "active"), "</li>");
    }
    absl::StrAppend(&out, "</ul>");
  }

  const bool open = batch.status() == batch::v1::BATCH_STATUS_OPEN;
  const std::string base = "/" + batch.name();
  absl::StrAppend(&out, "<div class=\"columns\"><div>");
  if (open) {
    absl::StrAppend(&out, EventForm("event", base + "/events", view.csrf, view.event_form, LotSteps(), view.now_local,
                                    view.events.empty() ? "" : view.events.back().location().display_name(), false));
  }
  absl::StrAppend(&out, "</div><div>");
  if (batch.status() != batch::v1::BATCH_STATUS_RECALLED) {
    const FormState& roll = view.roll_form;
    absl::StrAppend(
        &out, FormStart("roll", base + "/rolls", view.csrf, roll, "Đặt cuộn tem", "Order a stamp roll"),
        Input(roll, "roll", InputSpec("count", "Số tem", "Stamps").Type("number").Required().Attributes("min=\"1\" step=\"1\" inputmode=\"numeric\""),
              batch.package_count() > 0 ? absl::StrCat(batch.package_count()) : ""),
        Input(roll, "roll", InputSpec("scratch_pins", "Có mã PIN cào", "Scratch-off PINs").Type("checkbox")),
        FormEnd("Đặt tem", "Order stamps"));
  }
  if (open) {
    const FormState& split = view.split_form;
    absl::StrAppend(&out, "<details", split.failed() ? " open" : "", "><summary>", Both("Chia lô", "Split the lot"),
                    "</summary>", FormStart("split", base + "/split", view.csrf, split, "Chia lô", "Split the lot"),
                    "<p class=\"hint\">",
                    Both(absl::StrCat("Tổng khối lượng phải bằng ", Quantity(batch.quantity(), batch.unit()), "."),
                         absl::StrCat("The quantities must add up to ", Quantity(batch.quantity(), batch.unit()), ".")),
                    "</p>");
    for (int i = 1; i <= 3; ++i) {
      absl::StrAppend(&out, "<div class=\"pair\">",
                      Input(split, "split", InputSpec(absl::StrCat("lot_code_", i), absl::StrCat("Mã lô ", i), absl::StrCat("Lot code ", i)).Required(i <= 2).Attributes("maxlength=\"64\"")),
                      Input(split, "split", InputSpec(absl::StrCat("quantity_", i), "Khối lượng", "Quantity").Type("number").Required(i <= 2).Attributes("min=\"0\" step=\"any\" inputmode=\"decimal\"")),
                      "</div>");
    }
    absl::StrAppend(&out, FormEnd("Chia lô", "Split"), "</details>");
  }
  if (batch.status() != batch::v1::BATCH_STATUS_RECALLED) {
    const FormState& recall = view.recall_form;
    absl::StrAppend(&out, "<details", recall.failed() ? " open" : "", "><summary>", Both("Thu hồi lô", "Recall"),
                    "</summary>",
                    FormStart("recall", base + "/recall", view.csrf, recall, "Thu hồi lô", "Recall the lot"),
                    "<p class=\"hint\">",
                    Both("Người tiêu dùng quét tem của lô này (và các lô chia từ nó) sẽ thấy lý do thu hồi.",
                         "Consumers scanning this lot's stamps (and its descendants') will see the reason."),
                    "</p>",
                    Input(recall, "recall", InputSpec("reason", "Lý do", "Reason").Type("textarea").Required().Attributes("maxlength=\"500\"")),
                    FormEnd("Thu hồi", "Recall"), "</details>");
  }
  absl::StrAppend(&out, "</div></div>");
  if (!view.scans_per_day.empty()) {
    absl::StrAppend(&out, "<h2>", Both("Lượt quét tem", "Scans of its stamps"), "</h2>",
                    BarChart(view.scans_per_day, "Lượt quét mỗi ngày, 30 ngày qua (đỏ: nghi tem sao chép)",
                             "Scans per day, last 30 days (red: possible copies)", "Lượt quét", "Scans"));
  }
  absl::StrAppend(&out, "<h2>", Both("Chuỗi sự kiện của lô", "The lot's events"), "</h2>",
                  EventsTable(view.events, base, view.events_this_page_token, view.events_next_page_token));
  return out;
}

std::string RenderRollBody(const RollView& view) {
  const stamp::v1::Roll& roll = view.roll;
  const uint64_t last = roll.first_serial() + roll.count() - 1;
  std::string out = NoticeOf(view.notice);
  absl::StrAppend(&out, "<dl class=\"facts\">",
                  Fact("Lô", "Lot", absl::StrCat("<a href=\"/", HtmlEscape(roll.batch()), "\">",
                                                 HtmlEscape(view.lot_code), "</a>")),
                  Fact("Số tem", "Stamps", absl::StrCat(roll.count(), " (", roll.first_serial(), "–", last, ")")),
                  Fact("Đã kích hoạt", "Active", absl::StrCat(roll.active_count())),
                  Fact("Mã PIN cào", "Scratch PINs", roll.scratch_pins() ? Both("Có", "Yes") : Both("Không", "No")),
                  "</dl>");
  // What each range of serials is now.
  absl::StrAppend(&out, "<h2>", Both("Trạng thái tem", "Stamp states"), "</h2><table><thead><tr><th scope=\"col\">",
                  Both("Từ số", "From"), "</th><th scope=\"col\">", Both("Đến số", "To"), "</th><th scope=\"col\">",
                  Both("Trạng thái", "State"), "</th></tr></thead><tbody>");
  uint64_t next = roll.first_serial();
  auto row = [&](uint64_t first, uint64_t through, stamp::v1::StampState state) {
    absl::StrAppend(&out, "<tr class=\"state-", static_cast<int>(state), "\"><td data-label=\"Từ số / From\">", first,
                    "</td><td data-label=\"Đến số / To\">", through, "</td><td data-label=\"Trạng thái / State\">",
                    StateName(state), "</td></tr>");
  };
  for (const stamp::v1::StateRange& range : roll.states()) {
    if (range.first_serial() > next) row(next, range.first_serial() - 1, stamp::v1::STAMP_STATE_ISSUED);
    row(range.first_serial(), range.last_serial(), range.state());
    next = range.last_serial() + 1;
  }
  if (next <= last) row(next, last, stamp::v1::STAMP_STATE_ISSUED);
  absl::StrAppend(&out, "</tbody></table>");

  absl::StrAppend(&out, "<div class=\"columns\"><div>");
  const FormState& download = view.download_form;
  const uint64_t remaining = view.next_to_download <= last ? last - view.next_to_download + 1 : 0;
  absl::StrAppend(
      &out, FormStart("download", absl::StrCat("/", roll.name(), "/download"), view.csrf, download,
                      "Tải tem để in", "Download stamps to print"),
      "<p class=\"hint\">",
      Both(absl::StrCat("Mỗi tem chỉ tải được một lần; PDF tối đa ", kMaxDownloadPdf, " tem, ZPL ", kMaxDownloadZpl,
                        " tem mỗi lần."),
           absl::StrCat("Each stamp downloads once; at most ", kMaxDownloadPdf, " stamps per PDF, ", kMaxDownloadZpl,
                        " per ZPL file.")),
      "</p>",
      Select(download, "download", "format", "Định dạng", "Format",
             {{"pdf-a4", Both("PDF, tờ A4 (3 × 8 tem)", "PDF, A4 sheets (3 × 8 labels)")},
              {"pdf-roll", Both("PDF, cuộn nhãn 64 × 34 mm", "PDF, label roll 64 × 34 mm")},
              {"zpl", Both("ZPL cho máy in Zebra", "ZPL for Zebra printers")}}),
      "<div class=\"pair\">",
      Input(download, "download", InputSpec("first_serial", "Từ số", "From serial").Type("number").Required().Attributes("min=\"1\" step=\"1\" inputmode=\"numeric\""),
            remaining > 0 ? absl::StrCat(view.next_to_download) : ""),
      Input(download, "download", InputSpec("count", "Số tem", "Stamps").Type("number").Required().Attributes("min=\"1\" step=\"1\" inputmode=\"numeric\""),
            remaining > 0 ? absl::StrCat(std::min<uint64_t>(remaining, kMaxDownloadPdf)) : ""),
      "</div>",
      Input(download, "download", InputSpec("printer", "Máy in", "Printer").Required().Attributes("maxlength=\"100\""), "console"),
      FormEnd("Tải về", "Download"));
  if (!view.renders.empty()) {
    absl::StrAppend(&out, "<h3>", Both("Đã tải", "Downloaded"), "</h3><ul class=\"links\">");
    for (const stamp::v1::Render& render : view.renders) {
      absl::StrAppend(&out, "<li>", render.first_serial(), "–", render.last_serial(), " · ",
                      HtmlEscape(render.printer()), " · ", VietnamTime(render.start_time()), "</li>");
    }
    absl::StrAppend(&out, "</ul>");
  }
  absl::StrAppend(&out, "</div><div>");
  const FormState& activate = view.activate_form;
  const uint64_t activatable = view.next_to_activate <= last && view.next_to_activate > 0
                                   ? last - view.next_to_activate + 1
                                   : 0;
  absl::StrAppend(
      &out,
      FormStart("activate", absl::StrCat("/", roll.name(), "/activate"), view.csrf, activate,
                "Kích hoạt tem đã dán", "Activate labelled stamps"),
      "<p class=\"hint\">",
      Both("Chỉ tem đã kích hoạt mới hiện là chính hãng khi quét.", "Only active stamps scan as genuine."), "</p>",
      "<div class=\"pair\">",
      Input(activate, "activate", InputSpec("first_serial", "Từ số", "From serial").Type("number").Required().Attributes("min=\"1\" step=\"1\" inputmode=\"numeric\""),
            activatable > 0 ? absl::StrCat(view.next_to_activate) : ""),
      Input(activate, "activate", InputSpec("count", "Số tem", "Stamps").Type("number").Required().Attributes("min=\"1\" step=\"1\" inputmode=\"numeric\"")),
      "</div>",
      Input(activate, "activate", InputSpec("override_package_limit", "Vượt số gói đã khai", "More than the declared packages").Type("checkbox")),
      Input(activate, "activate", InputSpec("reason", "Lý do (khi vượt)", "Reason (when over)").Attributes("maxlength=\"500\"")),
      FormEnd("Kích hoạt", "Activate"));
  const FormState& change = view.change_form;
  absl::StrAppend(
      &out, "<details", change.failed() ? " open" : "", "><summary>",
      Both("Huỷ hoặc thu hồi tem", "Void or revoke stamps"), "</summary>",
      FormStart("change", absl::StrCat("/", roll.name(), "/change"), view.csrf, change, "Huỷ hoặc thu hồi tem",
                "Void or revoke stamps"),
      Select(change, "change", "action", "Việc cần làm", "Action",
             {{"void", Both("Huỷ (tem hỏng, đã tiêu huỷ)", "Void (spoiled, destroyed)")},
              {"revoke", Both("Thu hồi (bị mất, bị lấy cắp)", "Revoke (lost or stolen)")}}),
      "<div class=\"pair\">",
      Input(change, "change", InputSpec("first_serial", "Từ số", "From serial").Type("number").Required().Attributes("min=\"1\" step=\"1\" inputmode=\"numeric\"")),
      Input(change, "change", InputSpec("count", "Số tem", "Stamps").Type("number").Required().Attributes("min=\"1\" step=\"1\" inputmode=\"numeric\"")),
      "</div>",
      Input(change, "change", InputSpec("reason", "Lý do", "Reason").Type("textarea").Required().Attributes("maxlength=\"500\"")),
      FormEnd("Xác nhận", "Confirm"), "</details></div></div>");
  return out;
}

std::string RenderScansBody(const ScansView& view) {
  std::string out = BarChart(view.per_day,
                             absl::StrCat("Lượt quét tem mỗi ngày, ", view.from_day, " – ", view.to_day,
                                          " (đỏ: nghi tem sao chép)"),
                             absl::StrCat("Scans per day, ", view.from_day, " to ", view.to_day,
                                          " (red: possible copies)"),
                             "Lượt quét", "Scans");
  absl::StrAppend(&out, "<h2>", Both("Theo lô", "By lot"), "</h2>");
  if (view.per_lot.empty()) {
    absl::StrAppend(&out, "<p>", Both("Chưa có lượt quét nào.", "No scans yet."), "</p>");
  } else {
    int64_t most = 1;
    for (const stamp::v1::ScanStatsRow& row : view.per_lot) most = std::max(most, row.scans());
    absl::StrAppend(&out, "<table><thead><tr><th scope=\"col\">", Both("Lô", "Lot"), "</th><th scope=\"col\">",
                    Both("Lượt quét", "Scans"), "</th><th scope=\"col\">", Both("Người quét", "People"),
                    "</th><th scope=\"col\">", Both("Nghi sao chép", "Possible copies"), "</th></tr></thead><tbody>");
    for (const stamp::v1::ScanStatsRow& row : view.per_lot) {
      auto code = view.lot_codes.find(row.key());
      absl::StrAppend(&out, "<tr", row.possible_copy_scans() > 0 ? " class=\"expired\"" : "",
                      "><td data-label=\"Lô / Lot\"><a href=\"/", HtmlEscape(row.key()), "\">",
                      HtmlEscape(code == view.lot_codes.end() ? row.key() : code->second),
                      "</a></td><td data-label=\"Lượt quét / Scans\">", row.scans(),
                      absl::StrFormat(" <svg width=\"80\" height=\"10\" aria-hidden=\"true\"><rect width=\"%d\" "
                                      "height=\"10\" fill=\"#1f5e3a\"/></svg>",
                                      static_cast<int>(80 * row.scans() / most)),
                      "</td><td data-label=\"Người quét / People\">", row.distinct_clients(),
                      "</td><td data-label=\"Nghi sao chép / Possible copies\">", row.possible_copy_scans(),
                      "</td></tr>");
    }
    absl::StrAppend(&out, "</tbody></table>");
  }
  absl::StrAppend(&out, "<h2>", Both("Tem nghi bị sao chép", "Stamps flagged as possible copies"), "</h2><p class=\"hint\">",
                  Both("Một tem bị quét ở nhiều nơi, bởi nhiều người, trong nhiều ngày: có thể tem đã bị in lại. "
                       "Kiểm tra tại điểm bán; văn phòng OCOP tỉnh có thể gỡ cờ sau khi kiểm tra.",
                       "One stamp scanned in many places, by many people, on many days may have been copied. "
                       "Check at the shop; the provincial OCOP office can clear the flag after checking."),
                  "</p>");
  if (view.flagged.empty()) {
    absl::StrAppend(&out, "<p>", Both("Không có tem nào bị gắn cờ.", "No stamp is flagged."), "</p>");
  } else {
    absl::StrAppend(&out, "<table><thead><tr><th scope=\"col\">", Both("Số tem", "Serial"), "</th><th scope=\"col\">",
                    Both("Lượt quét", "Scans"), "</th><th scope=\"col\">", Both("Người quét", "People"),
                    "</th><th scope=\"col\">", Both("Số ngày", "Days"), "</th><th scope=\"col\">",
                    Both("Nghi sao chép", "Possible copies"), "</th></tr></thead><tbody>");
    for (const stamp::v1::ScanStatsRow& row : view.flagged) {
      absl::StrAppend(&out, "<tr class=\"expired\"><td data-label=\"Số tem / Serial\">", HtmlEscape(row.key()),
                      "</td><td data-label=\"Lượt quét / Scans\">", row.scans(),
                      "</td><td data-label=\"Người quét / People\">", row.distinct_clients(),
                      "</td><td data-label=\"Số ngày / Days\">", row.distinct_days(),
                      "</td><td data-label=\"Nghi sao chép / Possible copies\">", row.possible_copy_scans(),
                      "</td></tr>");
    }
    absl::StrAppend(&out, "</tbody></table>");
  }
  if (view.more_stamps) {
    absl::StrAppend(&out, "<p class=\"hint\">",
                    Both("Chỉ xét 1.000 tem được quét đầu tiên trong kỳ.", "Only the first 1,000 scanned stamps of the period were looked at."),
                    "</p>");
  }
  return out;
}

}  // namespace ocop::console
