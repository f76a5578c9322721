#include "services/registry/products.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/ownership.h"
#include "common/grpc/paging.h"
#include "common/ocop_category/ocop_category.h"
#include "common/ocop_mark/ocop_mark.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"
#include "services/registry/registry_internal.h"

namespace ocop::registry {
namespace {

using registry_internal::IdempotencyKeyFor;
using registry_internal::Normalize;

constexpr size_t kMaxListEntries = 20;

}  // namespace

namespace registry_internal {

absl::Status ValidateCategory(const std::string& field, std::string& category, ProductGroup& group) {
  if (category.empty()) return absl::OkStatus();
  OCOP_ASSIGN_OR_RETURN(const ocop_category::Category* found, ocop_category::FindCategory(field, category));
  const auto category_group = static_cast<ProductGroup>(found->product_group);
  if (group == ProductGroup::kUnspecified) group = category_group;
  if (group != category_group) {
    const ocop_mark::GroupLabel in = ocop_mark::LabelOf(found->product_group);
    const ocop_mark::GroupLabel given = ocop_mark::LabelOf(static_cast<v1::ProductGroup>(group));
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", found->code, " (", found->name, ") is in the group ",
                                                   in.english, ", not ", *given.english ? given.english : "the one given"));
  }
  category = std::string(found->code);
  return absl::OkStatus();
}

absl::Status ValidateProduct(Product& product) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("product.producer", product.producer, "producers"));
  OCOP_RETURN_IF_ERROR(Normalize("product.display_name", &product.display_name));
  OCOP_RETURN_IF_ERROR(validate::Text("product.display_name", product.display_name, 300, true));
  OCOP_RETURN_IF_ERROR(ValidateCategory("product.category", product.category, product.group));
  if (product.group == ProductGroup::kUnspecified) {
    return absl::InvalidArgumentError("product.group: must be set");
  }
  if (product.group > ProductGroup::kTourism) {
    return absl::InvalidArgumentError(
        "product.group: products are classified by the Decision 148/QĐ-TTg groups; a 2019 group belongs on "
        "the ratings decided under it (rating.product_group)");
  }
  struct TextField {
    const char* name;
    std::string* value;
    size_t max_bytes;
  };
  for (const TextField& field : {TextField{"product.description", &product.description, 4000},
                                 TextField{"product.sub_group", &product.sub_group, 200},
                                 TextField{"product.ingredients", &product.ingredients, 4000},
                                 TextField{"product.storage", &product.storage, 1000},
                                 TextField{"product.external_id", &product.external_id, 64}}) {
    OCOP_RETURN_IF_ERROR(Normalize(field.name, field.value));
    OCOP_RETURN_IF_ERROR(validate::Text(field.name, *field.value, field.max_bytes, false));
  }
  if (!product.gtin.empty()) {
    OCOP_ASSIGN_OR_RETURN(product.gtin, validate::Gtin("product.gtin", product.gtin));
  }
  if (product.shelf_life_days < 0 || product.shelf_life_days > 36500) {
    return absl::InvalidArgumentError("product.shelf_life_days: must be between 0 (not declared) and 36500");
  }
  if (product.images.size() > kMaxListEntries) {
    return absl::InvalidArgumentError("product.images: at most 20");
  }
  for (size_t i = 0; i < product.images.size(); ++i) {
    ProductImage& image = product.images[i];
    const std::string field = absl::StrCat("product.images[", i, "]");
    OCOP_RETURN_IF_ERROR(validate::HttpsUrl(absl::StrCat(field, ".uri"), image.uri));
    OCOP_ASSIGN_OR_RETURN(image.sha256, validate::Sha256Hex(absl::StrCat(field, ".sha256"), image.sha256, "image"));
  }
  if (product.intellectual_property.size() > kMaxListEntries) {
    return absl::InvalidArgumentError("product.intellectual_property: at most 20");
  }
  for (size_t i = 0; i < product.intellectual_property.size(); ++i) {
    IntellectualProperty& ip = product.intellectual_property[i];
    const std::string field = absl::StrCat("product.intellectual_property[", i, "]");
    if (ip.kind == IntellectualPropertyKind::kUnspecified) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".kind: must be set"));
    }
    OCOP_RETURN_IF_ERROR(Normalize(absl::StrCat(field, ".number"), &ip.number));
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".number"), ip.number, 100, true));
    OCOP_RETURN_IF_ERROR(Normalize(absl::StrCat(field, ".holder"), &ip.holder));
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".holder"), ip.holder, 300, false));
    if (!ip.grant_date.empty()) {
      OCOP_RETURN_IF_ERROR(validate::Date(absl::StrCat(field, ".grant_date"), ip.grant_date).status());
    }
  }
  if (product.status == ProductStatus::kUnspecified) product.status = ProductStatus::kActive;
  return absl::OkStatus();
}

}  // namespace registry_internal

bool Product::SameContent(const Product& other) const {
  return display_name == other.display_name && group == other.group && description == other.description &&
         gtin == other.gtin && sub_group == other.sub_group && category == other.category &&
         ingredients == other.ingredients &&
         shelf_life_days == other.shelf_life_days && storage == other.storage && images == other.images &&
         intellectual_property == other.intellectual_property && status == other.status &&
         external_id == other.external_id;
}

std::string ProductEtag(const Product& product) { return absl::StrCat(product.generation); }

void Products::FillRatingState(Product& product) const {
  if (product.rating.has_value()) product.rating->state = RatingStateOn(*product.rating, Today());
}

absl::StatusOr<Product> Products::CreateProduct(const Actor& actor, Product product,
                                                const std::string& request_id,
                                                const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_RETURN_IF_ERROR(registry_internal::ValidateProduct(product));
  OCOP_RETURN_IF_ERROR(registry_internal::CheckOwner(*producers_, actor, "product.producer", product.producer));
  // Stars and standing are the province's decision, never the producer's own.
  if (actor.role == "producer" && (product.rating.has_value() || product.status != ProductStatus::kActive)) {
    return absl::PermissionDeniedError(
        "product.rating: a producer cannot rate its own product or set its status; the OCOP office does");
  }
  const absl::Time now = clock_();
  product.name = absl::StrCat("products/", validate::NewId(issuer_));
  product.create_time = now;
  product.update_time = now;
  product.generation = 1;
  if (product.rating.has_value()) {
    OCOP_RETURN_IF_ERROR(PrepareRating("product.rating", *product.rating, product.group, *rules_, Today()));
    product.rating->recorded_by = actor.subject;
    product.rating->record_time = now;
  }
  std::optional<StatusChange> status;
  if (product.status != ProductStatus::kActive) {
    status = StatusChange{product.status, absl::FormatCivilTime(Today()), actor.subject, now};
  }
  OCOP_ASSIGN_OR_RETURN(Product created,
                        repository_->CreateProduct(product, status, IdempotencyKeyFor(actor, "CreateProduct", request_id,
                                                                                      request_fingerprint)));
  FillRatingState(created);
  return created;
}

absl::StatusOr<Product> Products::UpdateProduct(const Actor& actor, const Product& update,
                                                const std::vector<std::string>& field_paths,
                                                const std::string& etag) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("product.name", update.name, "products"));
  OCOP_ASSIGN_OR_RETURN(Product current, repository_->GetProduct(update.name));
  OCOP_RETURN_IF_ERROR(registry_internal::CheckOwner(*producers_, actor, update.name, current.producer));
  if (!etag.empty() && etag != ProductEtag(current)) {
    return absl::AbortedError(absl::StrCat("product.etag: ", update.name,
                                           " changed since it was read; read it again and retry"));
  }
  Product updated = current;
  const std::vector<std::string> all = {"display_name", "group",       "description",     "gtin",
                                        "sub_group",    "category",    "ingredients",     "shelf_life_days",
                                        "storage",      "images",      "intellectual_property", "status",
                                        "external_id"};
  for (const std::string& path : field_paths.empty() ? all : field_paths) {
    if (path == "display_name") updated.display_name = update.display_name;
    else if (path == "group") updated.group = update.group;
    else if (path == "description") updated.description = update.description;
    else if (path == "gtin") updated.gtin = update.gtin;
    else if (path == "sub_group") updated.sub_group = update.sub_group;
    else if (path == "category") updated.category = update.category;
    else if (path == "ingredients") updated.ingredients = update.ingredients;
    else if (path == "shelf_life_days") updated.shelf_life_days = update.shelf_life_days;
    else if (path == "storage") updated.storage = update.storage;
    else if (path == "images") updated.images = update.images;
    else if (path == "intellectual_property") updated.intellectual_property = update.intellectual_property;
    else if (path == "status") updated.status = update.status;
    else if (path == "external_id") updated.external_id = update.external_id;
    else return absl::InvalidArgumentError(absl::StrCat("update_mask: '", path, "' is not an updatable field"));
  }
  OCOP_RETURN_IF_ERROR(registry_internal::ValidateProduct(updated));
  if (actor.role == "producer" && updated.status != current.status) {
    return absl::PermissionDeniedError("product.status: only the OCOP office may suspend or withdraw a product");
  }
  if (updated.SameContent(current)) {
    FillRatingState(current);
    return current;
  }
  const absl::Time now = clock_();
  std::optional<StatusChange> status;
  if (updated.status != current.status) {
    status = StatusChange{updated.status, absl::FormatCivilTime(Today()), actor.subject, now};
  }
  updated.generation = current.generation + 1;
  updated.update_time = now;
  OCOP_ASSIGN_OR_RETURN(Product stored, repository_->UpdateProduct(updated, current.generation, status));
  FillRatingState(stored);
  return stored;
}

absl::StatusOr<Product> Products::GetProduct(const Actor&, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "products"));
  OCOP_ASSIGN_OR_RETURN(Product product, repository_->GetProduct(name));
  FillRatingState(product);
  return product;
}

absl::StatusOr<Page<Product>> Products::ListProducts(const Actor&, ProductFilter filter, const PageRequest& page) {
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, registry_internal::kDefaultPageSize,
                                                     registry_internal::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  if (!filter.producer.empty()) {
    OCOP_RETURN_IF_ERROR(validate::ResourceName("producer", filter.producer, "producers"));
  }
  if (!filter.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("province_code", filter.province_code, 2));
  }
  if (filter.stars < 0 || filter.stars > 5) {
    return absl::InvalidArgumentError("stars: must be between 0 (any) and 5");
  }
  if (!filter.gtin.empty()) {
    OCOP_ASSIGN_OR_RETURN(filter.gtin, validate::Gtin("gtin", filter.gtin));
  }
  OCOP_ASSIGN_OR_RETURN(Page<Product> products, repository_->ListProducts(filter, after, size));
  for (Product& product : products.items) FillRatingState(product);
  return products;
}

absl::StatusOr<OcopRating> Products::AddRating(const Actor& actor, const std::string& product, OcopRating rating,
                                               const std::string& request_id,
                                               const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_RETURN_IF_ERROR(validate::ResourceName("parent", product, "products"));
  OCOP_ASSIGN_OR_RETURN(Product rated, repository_->GetProduct(product));
  if (actor.role == "producer") {
    return absl::PermissionDeniedError("rating: a producer cannot rate its own product; the OCOP office does");
  }
  OCOP_RETURN_IF_ERROR(registry_internal::CheckOwner(*producers_, actor, product, rated.producer));
  OCOP_RETURN_IF_ERROR(PrepareRating("rating", rating, rated.group, *rules_, Today()));
  rating.recorded_by = actor.subject;
  rating.record_time = clock_();
  OCOP_ASSIGN_OR_RETURN(OcopRating stored,
                        repository_->AddRating(product, rating, IdempotencyKeyFor(actor, "AddRating", request_id,
                                                                                  request_fingerprint)));
  stored.state = RatingStateOn(stored, Today());
  return stored;
}

absl::StatusOr<Page<OcopRating>> Products::ListRatings(const Actor&, const std::string& product,
                                                       const PageRequest& page) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("parent", product, "products"));
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, registry_internal::kDefaultPageSize,
                                                     registry_internal::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  OCOP_ASSIGN_OR_RETURN(Page<OcopRating> ratings, repository_->ListRatings(product, after, size));
  const absl::CivilDay today = Today();
  for (OcopRating& rating : ratings.items) rating.state = RatingStateOn(rating, today);
  return ratings;
}

absl::StatusOr<std::string> Products::ProducerOfChange(const std::string& entity, const std::string& name) {
  if (entity == "producer") return name;
  if (entity == "product") {
    OCOP_ASSIGN_OR_RETURN(Product product, repository_->GetProduct(name));
    return product.producer;
  }
  return absl::NotFoundError(absl::StrCat(entity, " changes belong to no producer"));
}

}  // namespace ocop::registry
