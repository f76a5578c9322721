#include "services/lookup/page.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/epcis/vocabulary.h"
#include "common/grpc/proto_time.h"

namespace ocop::lookup {
namespace {

constexpr char kStyle[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;background:#f6f7f4;"
    "color:#1d2320;line-height:1.45}main{max-width:34rem;margin:0 auto;padding:1rem}"
    ".verdict{border-radius:.75rem;padding:1rem;font-size:1.35rem;font-weight:700;color:#fff}"
    ".verdict small{display:block;font-size:.9rem;font-weight:400;opacity:.9}"
    ".ok{background:#1f7a3a}.bad{background:#b3261e}.warn{background:#9a6700}"
    "section{background:#fff;border-radius:.75rem;padding:.75rem 1rem;margin-top:.75rem}"
    "h1{font-size:1.25rem;margin:.25rem 0}h2{font-size:1rem;margin:.25rem 0 .5rem;color:#44514a}"
    ".en{color:#5b6660;font-size:.85rem}.stars{color:#c58a00;font-size:1.2rem;letter-spacing:.1rem}"
    "dl{display:grid;grid-template-columns:auto 1fr;gap:.2rem .75rem;margin:0}dt{color:#5b6660}dd{margin:0}"
    "ol{list-style:none;padding:0;margin:0}li{border-left:3px solid #1f7a3a;padding:.1rem 0 .6rem .75rem}"
    "time{color:#5b6660;font-size:.85rem}footer{color:#5b6660;font-size:.75rem;margin:1rem 0;word-break:break-all}";

std::string Head(absl::string_view title) {
  return absl::StrCat("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">",
                      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">",
                      "<meta name=\"robots\" content=\"noindex\"><title>", HtmlEscape(title),
                      "</title><style>", kStyle, "</style></head><body><main>");
}

constexpr char kTail[] = "</main></body></html>\n";

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

void AppendVerdict(std::string& out, const v1::ResolveResponse& result) {
  switch (result.verdict()) {
    case v1::VERDICT_GENUINE:
      absl::StrAppend(&out, "<div class=\"verdict ok\">✔ Tem chính hãng<small>Genuine stamp</small></div>");
      return;
    case v1::VERDICT_CERTIFICATE_EXPIRED:
      absl::StrAppend(&out,
                      "<div class=\"verdict warn\">Tem thật, nhưng chứng nhận OCOP đã hết hạn"
                      "<small>Genuine stamp, but the OCOP certificate has expired</small></div>");
      return;
    case v1::VERDICT_NOT_ACTIVATED:
      absl::StrAppend(&out,
                      "<div class=\"verdict warn\">Tem chưa được kích hoạt"
                      "<small>Stamp not yet activated</small></div>"
                      "<section><p>Tem này có thật nhưng nhà sản xuất chưa đưa vào sử dụng. Nếu bạn thấy nó "
                      "trên sản phẩm đang bán, hãy báo cho nơi bán.</p><p class=\"en\">This stamp is real but the "
                      "producer has not put it into use. If you see it on a product for sale, tell the seller."
                      "</p></section>");
      return;
    case v1::VERDICT_VOID:
      absl::StrAppend(&out,
                      "<div class=\"verdict bad\">✖ Tem đã bị huỷ"
                      "<small>Stamp voided</small></div>"
                      "<section><p>Tem này đã bị huỷ do in hỏng và không được dùng trên sản phẩm.</p>"
                      "<p class=\"en\">This stamp was voided as a spoiled label and must not be on a product."
                      "</p></section>");
      return;
    case v1::VERDICT_REVOKED:
      absl::StrAppend(&out,
                      "<div class=\"verdict bad\">✖ Tem đã bị thu hồi"
                      "<small>Stamp revoked</small></div>"
                      "<section><p>Tem này đã được báo mất hoặc bị đánh cắp. Sản phẩm mang tem này có thể là "
                      "hàng giả.</p><p class=\"en\">This stamp was reported lost or stolen. A product "
                      "carrying it may be counterfeit.</p></section>");
      return;
    case v1::VERDICT_UNIT_NOT_VERIFIED:
      absl::StrAppend(&out,
                      "<div class=\"verdict warn\">Không xác minh được sản phẩm này"
                      "<small>This unit could not be verified</small></div>"
                      "<section><p>Mã này là đường dẫn GS1 tới ",
                      result.has_batch() ? "lô hàng" : "sản phẩm",
                      " bên dưới, không phải tem truy xuất có chữ ký, nên không thể xác minh từng gói hàng. "
                      "Thông tin dưới đây là của ", result.has_batch() ? "lô hàng." : "sản phẩm.",
                      "</p><p class=\"en\">This GS1 link names the ",
                      result.has_batch() ? "lot" : "product",
                      " below, not a signed traceability stamp, so this package itself cannot be verified."
                      "</p></section>");
      return;
    case v1::VERDICT_POSSIBLE_COPY:
      absl::StrAppend(&out,
                      "<div class=\"verdict warn\">⚠ Có thể là tem sao chép"
                      "<small>This may be a copied stamp</small></div>"
                      "<section><p>Tem này là thật nhưng đã được quét bởi khoảng ", result.scans().distinct_clients(),
                      " thiết bị khác nhau trong ", result.scans().distinct_days(),
                      " ngày. Một tem dán trên một sản phẩm thường chỉ được vài người quét. Hãy kiểm tra bao bì "
                      "và mua ở nơi tin cậy; nếu nghi ngờ, báo cho cơ quan quản lý thị trường.</p>"
                      "<p class=\"en\">The stamp is real, but about ", result.scans().distinct_clients(),
                      " different devices scanned it on ", result.scans().distinct_days(),
                      " days; one package is usually scanned by a few people. Check the packaging and the "
                      "seller.</p></section>");
      return;
    case v1::VERDICT_RECALLED:
      absl::StrAppend(&out,
                      "<div class=\"verdict bad\">⚠ Lô hàng đã bị thu hồi — không sử dụng"
                      "<small>This lot has been recalled — do not use it</small></div>"
                      "<section><p><strong>Lý do / Reason:</strong> ", HtmlEscape(result.batch().recall_reason()),
                      "</p><p>Tem là thật, nhưng nhà sản xuất đã thu hồi lô hàng này. Vui lòng ngừng sử dụng và "
                      "liên hệ nơi bán để được đổi trả.</p><p class=\"en\">The stamp is genuine, but the producer "
                      "has recalled this lot. Stop using it and contact the seller for a return.</p></section>");
      return;
    default:
      absl::StrAppend(&out,
                      "<div class=\"verdict bad\">✖ Tem không hợp lệ — có thể là hàng giả"
                      "<small>Not a genuine stamp — the product may be counterfeit</small></div>");
  }
}

void AppendProduct(std::string& out, const v1::ResolveResponse& result) {
  const auto& product = result.product();
  absl::StrAppend(&out, "<section><h1>", HtmlEscape(product.display_name()), "</h1>");
  if (product.has_rating() && product.rating().stars() > 0) {
    int stars = product.rating().stars();
    std::string shown;
    for (int i = 1; i <= 5; ++i) absl::StrAppend(&shown, i <= stars ? "★" : "☆");
    absl::StrAppend(&out, "<div class=\"stars\" aria-label=\"", stars, " sao\">", shown, "</div>",
                    "<div>Sản phẩm OCOP ", stars, " sao <span class=\"en\">· OCOP ", stars, "-star product</span></div>",
                    "<dl><dt>Giấy chứng nhận</dt><dd>", HtmlEscape(product.rating().certificate_number()),
                    "</dd><dt>Hiệu lực đến</dt><dd>", HtmlEscape(product.rating().valid_until()),
                    " <span class=\"en\">valid until</span></dd></dl>");
  }
  if (!product.description().empty()) absl::StrAppend(&out, "<p>", HtmlEscape(product.description()), "</p>");
  absl::StrAppend(&out, "</section>");
}

void AppendProducer(std::string& out, const v1::ResolveResponse& result) {
  const auto& producer = result.producer();
  const auto& address = producer.address();
  absl::StrAppend(&out, "<section><h2>Chủ thể sản xuất <span class=\"en\">Producer</span></h2><dl>",
                  "<dt>Tên</dt><dd>", HtmlEscape(producer.display_name()), "</dd>", "<dt>Địa chỉ</dt><dd>",
                  HtmlEscape(absl::StrCat(address.street().empty() ? "" : address.street() + ", ",
                                          address.commune_name(), ", ", address.province_name())),
                  "</dd></dl></section>");
}

const char* SchemeName(batch::v1::CertificationScheme scheme) {
  switch (scheme) {
    case batch::v1::CERTIFICATION_SCHEME_VIETGAP: return "VietGAP";
    case batch::v1::CERTIFICATION_SCHEME_GLOBALGAP: return "GlobalGAP";
    case batch::v1::CERTIFICATION_SCHEME_ORGANIC: return "Hữu cơ / Organic";
    default: return "";
  }
}

void AppendBatch(std::string& out, const v1::ResolveResponse& result) {
  const auto& batch = result.batch();
  absl::StrAppend(&out, "<section><h2>Lô hàng <span class=\"en\">Batch</span></h2><dl>", "<dt>Mã lô</dt><dd>",
                  HtmlEscape(batch.lot_code()), "</dd><dt>Ngày thu hoạch</dt><dd>", HtmlEscape(batch.harvest_date()),
                  "</dd>");
  if (!batch.expiry_date().empty()) {
    absl::StrAppend(&out, "<dt>Hạn sử dụng</dt><dd>", HtmlEscape(batch.expiry_date()),
                    " <span class=\"en\">best before</span></dd>");
  }
  absl::StrAppend(&out, "<dt>Sản lượng</dt><dd>", absl::StrFormat("%g", batch.quantity()), " ",
                  HtmlEscape(batch.unit()), "</dd>");
  if (!batch.growing_area_code().empty()) {
    absl::StrAppend(&out, "<dt>Mã vùng trồng</dt><dd>", HtmlEscape(batch.growing_area_code()), "</dd>");
  }
  for (const auto& certification : batch.certifications()) {
    absl::StrAppend(&out, "<dt>", SchemeName(certification.scheme()), "</dt><dd>",
                    HtmlEscape(certification.certificate_number()), " · đến ",
                    HtmlEscape(certification.valid_until()), "</dd>");
  }
  for (const auto& ancestor : result.ancestors()) {
    absl::StrAppend(&out, "<dt>Từ lô</dt><dd>", HtmlEscape(ancestor.lot_code()),
                    " <span class=\"en\">made from lot</span></dd>");
  }
  absl::StrAppend(&out, "</dl></section>");
  if (result.events_size() == 0) return;
  absl::StrAppend(&out, "<section><h2>Hành trình sản phẩm <span class=\"en\">From the field</span></h2><ol>");
  for (const auto& event : result.events()) {
    const epcis::StepInfo* step = epcis::FindStep(event.biz_step());
    absl::StrAppend(&out, "<li><strong>", HtmlEscape(step != nullptr ? step->vietnamese : event.biz_step()),
                    "</strong>");
    if (step != nullptr) absl::StrAppend(&out, " <span class=\"en\">", step->english, "</span>");
    absl::StrAppend(&out, "<br><time>", LocalTime(event.event_time(), event.event_time_zone_offset()), "</time>");
    if (!event.location().display_name().empty()) {
      absl::StrAppend(&out, "<br>", HtmlEscape(event.location().display_name()));
    }
    if (!event.corrects().empty()) {
      absl::StrAppend(&out, "<br><em>Đính chính / correction: ", HtmlEscape(event.correction_reason()), "</em>");
    }
    absl::StrAppend(&out, "</li>");
  }
  absl::StrAppend(&out, "</ol></section>");
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string RenderResultPage(const v1::ResolveResponse& result) {
  std::string out = Head("Truy xuất nguồn gốc OCOP");
  AppendVerdict(out, result);
  if (result.verdict() == v1::VERDICT_GENUINE || result.verdict() == v1::VERDICT_CERTIFICATE_EXPIRED ||
      result.verdict() == v1::VERDICT_RECALLED || result.verdict() == v1::VERDICT_POSSIBLE_COPY ||
      result.verdict() == v1::VERDICT_UNIT_NOT_VERIFIED) {
    AppendProduct(out, result);
    AppendProducer(out, result);
    if (result.has_batch()) AppendBatch(out, result);
    absl::StrAppend(&out, "<footer>");
    if (result.has_stamp()) {
      absl::StrAppend(&out, "Số sê-ri / serial ", result.stamp().serial(), " · khoá / key ",
                      HtmlEscape(result.stamp().key_id()));
    }
    // The signed checkpoints of the event chains shown (the lot, its ancestors, its seasons),
    // published here so that a later rewrite of the batch database can be proven
    // (docs/event-chain.md).
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
    absl::StrAppend(&out, "</footer>");
  } else if (result.verdict() == v1::VERDICT_NOT_GENUINE) {
    absl::StrAppend(&out,
                    "<section><p>Mã này không do hệ thống truy xuất OCOP phát hành. Vui lòng báo cho "
                    "nơi bán hoặc cơ quan quản lý thị trường.</p><p class=\"en\">This code was not issued by "
                    "the OCOP traceability system. Please tell the seller or the market authority.</p></section>");
  }
  absl::StrAppend(&out, kTail);
  return out;
}

std::string RenderMessagePage(absl::string_view vietnamese, absl::string_view english) {
  return absl::StrCat(Head("Truy xuất nguồn gốc OCOP"), "<div class=\"verdict warn\">", HtmlEscape(vietnamese),
                      "<small>", HtmlEscape(english), "</small></div>", kTail);
}

}  // namespace ocop::lookup
