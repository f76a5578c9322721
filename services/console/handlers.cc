#include "services/console/handlers.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/http/web.h"

namespace ocop::console {

const absl::TimeZone& Vietnam() {
  static const absl::TimeZone* zone = new absl::TimeZone(absl::FixedTimeZone(7 * 3600));
  return *zone;
}

// An id as the services make them: letters, digits, '-' and '_' (anything else is no page of ours).
bool IsId(const std::string& text) {
  return !text.empty() && text.size() <= 64 &&
         std::all_of(text.begin(), text.end(),
                     [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

// Refusals that belong next to the form's fields (the person can fix them); anything else gets the
// error page.
bool IsFormRefusal(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::NOT_FOUND:
      return true;
    default:
      return false;
  }
}

int HttpStatusOfRefusal(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::INVALID_ARGUMENT || status.error_code() == grpc::StatusCode::NOT_FOUND
             ? 400
             : 409;
}

// A form state carrying what was posted (for showing it again).
FormState Posted(const std::map<std::string, std::string>& form) {
  FormState state;
  state.values = form;
  state.values.erase("csrf");
  auto id = form.find("request_id");
  if (id != form.end()) state.request_id = id->second;
  return state;
}

// "field: reason" as a refusal the console finds itself (before any backend call).
grpc::Status Refuse(const std::string& field, const std::string& reason) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, absl::StrCat(field, ": ", reason));
}

// A whole number from a form field, or the refusal that names it.
grpc::Status ParseCount(const FormState& form, const std::string& field, int64_t* out, bool required) {
  const std::string text = std::string(absl::StripAsciiWhitespace(form.Value(field)));
  if (text.empty()) {
    *out = 0;
    return required ? Refuse(field, "required") : grpc::Status::OK;
  }
  if (!absl::SimpleAtoi(text, out) || *out < 0) return Refuse(field, "must be a whole number");
  return grpc::Status::OK;
}

grpc::Status ParseQuantity(const FormState& form, const std::string& field, double* out, bool required) {
  std::string text = std::string(absl::StripAsciiWhitespace(form.Value(field)));
  std::replace(text.begin(), text.end(), ',', '.');  // "2,5" as people write it here
  if (text.empty()) {
    *out = 0;
    return required ? Refuse(field, "required") : grpc::Status::OK;
  }
  if (!absl::SimpleAtod(text, out)) return Refuse(field, "must be a number");
  return grpc::Status::OK;
}

// The notice for "?done=..." after a change.
std::string NoticeFor(const std::string& done) {
  if (done == "event") return "Đã ghi sự kiện vào nhật ký.|The event is recorded.";
  if (done == "harvest") return "Đã tạo lô từ vụ thu hoạch.|The lot is created from the harvest.";
  if (done == "area") return "Đã đăng ký vùng trồng.|The growing area is registered.";
  if (done == "season") return "Đã thêm vụ.|The season is added.";
  if (done == "roll") return "Đã cấp cuộn tem. Tải tem về để in.|The roll is issued. Download the stamps to print.";
  if (done == "split") return "Đã chia lô.|The lot is split.";
  if (done == "blend") return "Đã phối trộn thành lô mới.|The lots are blended into this one.";
  if (done == "recall") return "Đã thu hồi lô.|The lot is recalled.";
  if (done == "activate") return "Đã kích hoạt tem.|The stamps are active.";
  if (done == "void") return "Đã huỷ tem.|The stamps are void.";
  if (done == "revoke") return "Đã thu hồi tem.|The stamps are revoked.";
  if (done == "producer") return "Đã thêm chủ thể.|The producer is added.";
  if (done == "product") return "Đã thêm sản phẩm.|The product is added.";
  if (done == "saved") return "Đã lưu.|Saved.";
  if (done == "round") return "Đã mở đợt đánh giá.|The round is open.";
  if (done == "accept") return "Đã tiếp nhận hồ sơ.|The dossier is accepted.";
  if (done == "return") return "Đã trả lại hồ sơ.|The dossier is returned.";
  if (done == "score") return "Đã gửi phiếu chấm.|The score sheet is submitted.";
  if (done == "renewal") return "Đã lập hồ sơ đánh giá lại.|The re-evaluation dossier is created.";
  if (done == "close") return "Đã kết thúc đợt và cấp giấy chứng nhận.|The round is closed; certificates are issued.";
  return "";
}

std::string QueryValue(const http::HttpRequest& request, const std::string& name) {
  absl::StatusOr<std::map<std::string, std::string>> query = http::ParseQuery(request.target);
  if (!query.ok()) return "";
  return (*query)[name];
}

}  // namespace ocop::console
