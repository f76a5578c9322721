#include "services/console/html.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/http/web.h"

namespace ocop::console {
namespace {

using http::HtmlEscape;

std::string ErrorParagraph(const std::string& id, const std::string& reason) {
  return absl::StrCat("<p class=\"error\" id=\"", id, "\" role=\"alert\">", "Không lưu được: ",
                      "<span class=\"en\" lang=\"en\">", HtmlEscape(reason), "</span></p>");
}

}  // namespace

std::string Both(absl::string_view vi, absl::string_view en) {
  return absl::StrCat(vi, " <span class=\"en\" lang=\"en\">", en, "</span>");
}

std::string FormState::Value(const std::string& name, const std::string& fallback) const {
  auto found = values.find(name);
  return found == values.end() ? fallback : found->second;
}

void AddRefusal(FormState& form, const grpc::Status& status, const std::vector<std::string>& fields) {
  const std::string& message = status.error_message();
  const size_t colon = message.find(": ");
  if (colon != std::string::npos) {
    std::string field = message.substr(0, colon);
    // "event.details[pesticide]" -> "pesticide"; "batch.lot_code" -> "lot_code".
    if (!field.empty() && field.back() == ']') {
      const size_t open = field.rfind('[');
      if (open != std::string::npos) field = field.substr(open + 1, field.size() - open - 2);
    } else if (const size_t dot = field.rfind('.'); dot != std::string::npos) {
      field = field.substr(dot + 1);
    }
    if (std::find(fields.begin(), fields.end(), field) != fields.end()) {
      form.errors[field] = message.substr(colon + 2);
      return;
    }
  }
  form.error = message.empty() ? "refused" : message;
}

std::string Input(const FormState& form, const std::string& form_id, const InputSpec& spec,
                  const std::string& fallback) {
  const std::string id = absl::StrCat(form_id, "-", spec.name);
  auto error = form.errors.find(spec.name);
  const bool invalid = error != form.errors.end();
  const std::string described = invalid ? absl::StrCat(" aria-invalid=\"true\" aria-describedby=\"", id, "-error\"") : "";
  const std::string value = form.Value(spec.name, fallback);
  std::string out = "<div class=\"field\">";
  if (spec.type == "checkbox") {
    absl::StrAppend(&out, "<label class=\"check\"><input type=\"checkbox\" id=\"", id, "\" name=\"", spec.name,
                    "\" value=\"1\"", value == "1" ? " checked" : "", described, "> ", Both(spec.vi, spec.en),
                    "</label>");
  } else {
    absl::StrAppend(&out, "<label for=\"", id, "\">", Both(spec.vi, spec.en), "</label>");
    if (!spec.hint.empty()) absl::StrAppend(&out, "<span class=\"hint\">", spec.hint, "</span>");
    if (spec.type == "textarea") {
      absl::StrAppend(&out, "<textarea id=\"", id, "\" name=\"", spec.name, "\" rows=\"2\"",
                      spec.required ? " required" : "", described, " ", spec.attributes, ">", HtmlEscape(value),
                      "</textarea>");
    } else {
      absl::StrAppend(&out, "<input id=\"", id, "\" name=\"", spec.name, "\" type=\"", spec.type, "\" value=\"",
                      HtmlEscape(value), "\"", spec.required ? " required" : "", described,
                      spec.attributes.empty() ? "" : " ", spec.attributes, ">");
    }
  }
  if (invalid) absl::StrAppend(&out, ErrorParagraph(id + "-error", error->second));
  return out + "</div>";
}

std::string Select(const FormState& form, const std::string& form_id, const std::string& name, const std::string& vi,
                   const std::string& en, const std::vector<std::pair<std::string, std::string>>& options,
                   const std::string& fallback) {
  const std::string id = absl::StrCat(form_id, "-", name);
  auto error = form.errors.find(name);
  const bool invalid = error != form.errors.end();
  const std::string chosen = form.Value(name, fallback);
  std::string out = absl::StrCat("<div class=\"field\"><label for=\"", id, "\">", Both(vi, en),
                                 "</label><select id=\"", id, "\" name=\"",
                                 name, "\"",
                                 invalid ? absl::StrCat(" aria-invalid=\"true\" aria-describedby=\"", id, "-error\"")
                                         : "",
                                 ">");
  for (const auto& [value, label] : options) {
    absl::StrAppend(&out, "<option value=\"", HtmlEscape(value), "\"", value == chosen ? " selected" : "", ">", label,
                    "</option>");
  }
  absl::StrAppend(&out, "</select>");
  if (invalid) absl::StrAppend(&out, ErrorParagraph(id + "-error", error->second));
  return out + "</div>";
}

std::string FormStart(const std::string& form_id, const std::string& action, const std::string& csrf,
                      const FormState& form, const std::string& heading_vi, const std::string& heading_en,
                      bool files) {
  std::string out = absl::StrCat("<form class=\"card\" id=\"", form_id, "\" method=\"post\" action=\"",
                                 HtmlEscape(action), "\"", files ? " enctype=\"multipart/form-data\"" : "",
                                 " aria-labelledby=\"", form_id, "-heading\"><h2 id=\"",
                                 form_id, "-heading\">", Both(heading_vi, heading_en), "</h2>",
                                 "<input type=\"hidden\" name=\"csrf\" value=\"", HtmlEscape(csrf), "\">",
                                 "<input type=\"hidden\" name=\"request_id\" value=\"", HtmlEscape(form.request_id),
                                 "\">");
  if (!form.error.empty()) absl::StrAppend(&out, ErrorParagraph(form_id + "-error", form.error));
  return out;
}

std::string FormEnd(const std::string& button_vi, const std::string& button_en) {
  return absl::StrCat("<button type=\"submit\">", Both(button_vi, button_en), "</button></form>");
}

std::string Fact(const std::string& vi, const std::string& en, const std::string& value_html) {
  return absl::StrCat("<dt>", Both(vi, en), "</dt><dd>", value_html.empty() ? "–" : value_html, "</dd>");
}

std::string NoticeOf(const std::string& both) {
  if (both.empty()) return "";
  const size_t bar = both.find('|');
  return Notice(both.substr(0, bar), bar == std::string::npos ? "" : both.substr(bar + 1));
}

std::string Notice(const std::string& vi, const std::string& en) {
  return absl::StrCat("<p class=\"notice\" role=\"status\">", Both(HtmlEscape(vi), HtmlEscape(en)), "</p>");
}

}  // namespace ocop::console
