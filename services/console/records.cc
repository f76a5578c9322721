// One producer's and one product's pages: an office adds and edits its province's producers and
// products; a product's page shows its rating history with who recorded each decision. The
// registry holds an office to its province and a producer to its own records; edits carry the
// etag the page was drawn with, so a change made meanwhile by someone else is not overwritten.
#include <algorithm>
#include <climits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/console/console.h"
#include "services/console/handlers.h"
#include "services/console/pages.h"
#include "services/console/record_pages.h"
#include "services/console/responses.h"

namespace ocop::console {
namespace {

bool IsOffice(const Session& session) { return session.user.role == "office" || session.user.role == "admin"; }

// The producer the form describes (the fields the console edits), or the refusal naming a field.
grpc::Status ProducerFromForm(const FormState& form, const Session& session, registry::v1::Producer* producer) {
  int kind = 0;
  if (!absl::SimpleAtoi(form.Value("kind"), &kind) || kind < 1 || kind > 4) return Refuse("kind", "choose a kind");
  producer->set_display_name(form.Value("display_name"));
  producer->set_kind(static_cast<registry::v1::ProducerKind>(kind));
  producer->set_phone(form.Value("phone"));
  producer->set_tax_code(form.Value("tax_code"));
  producer->mutable_representative()->set_full_name(form.Value("full_name"));
  producer->mutable_address()->set_commune_code(form.Value("commune_code"));
  producer->mutable_address()->set_street(form.Value("street"));
  int64_t workers = 0, trained_workers = 0;
  double hectares = 0;
  grpc::Status parsed = ParseCount(form, "workers", &workers, false);
  if (parsed.ok()) parsed = ParseCount(form, "trained_workers", &trained_workers, false);
  if (parsed.ok()) parsed = ParseQuantity(form, "raw_material_hectares", &hectares, false);
  if (!parsed.ok()) return parsed;
  // Out-of-range counts reach the registry, which names the limit.
  producer->mutable_workforce()->set_workers(static_cast<int32_t>(std::min<int64_t>(workers, INT32_MAX)));
  producer->mutable_workforce()->set_trained_workers(static_cast<int32_t>(std::min<int64_t>(trained_workers, INT32_MAX)));
  producer->mutable_value_chain()->set_green_or_circular(form.Value("green_value_chain") == "1");
  producer->mutable_value_chain()->set_raw_material_hectares(hectares);
  producer->mutable_value_chain()->set_raw_material_area(form.Value("raw_material_area"));
  // An office registers producers of its own province; the registry checks the commune is in it.
  if (!session.user.province.empty()) producer->mutable_address()->set_province_code(session.user.province);
  return grpc::Status::OK;
}

// "producer.address.commune_code: ..." names the form's commune_code; the representative's name
// is the form's full_name.
void AddProducerRefusal(FormState& form, const grpc::Status& status) {
  AddRefusal(form, status, kProducerFields);
  if (status.error_code() == grpc::StatusCode::ABORTED) {
    form.error = "Người khác vừa sửa chủ thể này; hãy tải lại trang. / Someone else changed it meanwhile; reload the page.";
  }
}

}  // namespace

http::HttpResponse Console::RecordsRoute(const http::HttpRequest& request, Session& session,
                                         const std::vector<std::string>& parts) {
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  const size_t n = parts.size();
  for (size_t i = 1; i < n; i += 2) {
    if (!IsId(parts[i])) return Html(404, RenderMessage(&session, "Không có trang này", "No such page"));
  }
  if (parts[0] == "products" && n == 2) {
    if (session.user.role != "producer" && !IsOffice(session)) {
      return Html(403, RenderMessage(&session, "Bạn không có quyền xem trang này", "You may not see this page"));
    }
    if (get) return ProductPage(request, session, "products/" + parts[1], NewForm(), 200);
    if (post) return UpdateProduct(request, session, "products/" + parts[1]);
  }
  if (parts[0] == "producers") {
    if (!IsOffice(session)) {
      return Html(403, RenderMessage(&session, "Trang này dành cho văn phòng OCOP", "This page is for OCOP offices"));
    }
    if (n == 1 && post) return CreateProducer(request, session);
    const std::string producer = n >= 2 ? "producers/" + parts[1] : "";
    if (n == 2 && get) return ProducerPage(request, session, producer, NewForm(), NewForm(), 200);
    if (n == 2 && post) return UpdateProducer(request, session, producer);
    if (n == 3 && post && parts[2] == "products") return CreateProduct(request, session, producer);
  }
  if (!get && !post) return Html(405, RenderMessage(&session, "Phương thức không được phép", "Method not allowed"));
  return Html(404, RenderMessage(&session, "Không có trang này", "No such page"));
}

http::HttpResponse Console::CreateProducer(const http::HttpRequest& request, Session& session) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  registry::v1::CreateProducerRequest create;
  create.set_request_id(form.request_id);
  grpc::Status status = ProducerFromForm(form, session, create.mutable_producer());
  if (status.ok()) {
    registry::v1::Producer created;
    status = Call(session, [&](grpc::ClientContext* c) { return registry_->CreateProducer(c, create, &created); });
    if (status.ok()) return Redirect(absl::StrCat("/", created.name(), "?done=producer"));
  }
  if (!IsFormRefusal(status) && status.error_code() != grpc::StatusCode::PERMISSION_DENIED) {
    return BackendError(status, &session);
  }
  AddProducerRefusal(form, status);
  return Producers(request, session, std::move(form), status.error_code() == grpc::StatusCode::PERMISSION_DENIED
                                                          ? 403
                                                          : HttpStatusOfRefusal(status));
}

http::HttpResponse Console::ProducerPage(const http::HttpRequest& request, Session& session,
                                         const std::string& producer, FormState edit_form, FormState product_form,
                                         int status) {
  ProducerView view;
  registry::v1::GetProducerRequest get;
  get.set_name(producer);
  grpc::Status called = Call(session, [&](grpc::ClientContext* c) { return registry_->GetProducer(c, get, &view.producer); });
  // Another province's producer is not there for this office.
  if (called.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  }
  if (!called.ok()) return BackendError(called, &session);
  registry::v1::ListProductsRequest list;
  list.set_producer(producer);
  list.set_page_size(100);
  registry::v1::ListProductsResponse products;
  called = Call(session, [&](grpc::ClientContext* c) { return registry_->ListProducts(c, list, &products); });
  if (!called.ok()) return BackendError(called, &session);
  view.products.assign(products.products().begin(), products.products().end());
  view.csrf = session.csrf;
  view.edit_form = std::move(edit_form);
  view.product_form = std::move(product_form);
  view.notice = NoticeFor(QueryValue(request, "done"));
  return Html(status, RenderPage(session, view.producer.display_name(), "Producer", RenderProducerBody(view)));
}

http::HttpResponse Console::UpdateProducer(const http::HttpRequest& request, Session& session,
                                           const std::string& producer) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  registry::v1::UpdateProducerRequest update;
  update.mutable_producer()->set_name(producer);
  update.mutable_producer()->set_etag(form.Value("etag"));
  grpc::Status status = ProducerFromForm(form, session, update.mutable_producer());
  // Only what the form shows is replaced; the rest of the record (sales channels, location,
  // ethnicity ...) stays as it was.
  for (const char* field :
       {"display_name", "kind", "phone", "tax_code", "representative", "address", "workforce", "value_chain"}) {
    update.mutable_update_mask()->add_paths(field);
  }
  if (status.ok()) {
    // The representative's other details and the address's version come from the stored record.
    registry::v1::GetProducerRequest get;
    get.set_name(producer);
    registry::v1::Producer stored;
    status = Call(session, [&](grpc::ClientContext* c) { return registry_->GetProducer(c, get, &stored); });
    if (status.ok()) {
      registry::v1::Representative representative = stored.representative();
      representative.set_full_name(form.Value("full_name"));
      *update.mutable_producer()->mutable_representative() = representative;
      // The commune is edited in the record's own unit table and province: a producer recorded
      // before the July 2025 merger keeps its old province code (e.g. Bắc Kạn's, now in 19).
      update.mutable_producer()->mutable_address()->set_units_version(stored.address().units_version());
      update.mutable_producer()->mutable_address()->set_province_code(stored.address().province_code());
      update.mutable_producer()->mutable_address()->set_district_name(stored.address().district_name());
      registry::v1::Producer updated;
      status = Call(session, [&](grpc::ClientContext* c) { return registry_->UpdateProducer(c, update, &updated); });
      if (status.ok()) return Redirect(absl::StrCat("/", producer, "?done=saved"));
    }
  }
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  }
  if (!IsFormRefusal(status) && status.error_code() != grpc::StatusCode::ABORTED) return BackendError(status, &session);
  AddProducerRefusal(form, status);
  return ProducerPage(request, session, producer, std::move(form), NewForm(),
                      status.error_code() == grpc::StatusCode::ABORTED ? 409 : HttpStatusOfRefusal(status));
}

http::HttpResponse Console::CreateProduct(const http::HttpRequest& request, Session& session,
                                          const std::string& producer) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  registry::v1::CreateProductRequest create;
  create.set_request_id(form.request_id);
  registry::v1::Product* product = create.mutable_product();
  product->set_producer(producer);
  product->set_display_name(form.Value("display_name"));
  product->set_description(form.Value("description"));
  product->set_category(form.Value("category"));
  int group = 0;
  grpc::Status status;
  if (!absl::SimpleAtoi(form.Value("group"), &group) || group < 1 || group > 6) {
    status = Refuse("group", "choose a group");
  } else {
    product->set_group(static_cast<registry::v1::ProductGroup>(group));
    registry::v1::Product created;
    status = Call(session, [&](grpc::ClientContext* c) { return registry_->CreateProduct(c, create, &created); });
    if (status.ok()) return Redirect(absl::StrCat("/", created.name(), "?done=product"));
  }
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  }
  if (!IsFormRefusal(status)) return BackendError(status, &session);
  AddRefusal(form, status, kProductFields);
  return ProducerPage(request, session, producer, NewForm(), std::move(form), HttpStatusOfRefusal(status));
}

http::HttpResponse Console::ProductPage(const http::HttpRequest& request, Session& session,
                                        const std::string& product, FormState edit_form, int status) {
  ProductView view;
  registry::v1::GetProductRequest get;
  get.set_name(product);
  grpc::Status called = Call(session, [&](grpc::ClientContext* c) { return registry_->GetProduct(c, get, &view.product); });
  if (!called.ok()) return BackendError(called, &session);
  // Product records are public at the registry; a producer's page for editing is its own only,
  // and an office's its province's (the producer's record tells).
  if (session.user.role == "producer" && view.product.producer() != session.user.producer) {
    return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  }
  registry::v1::GetProducerRequest get_producer;
  get_producer.set_name(view.product.producer());
  registry::v1::Producer producer;
  called = Call(session, [&](grpc::ClientContext* c) { return registry_->GetProducer(c, get_producer, &producer); });
  if (called.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  }
  if (!called.ok()) return BackendError(called, &session);
  view.producer_name = producer.display_name();
  registry::v1::ListRatingsRequest ratings;
  ratings.set_parent(product);
  ratings.set_page_size(100);
  registry::v1::ListRatingsResponse history;
  called = Call(session, [&](grpc::ClientContext* c) { return registry_->ListRatings(c, ratings, &history); });
  if (!called.ok()) return BackendError(called, &session);
  view.ratings.assign(history.ratings().rbegin(), history.ratings().rend());  // newest first
  view.csrf = session.csrf;
  view.edit_form = std::move(edit_form);
  view.office = IsOffice(session);
  view.notice = NoticeFor(QueryValue(request, "done"));
  return Html(status, RenderPage(session, view.product.display_name(), "Product", RenderProductBody(view)));
}

http::HttpResponse Console::UpdateProduct(const http::HttpRequest& request, Session& session,
                                          const std::string& product) {
  http::HttpResponse refusal;
  std::optional<std::map<std::string, std::string>> posted = PostedForm(request, session, &refusal);
  if (!posted) return refusal;
  FormState form = Posted(*posted);
  registry::v1::UpdateProductRequest update;
  update.mutable_product()->set_name(product);
  update.mutable_product()->set_etag(form.Value("etag"));
  update.mutable_product()->set_display_name(form.Value("display_name"));
  update.mutable_product()->set_description(form.Value("description"));
  update.mutable_update_mask()->add_paths("display_name");
  update.mutable_update_mask()->add_paths("description");
  // The category only when the form has it, so a form without the field clears nothing.
  if (posted->count("category") > 0) {
    update.mutable_product()->set_category(form.Value("category"));
    update.mutable_update_mask()->add_paths("category");
  }
  grpc::Status status;
  if (IsOffice(session)) {
    int value = 0;
    if (!absl::SimpleAtoi(form.Value("status"), &value) || value < 1 || value > 3) {
      status = Refuse("status", "choose a status");
    }
    update.mutable_product()->set_status(static_cast<registry::v1::ProductStatus>(value));
    update.mutable_update_mask()->add_paths("status");
  }
  if (status.ok()) {
    registry::v1::Product updated;
    status = Call(session, [&](grpc::ClientContext* c) { return registry_->UpdateProduct(c, update, &updated); });
    if (status.ok()) return Redirect(absl::StrCat("/", product, "?done=saved"));
  }
  if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    return Html(404, RenderMessage(&session, "Không tìm thấy", "Not found"));
  }
  if (!IsFormRefusal(status) && status.error_code() != grpc::StatusCode::ABORTED) return BackendError(status, &session);
  AddRefusal(form, status, kProductFields);
  if (status.error_code() == grpc::StatusCode::ABORTED) {
    form.error = "Người khác vừa sửa sản phẩm này; hãy tải lại trang. / Someone else changed it meanwhile; reload the page.";
  }
  return ProductPage(request, session, product, std::move(form),
                     status.error_code() == grpc::StatusCode::ABORTED ? 409 : HttpStatusOfRefusal(status));
}

}  // namespace ocop::console
