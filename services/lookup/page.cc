#include "services/lookup/page.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/epcis/vocabulary.h"
#include "common/grpc/proto_time.h"
#include "common/http/web.h"
#include "common/ocop_category/ocop_category.h"
#include "common/ocop_mark/ocop_mark.h"

namespace ocop::lookup {
namespace {

using http::HtmlEscape;

constexpr char kStyle[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f7f4;"
    "color:#1d2320;line-height:1.45;overflow-wrap:anywhere}main{max-width:34rem;margin:0 auto;padding:1rem}"
    "nav{text-align:right;font-size:.9rem;margin-bottom:.5rem}a{color:#0b5a8c}"
    ".verdict{border-radius:.75rem;padding:1rem;font-size:1.35rem;font-weight:700;color:#fff}"
    ".verdict small{display:block;font-size:.9rem;font-weight:400;opacity:.9}"
    ".ok{background:#1f7a3a}.bad{background:#b3261e}.warn{background:#9a6700}.wait{background:#44617a}"
    "section{background:#fff;border-radius:.75rem;padding:.75rem 1rem;margin-top:.75rem}"
    "h1{font-size:1.25rem;margin:.25rem 0}h2{font-size:1rem;margin:.25rem 0 .5rem;color:#44514a}"
    ".en{color:#5b6660;font-size:.85rem}.stars{color:#c58a00;font-size:1.2rem;letter-spacing:.1rem}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .75rem;margin:0}dt{color:#5b6660}dd{margin:0}"
    "ol{list-style:none;padding:0;margin:0}li{border-left:3px solid #1f7a3a;padding:.1rem 0 .6rem .75rem}"
    "time{color:#5b6660;font-size:.85rem}footer{color:#5b6660;font-size:.75rem;margin:1rem 0;word-break:break-all}";

constexpr char kTail[] = "</main></body></html>\n";

// A timeline longer than this shows its first and last events (the page stays under 30 KB).
constexpr int kMaxTimelineEvents = 40;

// Writes texts in both languages, the chosen one first.
class Writer {
 public:
  explicit Writer(const PageOptions& options) : options_(options) {}
  bool english() const { return options_.language == PageLanguage::kEnglish; }

  // "primary <span class=en>secondary</span>": a label or a short phrase.
  std::string Both(absl::string_view vi, absl::string_view en) const {
    return absl::StrCat(english() ? en : vi, " <span class=\"en\">", english() ? vi : en, "</span>");
  }
  // One language only, for what needs no translation twice (e.g. a date's preposition).
  absl::string_view One(absl::string_view vi, absl::string_view en) const { return english() ? en : vi; }
  // Two paragraphs, the chosen language first.
  std::string Paragraphs(absl::string_view vi, absl::string_view en) const {
    return absl::StrCat("<p>", english() ? en : vi, "</p><p class=\"en\">", english() ? vi : en, "</p>");
  }
  // The coloured verdict box: `kind` is ok, warn or bad.
  std::string Verdict(absl::string_view kind, absl::string_view vi, absl::string_view en) const {
    return absl::StrCat("<div class=\"verdict ", kind, "\">", english() ? en : vi, "<small>", english() ? vi : en,
                        "</small></div>");
  }

  std::string Head() const {
    std::string head = absl::StrCat("<!doctype html><html lang=\"", english() ? "en" : "vi",
                                    "\"><head><meta charset=\"utf-8\">",
                                    "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
                                    "<meta name=\"robots\" content=\"noindex\"><title>",
                                    One("Truy xuất nguồn gốc OCOP", "OCOP traceability"), "</title><style>", kStyle,
                                    "</style></head><body><main>");
    if (!options_.other_language_href.empty()) {
      absl::StrAppend(&head, "<nav><a href=\"", HtmlEscape(options_.other_language_href), "\" hreflang=\"",
                      english() ? "vi\" lang=\"vi\">Tiếng Việt" : "en\" lang=\"en\">English", "</a></nav>");
    }
    return head;
  }

 private:
  const PageOptions& options_;
};

// "2026-03-14 07:30 (+07:00)" in the event's own offset.
std::string LocalTime(const google::protobuf::Timestamp& time, absl::string_view offset) {
  int hours = 0;
  int minutes = 0;
  bool parsed = offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') &&
                absl::SimpleAtoi(offset.substr(1, 2), &hours) && absl::SimpleAtoi(offset.substr(4, 2), &minutes);
  if (!parsed) {  // events are validated on capture; Vietnam time is the safe fallback
    hours = 7;
    minutes = 0;
    offset = "+07:00";
  }
  int sign = offset[0] == '-' ? -1 : 1;
  absl::TimeZone zone = absl::FixedTimeZone(sign * (hours * 3600 + minutes * 60));
  return absl::StrCat(absl::FormatTime("%Y-%m-%d %H:%M", grpcutil::FromProtoTime(time), zone), " (", offset, ")");
}

void AppendVerdict(std::string& out, const Writer& w, const v1::ResolveResponse& result) {
  switch (result.verdict()) {
    case v1::VERDICT_GENUINE:
      absl::StrAppend(&out, w.Verdict("ok", "✔ Tem chính hãng", "✔ Genuine stamp"));
      return;
    case v1::VERDICT_CERTIFICATE_EXPIRED:
      absl::StrAppend(&out, w.Verdict("warn", "Tem thật, nhưng chứng nhận OCOP đã hết hạn",
                                      "Genuine stamp, but the OCOP certificate has expired"));
      return;
    case v1::VERDICT_NOT_ACTIVATED:
      absl::StrAppend(&out, w.Verdict("warn", "Tem chưa được kích hoạt", "Stamp not yet activated"), "<section>",
                      w.Paragraphs("Tem này có thật nhưng nhà sản xuất chưa đưa vào sử dụng. Nếu bạn thấy nó "
                                   "trên sản phẩm đang bán, hãy báo cho nơi bán.",
                                   "This stamp is real but the producer has not put it into use. If you see it on "
                                   "a product for sale, tell the seller."),
                      "</section>");
      return;
    case v1::VERDICT_VOID:
      absl::StrAppend(&out, w.Verdict("bad", "✖ Tem đã bị huỷ", "✖ Stamp voided"), "<section>",
                      w.Paragraphs("Tem này đã bị huỷ do in hỏng và không được dùng trên sản phẩm.",
                                   "This stamp was voided as a spoiled label and must not be on a product."),
                      "</section>");
      return;
    case v1::VERDICT_REVOKED:
      absl::StrAppend(&out, w.Verdict("bad", "✖ Tem đã bị thu hồi", "✖ Stamp revoked"), "<section>",
                      w.Paragraphs("Tem này đã được báo mất hoặc bị đánh cắp. Sản phẩm mang tem này có thể là "
                                   "hàng giả.",
                                   "This stamp was reported lost or stolen. A product carrying it may be counterfeit."),
                      "</section>");
      return;
    case v1::VERDICT_RECALLED:
      absl::StrAppend(&out,
                      w.Verdict("bad", "⚠ Lô hàng đã bị thu hồi — không sử dụng",
                                "⚠ This lot has been recalled — do not use it"),
                      "<section><p><strong>", w.One("Lý do", "Reason"), ":</strong> ",
                      HtmlEscape(result.batch().recall_reason()), "</p>",
                      w.Paragraphs("Tem là thật, nhưng nhà sản xuất đã thu hồi lô hàng này. Vui lòng ngừng sử dụng "
                                   "và liên hệ nơi bán để được đổi trả.",
                                   "The stamp is genuine, but the producer has recalled this lot. Stop using it and "
                                   "contact the seller for a return."),
                      "</section>");
      return;
    case v1::VERDICT_POSSIBLE_COPY: {
      const std::string clients = absl::StrCat(result.scans().distinct_clients());
      const std::string days = absl::StrCat(result.scans().distinct_days());
      absl::StrAppend(
          &out, w.Verdict("warn", "⚠ Có thể là tem sao chép", "⚠ This may be a copied stamp"), "<section>",
          w.Paragraphs(absl::StrCat("Tem này là thật nhưng đã được quét bởi khoảng ", clients,
                                    " thiết bị khác nhau trong ", days,
                                    " ngày. Một tem dán trên một sản phẩm thường chỉ được vài người quét. Hãy kiểm "
                                    "tra bao bì và mua ở nơi tin cậy; nếu nghi ngờ, báo cho cơ quan quản lý thị "
                                    "trường."),
                       absl::StrCat("The stamp is real, but about ", clients, " different devices scanned it on ",
                                    days, " days; one package is usually scanned by a few people. Check the "
                                    "packaging and the seller.")),
          "</section>");
      return;
    }
    case v1::VERDICT_UNIT_NOT_VERIFIED: {
      bool lot = result.has_batch();
      absl::StrAppend(
          &out, w.Verdict("warn", "Không xác minh được sản phẩm này", "This unit could not be verified"), "<section>",
          w.Paragraphs(absl::StrCat("Mã này là đường dẫn GS1 tới ", lot ? "lô hàng" : "sản phẩm",
                                    " bên dưới, không phải tem truy xuất có chữ ký, nên không thể xác minh từng gói "
                                    "hàng. Thông tin dưới đây là của ",
                                    lot ? "lô hàng." : "sản phẩm."),
                       absl::StrCat("This GS1 link names the ", lot ? "lot" : "product",
                                    " below, not a signed traceability stamp, so this package itself cannot be "
                                    "verified.")),
          "</section>");
      return;
    }
    case v1::VERDICT_PRODUCT_PAGE:
      absl::StrAppend(
          &out, w.Verdict("wait", "Thông tin sản phẩm OCOP", "OCOP product information"), "<section>",
          w.Paragraphs("Đây là thông tin sản phẩm trong cơ sở dữ liệu OCOP, không phải kết quả kiểm tra một gói hàng. "
                       "Để kiểm tra gói hàng, hãy quét tem truy xuất trên bao bì.",
                       "This is the product's record in the OCOP register, not a check of a package. To check a "
                       "package, scan the traceability stamp on it."),
          "</section>");
      return;
    default:
      absl::StrAppend(&out, w.Verdict("bad", "✖ Tem không hợp lệ — có thể là hàng giả",
                                      "✖ Not a genuine stamp — the product may be counterfeit"));
  }
}

// The product's OCOP standing on the day of the scan, in words. Stars appear only for a product
// certified that day (common/ocop_mark): never for a lower rating, a lapsed certificate or a
// suspended or withdrawn product.
void AppendOcopMark(std::string& out, const Writer& w, const v1::OcopMark& ocop) {
  const std::string until = HtmlEscape(ocop.valid_until());
  const std::string certificate =
      ocop.certificate_number().empty()
          ? ""
          : absl::StrCat("<dl><dt>", w.One("Giấy chứng nhận", "Certificate"), "</dt><dd>",
                         HtmlEscape(ocop.certificate_number()), "</dd></dl>");
  switch (ocop.state()) {
    case v1::OCOP_MARK_STATE_CERTIFIED: {
      const int stars = ocop.stars();
      std::string shown;
      for (int i = 1; i <= 5; ++i) absl::StrAppend(&shown, i <= stars ? "★" : "☆");
      absl::StrAppend(&out, "<div class=\"stars\" aria-label=\"", stars, w.One(" sao", " stars"), "\">", shown,
                      "</div><p class=\"ocop\">",
                      w.Both(absl::StrCat("Sản phẩm OCOP ", stars, " sao, chứng nhận còn hiệu lực đến ", until),
                             absl::StrCat("OCOP ", stars, "-star product, certified until ", until)),
                      "</p>", certificate);
      return;
    }
    case v1::OCOP_MARK_STATE_EXPIRED:
      absl::StrAppend(&out, "<p class=\"ocop\">",
                      w.Both(absl::StrCat("Chứng nhận OCOP đã hết hạn ngày ", until),
                             absl::StrCat("OCOP certificate expired on ", until)),
                      "</p>", certificate);
      return;
    case v1::OCOP_MARK_STATE_SUSPENDED:
      absl::StrAppend(&out, "<p class=\"ocop\">",
                      w.Both("Chứng nhận OCOP của sản phẩm đang bị tạm dừng", "OCOP certification suspended"), "</p>");
      return;
    case v1::OCOP_MARK_STATE_WITHDRAWN:
      absl::StrAppend(&out, "<p class=\"ocop\">",
                      w.Both("Sản phẩm đã rút khỏi Chương trình OCOP", "Withdrawn from the OCOP programme"), "</p>");
      return;
    default:
      absl::StrAppend(&out, "<p class=\"ocop\">",
                      w.Both("Sản phẩm chưa được công nhận OCOP", "Not OCOP-certified"), "</p>");
  }
}

void AppendProduct(std::string& out, const Writer& w, const v1::ResolveResponse& result) {
  const auto& product = result.product();
  absl::StrAppend(&out, "<section><h1>", HtmlEscape(product.display_name()), "</h1>");
  AppendOcopMark(out, w, product.ocop());
  if (absl::StatusOr<const ocop_category::Category*> category =
          ocop_category::FindCategory("category", product.category());
      category.ok()) {
    const ocop_mark::GroupLabel group = ocop_mark::LabelOf(product.group());
    absl::StrAppend(&out, "<p>", w.One(group.vietnamese, group.english), " · ",
                    w.One(HtmlEscape((*category)->name), HtmlEscape((*category)->english_name)), "</p>");
  }
  if (!product.description().empty()) absl::StrAppend(&out, "<p>", HtmlEscape(product.description()), "</p>");
  absl::StrAppend(&out, "</section>");
}

void AppendProducer(std::string& out, const Writer& w, const v1::ResolveResponse& result) {
  const auto& producer = result.producer();
  const auto& address = producer.address();
  absl::StrAppend(&out, "<section><h2>", w.Both("Chủ thể sản xuất", "Producer"), "</h2><dl><dt>",
                  w.One("Tên", "Name"), "</dt><dd>", HtmlEscape(producer.display_name()), "</dd><dt>",
                  w.One("Địa chỉ", "Address"), "</dt><dd>",
                  HtmlEscape(absl::StrCat(address.street().empty() ? "" : address.street() + ", ",
                                          address.commune_name(), ", ", address.province_name())),
                  "</dd></dl></section>");
}

const char* SchemeName(batch::v1::CertificationScheme scheme, const Writer& w) {
  switch (scheme) {
    case batch::v1::CERTIFICATION_SCHEME_VIETGAP: return "VietGAP";
    case batch::v1::CERTIFICATION_SCHEME_GLOBALGAP: return "GlobalGAP";
    case batch::v1::CERTIFICATION_SCHEME_ORGANIC: return w.english() ? "Organic" : "Hữu cơ";
    default: return "";
  }
}

void AppendEvent(std::string& out, const Writer& w, const v1::PublicEvent& event) {
  const epcis::StepInfo* step = epcis::FindStep(event.biz_step());
  absl::StrAppend(&out, "<li><strong>",
                  step != nullptr ? w.Both(step->vietnamese, step->english) : HtmlEscape(event.biz_step()),
                  "</strong><br><time>", LocalTime(event.event_time(), event.event_time_zone_offset()), "</time>");
  if (!event.location().display_name().empty()) {
    absl::StrAppend(&out, "<br>", HtmlEscape(event.location().display_name()));
  }
  if (!event.corrects().empty()) {
    absl::StrAppend(&out, "<br><em>", w.One("Đính chính", "Correction"), ": ", HtmlEscape(event.correction_reason()),
                    "</em>");
  }
  absl::StrAppend(&out, "</li>");
}

void AppendBatch(std::string& out, const Writer& w, const v1::ResolveResponse& result) {
  const auto& batch = result.batch();
  absl::StrAppend(&out, "<section><h2>", w.Both("Lô hàng", "Batch"), "</h2><dl><dt>", w.One("Mã lô", "Lot"),
                  "</dt><dd>", HtmlEscape(batch.lot_code()), "</dd><dt>", w.One("Ngày thu hoạch", "Harvested"),
                  "</dt><dd>", HtmlEscape(batch.harvest_date()), "</dd>");
  if (!batch.expiry_date().empty()) {
    absl::StrAppend(&out, "<dt>", w.One("Hạn sử dụng", "Best before"), "</dt><dd>", HtmlEscape(batch.expiry_date()),
                    "</dd>");
  }
  absl::StrAppend(&out, "<dt>", w.One("Sản lượng", "Quantity"), "</dt><dd>", absl::StrFormat("%g", batch.quantity()),
                  " ", HtmlEscape(batch.unit()), "</dd>");
  if (!batch.growing_area_code().empty()) {
    absl::StrAppend(&out, "<dt>", w.One("Mã vùng trồng", "Growing area"), "</dt><dd>",
                    HtmlEscape(batch.growing_area_code()), "</dd>");
  }
  for (const auto& certification : batch.certifications()) {
    absl::StrAppend(&out, "<dt>", SchemeName(certification.scheme(), w), "</dt><dd>",
                    HtmlEscape(certification.certificate_number()));
    if (!certification.certifying_body().empty()) {
      absl::StrAppend(&out, " · ", HtmlEscape(certification.certifying_body()));
    }
    absl::StrAppend(&out, "<br>", w.One("Hiệu lực", "Valid"), " ");
    if (!certification.valid_from().empty()) {
      absl::StrAppend(&out, w.One("từ", "from"), " ", HtmlEscape(certification.valid_from()), " ");
    }
    absl::StrAppend(&out, w.One("đến", "until"), " ", HtmlEscape(certification.valid_until()));
    // Lots recorded before the harvest day was checked may hold a certificate that did not cover
    // it: say so rather than let it vouch for the lot.
    if (!certification.covers_harvest()) {
      const bool lapsed = certification.valid_until() < batch.harvest_date();
      absl::StrAppend(&out, "<br><strong>",
                      lapsed ? w.Both("Đã hết hạn trước ngày thu hoạch", "Expired before harvest")
                             : w.Both("Chưa có hiệu lực vào ngày thu hoạch", "Not yet valid at harvest"),
                      "</strong>");
    }
    absl::StrAppend(&out, "</dd>");
  }
  for (const auto& ancestor : result.ancestors()) {
    absl::StrAppend(&out, "<dt>", w.One("Từ lô", "Made from lot"), "</dt><dd>", HtmlEscape(ancestor.lot_code()),
                    "</dd>");
  }
  absl::StrAppend(&out, "</dl></section>");
  if (result.events_size() == 0) return;
  absl::StrAppend(&out, "<section><h2>", w.Both("Hành trình sản phẩm", "From the field"), "</h2><ol>");
  const int count = result.events_size();
  for (int i = 0; i < count; ++i) {
    // A long history keeps its beginning (the field) and its end (the latest steps).
    if (count > kMaxTimelineEvents && i == kMaxTimelineEvents / 2) {
      const int skipped = count - kMaxTimelineEvents;
      absl::StrAppend(&out, "<li>… ", w.Both(absl::StrCat(skipped, " sự kiện khác"), absl::StrCat(skipped, " more events")),
                      "</li>");
      i = count - kMaxTimelineEvents / 2 - 1;
      continue;
    }
    AppendEvent(out, w, result.events(i));
  }
  absl::StrAppend(&out, "</ol></section>");
}

// The signed checkpoints of the event chains shown (the lot, its ancestors, its seasons),
// published in the footer so that a later rewrite of the batch database can be proven
// (docs/event-chain.md).
std::string Checkpoints(const v1::ResolveResponse& result) {
  std::string out;
  auto append_checkpoint = [&out](const batch::v1::Checkpoint& checkpoint) {
    absl::StrAppend(&out, "<br>", HtmlEscape(checkpoint.chain()), " #", checkpoint.sequence(), " ",
                    HtmlEscape(checkpoint.head_hash()), " ", HtmlEscape(checkpoint.key_id()));
  };
  if (result.batch().has_checkpoint()) append_checkpoint(result.batch().checkpoint());
  for (const auto& ancestor : result.ancestors()) {
    if (ancestor.has_checkpoint()) append_checkpoint(ancestor.checkpoint());
  }
  for (const auto& season : result.seasons()) {
    if (season.has_checkpoint()) append_checkpoint(season.checkpoint());
  }
  return out;
}

void AppendFooter(std::string& out, const v1::ResolveResponse& result, absl::string_view checkpoints) {
  absl::StrAppend(&out, "<footer>");
  if (result.has_stamp()) {
    absl::StrAppend(&out, "Số sê-ri / serial ", result.stamp().serial(), " · khoá / key ",
                    HtmlEscape(result.stamp().key_id()));
  }
  absl::StrAppend(&out, checkpoints, "</footer>");
}

}  // namespace

bool PageShowsDetails(v1::Verdict verdict) {
  // A stolen, voided or never-activated stamp may sit on a counterfeit: no product details.
  return verdict == v1::VERDICT_GENUINE || verdict == v1::VERDICT_CERTIFICATE_EXPIRED ||
         verdict == v1::VERDICT_RECALLED || verdict == v1::VERDICT_POSSIBLE_COPY ||
         verdict == v1::VERDICT_UNIT_NOT_VERIFIED || verdict == v1::VERDICT_PRODUCT_PAGE;
}

PageDetails RenderPageDetails(const v1::ResolveResponse& result, PageLanguage language) {
  PageOptions options;
  options.language = language;
  Writer w(options);
  PageDetails details;
  AppendProduct(details.sections, w, result);
  AppendProducer(details.sections, w, result);
  if (result.has_batch()) AppendBatch(details.sections, w, result);
  details.checkpoints = Checkpoints(result);
  return details;
}

std::string RenderResultPage(const v1::ResolveResponse& result, const PageOptions& options) {
  if (!PageShowsDetails(result.verdict())) return RenderResultPage(result, PageDetails(), options);
  return RenderResultPage(result, RenderPageDetails(result, options.language), options);
}

std::string RenderResultPage(const v1::ResolveResponse& result, const PageDetails& details,
                             const PageOptions& options) {
  Writer w(options);
  std::string out = w.Head();
  out.reserve(out.size() + details.sections.size() + details.checkpoints.size() + 1024);
  AppendVerdict(out, w, result);
  if (PageShowsDetails(result.verdict())) {
    absl::StrAppend(&out, details.sections);
    AppendFooter(out, result, details.checkpoints);
  } else if (result.verdict() == v1::VERDICT_NOT_GENUINE) {
    absl::StrAppend(&out, "<section>",
                    w.Paragraphs("Mã này không do hệ thống truy xuất OCOP phát hành. Vui lòng báo cho nơi bán hoặc "
                                 "cơ quan quản lý thị trường.",
                                 "This code was not issued by the OCOP traceability system. Please tell the seller "
                                 "or the market authority."),
                    "</section>");
  }
  absl::StrAppend(&out, kTail);
  return out;
}

std::string RenderCataloguePage(const v1::Catalogue& catalogue, const CatalogueFilter& filter,
                                const PageOptions& options) {
  Writer w(options);
  const std::string language = w.english() ? "lang=en" : "";
  const std::string province =
      HtmlEscape(catalogue.province_name().empty() ? catalogue.province_code() : catalogue.province_name());
  const bool filtered = !filter.words.empty() || filter.stars != 0 ||
                        filter.group != registry::v1::PRODUCT_GROUP_UNSPECIFIED || !filter.commune_code.empty() ||
                        !filter.category.empty();
  std::string out = w.Head();
  absl::StrAppend(&out, "<section><h1>", w.One("Sản phẩm OCOP ", "OCOP products of "), province, "</h1><p>",
                  filtered ? w.Both(absl::StrCat(catalogue.total(), " sản phẩm phù hợp, chứng nhận OCOP còn hiệu lực ngày ",
                                                 catalogue.as_of()),
                                    absl::StrCat(catalogue.total(), " matching products, OCOP certificate in force on ",
                                                 catalogue.as_of()))
                           : w.Both(absl::StrCat(catalogue.total(), " sản phẩm có chứng nhận OCOP còn hiệu lực ngày ",
                                                 catalogue.as_of()),
                                    absl::StrCat(catalogue.total(), " products with an OCOP certificate in force on ",
                                                 catalogue.as_of())),
                  "</p>");
  // The search form: a GET to this same page, so a search is a link that can be shared.
  absl::StrAppend(&out, "<form method=\"get\"><p><input name=\"q\" type=\"search\" value=\"",
                  HtmlEscape(filter.query), "\" placeholder=\"", w.One("Tên sản phẩm, chủ thể, xã", "Product, producer, commune"),
                  "\" aria-label=\"", w.One("Tìm", "Search"), "\"> <select name=\"stars\" aria-label=\"",
                  w.One("Hạng sao", "Stars"), "\"><option value=\"\">", w.One("Mọi hạng sao", "Any stars"), "</option>");
  for (int stars = 5; stars >= 3; --stars) {
    absl::StrAppend(&out, "<option value=\"", stars, "\"", filter.stars == stars ? " selected" : "", ">", stars,
                    w.One(" sao", " stars"), "</option>");
  }
  absl::StrAppend(&out, "</select> <select name=\"group\" aria-label=\"", w.One("Nhóm", "Group"),
                  "\"><option value=\"\">", w.One("Mọi nhóm", "Any group"), "</option>");
  for (int group = 1; group <= registry::v1::PRODUCT_GROUP_TOURISM; ++group) {
    const ocop_mark::GroupLabel label = ocop_mark::LabelOf(static_cast<registry::v1::ProductGroup>(group));
    absl::StrAppend(&out, "<option value=\"", group, "\"", filter.group == group ? " selected" : "", ">",
                    w.One(label.vietnamese, label.english), "</option>");
  }
  absl::StrAppend(&out, "</select>");
  if (!filter.commune_code.empty()) {
    absl::StrAppend(&out, "<input type=\"hidden\" name=\"commune\" value=\"", HtmlEscape(filter.commune_code), "\">");
  }
  if (!filter.category.empty()) {
    absl::StrAppend(&out, "<input type=\"hidden\" name=\"category\" value=\"", HtmlEscape(filter.category), "\">");
  }
  if (w.english()) absl::StrAppend(&out, "<input type=\"hidden\" name=\"lang\" value=\"en\">");
  absl::StrAppend(&out, " <button>", w.One("Tìm", "Search"), "</button></p></form></section>");

  if (catalogue.entries_size() == 0) {
    absl::StrAppend(&out, "<section>",
                    w.Paragraphs("Không có sản phẩm nào phù hợp.", "No product matches."), "</section>");
  } else {
    absl::StrAppend(&out, "<section><ol>");
  }
  for (const v1::CatalogueEntry& entry : catalogue.entries()) {
    const v1::PublicProduct& product = entry.product();
    const v1::PublicAddress& address = entry.producer().address();
    absl::string_view id = product.name();
    absl::ConsumePrefix(&id, "products/");
    std::string stars;
    for (int i = 1; i <= 5; ++i) absl::StrAppend(&stars, i <= product.ocop().stars() ? "★" : "☆");
    const ocop_mark::GroupLabel group = ocop_mark::LabelOf(product.group());
    // The sub-group links to the catalogue of that sub-group.
    std::string category;
    if (absl::StatusOr<const ocop_category::Category*> line =
            ocop_category::FindCategory("category", product.category());
        line.ok()) {
      category = absl::StrCat("<a href=\"?category=", http::UrlEncode((*line)->code), language.empty() ? "" : "&",
                              language, "\">", w.One(HtmlEscape((*line)->name), HtmlEscape((*line)->english_name)),
                              "</a> · ");
    }
    const std::string& commune =
        address.current_commune_name().empty() ? address.commune_name() : address.current_commune_name();
    absl::StrAppend(&out, "<li><a href=\"/p/", http::UrlEncode(id), language.empty() ? "" : "?", language, "\"><strong>",
                    HtmlEscape(product.display_name()), "</strong></a> <span class=\"stars\" aria-label=\"",
                    product.ocop().stars(), w.One(" sao", " stars"), "\">", stars, "</span><br>",
                    *group.vietnamese == '\0' ? "" : absl::StrCat(w.One(group.vietnamese, group.english), " · "),
                    category, HtmlEscape(entry.producer().display_name()), " · ", HtmlEscape(commune), "<br><time>",
                    w.One("Giấy chứng nhận ", "Certificate "), HtmlEscape(product.ocop().certificate_number()),
                    w.One(", hiệu lực đến ", ", valid until "), HtmlEscape(product.ocop().valid_until()),
                    "</time></li>");
  }
  if (catalogue.entries_size() > 0) absl::StrAppend(&out, "</ol></section>");

  // Pages: the same search, another page number.
  std::string query;
  if (!filter.query.empty()) absl::StrAppend(&query, "q=", http::UrlEncode(filter.query), "&");
  if (filter.stars != 0) absl::StrAppend(&query, "stars=", filter.stars, "&");
  if (filter.group != registry::v1::PRODUCT_GROUP_UNSPECIFIED) absl::StrAppend(&query, "group=", filter.group, "&");
  if (!filter.commune_code.empty()) absl::StrAppend(&query, "commune=", filter.commune_code, "&");
  if (!filter.category.empty()) absl::StrAppend(&query, "category=", http::UrlEncode(filter.category), "&");
  if (!language.empty()) absl::StrAppend(&query, language, "&");
  if (catalogue.page() > 1 || catalogue.next_page() != 0) {
    absl::StrAppend(&out, "<nav>");
    if (catalogue.page() > 1) {
      absl::StrAppend(&out, "<a href=\"?", HtmlEscape(query), "page=", catalogue.page() - 1, "\">« ",
                      w.One("Trang trước", "Previous page"), "</a> ");
    }
    if (catalogue.next_page() != 0) {
      absl::StrAppend(&out, "<a href=\"?", HtmlEscape(query), "page=", catalogue.next_page(), "\">",
                      w.One("Trang sau", "Next page"), " »</a>");
    }
    absl::StrAppend(&out, "</nav>");
  }
  absl::StrAppend(&out, "<footer>", w.One("Dữ liệu mở: ", "Open data: "), "<a href=\"/v1/catalogue/",
                  HtmlEscape(catalogue.province_code()), "?", HtmlEscape(query), "page=", catalogue.page(),
                  "\">JSON</a></footer>", kTail);
  return out;
}

std::string RenderUnavailablePage(const PageOptions& options) {
  Writer w(options);
  // Calm on purpose: the stamp may well be genuine, and a red page would say otherwise.
  return absl::StrCat(
      w.Head(), w.Verdict("wait", "Chưa kiểm tra được tem lúc này", "This stamp cannot be checked right now"),
      "<section>",
      w.Paragraphs("Hệ thống kiểm tra đang tạm thời gián đoạn. Điều này không có nghĩa là sản phẩm là hàng giả. "
                   "Vui lòng quét lại sau ít phút.",
                   "The checking service is briefly unavailable. This does not mean the product is counterfeit. "
                   "Please scan again in a few minutes."),
      "</section>", kTail);
}

std::string RenderMessagePage(absl::string_view vietnamese, absl::string_view english, const PageOptions& options) {
  Writer w(options);
  return absl::StrCat(w.Head(), w.Verdict("warn", HtmlEscape(vietnamese), HtmlEscape(english)), kTail);
}

}  // namespace ocop::lookup
