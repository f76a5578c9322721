#include "services/console/record_pages.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/http/web.h"
#include "common/ocop_category/ocop_category.h"
#include "services/console/lot_pages.h"
#include "services/console/office_pages.h"
#include "services/console/pages.h"

namespace ocop::console {
namespace {

using http::HtmlEscape;

std::string StatusName(registry::v1::ProductStatus status) {
  switch (status) {
    case registry::v1::PRODUCT_STATUS_ACTIVE: return Both("Đang sản xuất, kinh doanh", "Active");
    case registry::v1::PRODUCT_STATUS_SUSPENDED: return Both("Tạm dừng", "Suspended");
    case registry::v1::PRODUCT_STATUS_WITHDRAWN: return Both("Đã ngừng", "Withdrawn");
    default: return "–";
  }
}

std::vector<std::pair<std::string, std::string>> GroupOptions() {
  std::vector<std::pair<std::string, std::string>> options;
  for (registry::v1::ProductGroup group :
       {registry::v1::PRODUCT_GROUP_FOOD, registry::v1::PRODUCT_GROUP_BEVERAGES, registry::v1::PRODUCT_GROUP_HERBS,
        registry::v1::PRODUCT_GROUP_HANDICRAFTS, registry::v1::PRODUCT_GROUP_ORNAMENTAL,
        registry::v1::PRODUCT_GROUP_TOURISM}) {
    options.emplace_back(absl::StrCat(static_cast<int>(group)), GroupName(group));
  }
  return options;
}

// Decision 148's sub-groups, by code; the first choice leaves the product unclassified.
std::vector<std::pair<std::string, std::string>> CategoryOptions() {
  std::vector<std::pair<std::string, std::string>> options = {{"", Both("Chưa phân loại", "Not classified")}};
  for (const ocop_category::Category& category : ocop_category::AllCategories()) {
    options.emplace_back(std::string(category.code),
                         absl::StrCat(HtmlEscape(category.code), " · ", HtmlEscape(category.name)));
  }
  return options;
}

std::string CategoryName(const std::string& code) {
  absl::StatusOr<const ocop_category::Category*> category = ocop_category::FindCategory("category", code);
  if (!category.ok()) return "–";
  return absl::StrCat(HtmlEscape((*category)->code), " · ", HtmlEscape((*category)->name));
}

}  // namespace

std::string ProducerForm(const std::string& form_id, const std::string& action, const std::string& csrf,
                         const FormState& form, const registry::v1::Producer* current) {
  const bool fresh = current == nullptr;
  auto now = [&](const std::string& value) { return fresh ? std::string() : value; };
  return absl::StrCat(
      FormStart(form_id, action, csrf, form, fresh ? "Chủ thể mới" : "Sửa thông tin",
                fresh ? "New producer" : "Edit"),
      fresh ? "" : absl::StrCat("<input type=\"hidden\" name=\"etag\" value=\"", HtmlEscape(current->etag()), "\">"),
      Input(form, form_id, InputSpec("display_name", "Tên chủ thể", "Name").Required().Attributes("maxlength=\"300\""),
            now(current ? current->display_name() : "")),
      Select(form, form_id, "kind", "Loại hình", "Kind",
             {{"1", Both("Hợp tác xã", "Cooperative")},
              {"2", Both("Doanh nghiệp", "Enterprise")},
              {"3", Both("Tổ hợp tác", "Cooperative group")},
              {"4", Both("Hộ sản xuất", "Household")}},
             current ? absl::StrCat(static_cast<int>(current->kind())) : "1"),
      Input(form, form_id, InputSpec("full_name", "Người đại diện", "Representative").Attributes("maxlength=\"200\""),
            now(current ? current->representative().full_name() : "")),
      Input(form, form_id, InputSpec("phone", "Điện thoại", "Phone").Type("tel").Attributes("maxlength=\"30\""),
            now(current ? current->phone() : "")),
      "<div class=\"pair\">",
      Input(form, form_id,
            InputSpec("commune_code", "Mã xã, phường", "Commune code")
                .Required()
                .Attributes("inputmode=\"numeric\" pattern=\"[0-9]{5}\" maxlength=\"5\""),
            now(current ? current->address().commune_code() : "")),
      Input(form, form_id, InputSpec("tax_code", "Mã số thuế", "Tax code").Attributes("maxlength=\"14\""),
            now(current ? current->tax_code() : "")),
      "</div>",
      Input(form, form_id, InputSpec("street", "Địa chỉ (thôn, xóm)", "Street").Attributes("maxlength=\"300\""),
            now(current ? current->address().street() : "")),
      "<div class=\"pair\">",
      Input(form, form_id,
            InputSpec("workers", "Số lao động", "Workers")
                .Type("number")
                .Attributes("min=\"0\" max=\"1000000\" step=\"1\" inputmode=\"numeric\""),
            now(current ? absl::StrCat(current->workforce().workers()) : "")),
      Input(form, form_id,
            InputSpec("trained_workers", "Lao động được đào tạo", "Trained workers")
                .Type("number")
                .Attributes("min=\"0\" max=\"1000000\" step=\"1\" inputmode=\"numeric\""),
            now(current ? absl::StrCat(current->workforce().trained_workers()) : "")),
      "</div>",
      Select(form, form_id, "green_value_chain", "Chuỗi giá trị xanh, tuần hoàn", "Green or circular value chain",
             {{"0", Both("Không", "No")}, {"1", Both("Có", "Yes")}},
             current && current->value_chain().green_or_circular() ? "1" : "0"),
      "<div class=\"pair\">",
      Input(form, form_id,
            InputSpec("raw_material_hectares", "Vùng nguyên liệu (ha)", "Raw-material area (ha)")
                .Type("number")
                .Attributes("min=\"0\" step=\"any\" inputmode=\"decimal\""),
            now(current ? absl::StrFormat("%g", current->value_chain().raw_material_hectares()) : "")),
      Input(form, form_id,
            InputSpec("raw_material_area", "Vị trí vùng nguyên liệu", "Where the area is").Attributes("maxlength=\"300\""),
            now(current ? current->value_chain().raw_material_area() : "")),
      "</div>",
      FormEnd(fresh ? "Thêm" : "Lưu", fresh ? "Add" : "Save"));
}

std::string RenderProducerBody(const ProducerView& view) {
  const registry::v1::Producer& producer = view.producer;
  const std::string& commune = producer.address().current_commune_name().empty()
                                   ? producer.address().commune_name()
                                   : producer.address().current_commune_name();
  std::string out = NoticeOf(view.notice);
  absl::StrAppend(&out, "<dl class=\"facts\">", Fact("Xã, phường", "Commune", HtmlEscape(commune)),
                  Fact("Người đại diện", "Representative", HtmlEscape(producer.representative().full_name())),
                  Fact("Điện thoại", "Phone", HtmlEscape(producer.phone())),
                  Fact("Mã số thuế", "Tax code", HtmlEscape(producer.tax_code())),
                  Fact("Lao động (được đào tạo)", "Workers (trained)",
                       absl::StrCat(producer.workforce().workers(), " (", producer.workforce().trained_workers(), ")")),
                  Fact("Chuỗi giá trị xanh, tuần hoàn", "Green value chain",
                       producer.value_chain().green_or_circular()
                           ? absl::StrFormat("%s, %g ha %s", Both("Có", "Yes"),
                                             producer.value_chain().raw_material_hectares(),
                                             HtmlEscape(producer.value_chain().raw_material_area()))
                           : Both("Không", "No")),
                  "</dl>");
  absl::StrAppend(&out, "<h2>", Both("Sản phẩm", "Products"), "</h2>");
  if (view.products.empty()) {
    absl::StrAppend(&out, "<p>", Both("Chưa có sản phẩm nào.", "No products yet."), "</p>");
  } else {
    absl::StrAppend(&out, "<ul class=\"links\">");
    for (const registry::v1::Product& product : view.products) {
      absl::StrAppend(&out, "<li><a href=\"/", HtmlEscape(product.name()), "\">", HtmlEscape(product.display_name()),
                      "</a> ", Stars(product.rating().stars()), "</li>");
    }
    absl::StrAppend(&out, "</ul>");
  }
  const std::string base = "/" + producer.name();
  const FormState& product = view.product_form;
  absl::StrAppend(
      &out, "<div class=\"columns\"><div>",
      ProducerForm("producer", base, view.csrf, view.edit_form, &producer), "</div><div>",
      FormStart("product", base + "/products", view.csrf, product, "Sản phẩm mới", "New product"),
      Input(product, "product", InputSpec("display_name", "Tên sản phẩm", "Name").Required().Attributes("maxlength=\"300\"")),
      Select(product, "product", "group", "Nhóm sản phẩm", "Group", GroupOptions()),
      Select(product, "product", "category", "Phân nhóm (QĐ 148)", "Sub-group (Decision 148)", CategoryOptions()),
      Input(product, "product",
            InputSpec("description", "Mô tả", "Description").Type("textarea").Attributes("maxlength=\"2000\"")),
      FormEnd("Thêm sản phẩm", "Add product"), "</div></div>");
  return out;
}

std::string RenderProductBody(const ProductView& view) {
  const registry::v1::Product& product = view.product;
  std::string out = NoticeOf(view.notice);
  absl::StrAppend(&out, "<dl class=\"facts\">",
                  Fact("Chủ thể", "Producer",
                       view.office ? absl::StrCat("<a href=\"/", HtmlEscape(product.producer()), "\">",
                                                  HtmlEscape(view.producer_name), "</a>")
                                   : HtmlEscape(view.producer_name)),
                  Fact("Nhóm", "Group", GroupName(product.group())),
                  Fact("Phân nhóm", "Sub-group", CategoryName(product.category())),
                  Fact("Trạng thái", "Status", StatusName(product.status())),
                  Fact("Hạng sao", "Stars", Stars(product.rating().stars())),
                  Fact("Mô tả", "Description", HtmlEscape(product.description())), "</dl>");
  // Every decision on the product, and who recorded it: the product's trail of who changed what.
  absl::StrAppend(&out, "<h2>", Both("Lịch sử xếp hạng", "Rating history"), "</h2>");
  if (view.ratings.empty()) {
    absl::StrAppend(&out, "<p>", Both("Chưa được xếp hạng.", "Not rated yet."), "</p>");
  } else {
    absl::StrAppend(&out, "<table><thead><tr><th scope=\"col\">", Both("Quyết định", "Decision"),
                    "</th><th scope=\"col\">", Both("Điểm", "Score"), "</th><th scope=\"col\">",
                    Both("Hạng sao", "Stars"), "</th><th scope=\"col\">", Both("Giấy chứng nhận", "Certificate"),
                    "</th><th scope=\"col\">", Both("Người ghi, lúc", "Recorded by, at"),
                    "</th></tr></thead><tbody>");
    for (const registry::v1::OcopRating& rating : view.ratings) {
      absl::StrAppend(&out, "<tr><td data-label=\"Quyết định / Decision\">", HtmlEscape(rating.decision_number()), " (",
                      HtmlEscape(rating.decision_date()), ")</td><td data-label=\"Điểm / Score\">", rating.score(),
                      "</td><td data-label=\"Hạng sao / Stars\">", Stars(rating.stars()),
                      "</td><td data-label=\"Giấy chứng nhận / Certificate\">",
                      rating.certificate_number().empty() ? "–" : HtmlEscape(rating.certificate_number()),
                      rating.valid_until().empty() ? "" : absl::StrCat(" → ", HtmlEscape(rating.valid_until())),
                      "</td><td data-label=\"Người ghi / Recorded by\">", HtmlEscape(rating.recorded_by()), ", ",
                      VietnamTime(rating.record_time()), "</td></tr>");
    }
    absl::StrAppend(&out, "</tbody></table>");
  }
  const FormState& form = view.edit_form;
  absl::StrAppend(&out, FormStart("edit", "/" + product.name(), view.csrf, form, "Sửa thông tin", "Edit"),
                  "<input type=\"hidden\" name=\"etag\" value=\"", HtmlEscape(product.etag()), "\">",
                  Input(form, "edit", InputSpec("display_name", "Tên sản phẩm", "Name").Required().Attributes(
                                          "maxlength=\"300\""),
                        product.display_name()),
                  Input(form, "edit",
                        InputSpec("description", "Mô tả", "Description").Type("textarea").Attributes("maxlength=\"2000\""),
                        product.description()),
                  Select(form, "edit", "category", "Phân nhóm (QĐ 148)", "Sub-group (Decision 148)", CategoryOptions(),
                         product.category()));
  if (view.office) {
    absl::StrAppend(&out, Select(form, "edit", "status", "Trạng thái", "Status",
                                 {{"1", StatusName(registry::v1::PRODUCT_STATUS_ACTIVE)},
                                  {"2", StatusName(registry::v1::PRODUCT_STATUS_SUSPENDED)},
                                  {"3", StatusName(registry::v1::PRODUCT_STATUS_WITHDRAWN)}},
                                 absl::StrCat(static_cast<int>(product.status()))));
  }
  absl::StrAppend(&out, FormEnd("Lưu", "Save"));
  return out;
}

}  // namespace ocop::console
