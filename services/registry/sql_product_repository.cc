// SqlProductRepository: products, their ratings and status history.
#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "common/store/outbox.h"
#include "common/text/vietnamese.h"
#include "services/registry/sql_registry_internal.h"
#include "services/registry/sql_registry_store.h"

namespace ocop::registry {
namespace {

constexpr char kRatingColumns[] =
    "r.name, r.stars, r.score, r.council_level, r.certificate_number, r.decision_number, r.decision_date, "
    "r.valid_until, r.product_group, r.note, r.recorded_by, r.record_unix_micros, r.renews";

// Reads the rating columns (kRatingColumns) starting at `first`.
OcopRating ReadRating(const store::Statement& row, int first) {
  OcopRating rating;
  rating.name = row.ColumnText(first);
  rating.stars = static_cast<int>(row.ColumnInt(first + 1));
  rating.score = static_cast<int>(row.ColumnInt(first + 2));
  rating.council_level = static_cast<CouncilLevel>(row.ColumnInt(first + 3));
  rating.certificate_number = row.ColumnText(first + 4);
  rating.decision_number = row.ColumnText(first + 5);
  rating.decision_date = row.ColumnText(first + 6);
  rating.valid_until = row.ColumnText(first + 7);
  rating.product_group = static_cast<ProductGroup>(row.ColumnInt(first + 8));
  rating.note = row.ColumnText(first + 9);
  rating.recorded_by = row.ColumnText(first + 10);
  rating.record_time = absl::FromUnixMicros(row.ColumnInt(first + 11));
  rating.renews = row.ColumnText(first + 12);
  return rating;
}

constexpr char kProductSelectPrefix[] =
    "SELECT p.position, p.name, p.producer, p.display_name, p.product_group, p.description, "
    "p.create_unix_micros, p.gtin, p.sub_group, p.ingredients, p.shelf_life_days, p.storage, p.status, "
    "p.external_id, p.generation, p.update_unix_micros, p.category, ";
constexpr int kProductRatingColumn = 17;

std::string ProductSelect() {
  return absl::StrCat(kProductSelectPrefix, kRatingColumns,
                      " FROM products p LEFT JOIN ratings r ON r.position = p.current_rating ");
}

Product ReadProduct(const store::Statement& row) {
  Product product;
  product.name = row.ColumnText(1);
  product.producer = row.ColumnText(2);
  product.display_name = row.ColumnText(3);
  product.group = static_cast<ProductGroup>(row.ColumnInt(4));
  product.description = row.ColumnText(5);
  product.create_time = absl::FromUnixMicros(row.ColumnInt(6));
  product.gtin = row.ColumnText(7);
  product.sub_group = row.ColumnText(8);
  product.ingredients = row.ColumnText(9);
  product.shelf_life_days = static_cast<int>(row.ColumnInt(10));
  product.storage = row.ColumnText(11);
  product.status = static_cast<ProductStatus>(row.ColumnInt(12));
  product.external_id = row.ColumnText(13);
  product.generation = row.ColumnInt(14);
  product.update_time = absl::FromUnixMicros(row.ColumnInt(15));
  product.category = row.ColumnText(16);
  if (!row.ColumnIsNull(kProductRatingColumn)) product.rating = ReadRating(row, kProductRatingColumn);
  return product;
}

// Images and intellectual property live in their own tables.
absl::Status ReadProductLists(store::Connection& connection, Product& product) {
  OCOP_ASSIGN_OR_RETURN(store::Statement images,
                        connection.Prepare("SELECT uri, sha256 FROM product_images WHERE product = ? ORDER BY ordinal"));
  images.Bind(1, product.name);
  for (;;) {
    OCOP_ASSIGN_OR_RETURN(bool row, images.Step());
    if (!row) break;
    product.images.push_back({images.ColumnText(0), images.ColumnText(1)});
  }
  OCOP_ASSIGN_OR_RETURN(store::Statement rights,
                        connection.Prepare("SELECT kind, number, holder, grant_date FROM product_intellectual_property "
                                           "WHERE product = ? ORDER BY ordinal"));
  rights.Bind(1, product.name);
  for (;;) {
    OCOP_ASSIGN_OR_RETURN(bool row, rights.Step());
    if (!row) break;
    product.intellectual_property.push_back({static_cast<IntellectualPropertyKind>(rights.ColumnInt(0)),
                                             rights.ColumnText(1), rights.ColumnText(2), rights.ColumnText(3)});
  }
  return absl::OkStatus();
}

absl::Status WriteProductLists(store::Connection& connection, const Product& product) {
  OCOP_ASSIGN_OR_RETURN(store::Statement clear_images, connection.Prepare("DELETE FROM product_images WHERE product = ?"));
  clear_images.Bind(1, product.name);
  OCOP_RETURN_IF_ERROR(clear_images.Run());
  OCOP_ASSIGN_OR_RETURN(store::Statement clear_rights,
                        connection.Prepare("DELETE FROM product_intellectual_property WHERE product = ?"));
  clear_rights.Bind(1, product.name);
  OCOP_RETURN_IF_ERROR(clear_rights.Run());
  OCOP_ASSIGN_OR_RETURN(store::Statement image,
                        connection.Prepare("INSERT INTO product_images(product, ordinal, uri, sha256) VALUES(?, ?, ?, ?)"));
  for (size_t i = 0; i < product.images.size(); ++i) {
    image.Bind(1, product.name).Bind(2, static_cast<int64_t>(i)).Bind(3, product.images[i].uri)
        .Bind(4, product.images[i].sha256);
    OCOP_RETURN_IF_ERROR(image.Run());
    image.Reset();
  }
  OCOP_ASSIGN_OR_RETURN(store::Statement right,
                        connection.Prepare("INSERT INTO product_intellectual_property(product, ordinal, kind, number, "
                                           "holder, grant_date) VALUES(?, ?, ?, ?, ?, ?)"));
  for (size_t i = 0; i < product.intellectual_property.size(); ++i) {
    const IntellectualProperty& ip = product.intellectual_property[i];
    right.Bind(1, product.name).Bind(2, static_cast<int64_t>(i)).Bind(3, static_cast<int64_t>(ip.kind))
        .Bind(4, ip.number).Bind(5, ip.holder).Bind(6, ip.grant_date);
    OCOP_RETURN_IF_ERROR(right.Run());
    right.Reset();
  }
  return absl::OkStatus();
}

std::string SearchText(const Product& product) {
  return text::FoldForSearch(
      absl::StrCat(product.display_name, " ", product.sub_group, " ", product.external_id, " ", product.gtin));
}

// Columns UpdateProduct rewrites, bound by BindProductValues in this order.
constexpr char kProductValueColumns[] =
    "display_name, product_group, description, gtin, sub_group, ingredients, shelf_life_days, storage, "
    "status, external_id, search_folded, generation, update_unix_micros, category";
constexpr int kProductValueCount = 14;

void BindProductValues(store::Statement& statement, int first, const Product& product) {
  int i = first;
  auto bind = [&](auto value) { statement.Bind(i++, value); };
  bind(std::string_view(product.display_name));
  bind(static_cast<int64_t>(product.group));
  bind(std::string_view(product.description));
  bind(std::string_view(product.gtin));
  bind(std::string_view(product.sub_group));
  bind(std::string_view(product.ingredients));
  bind(static_cast<int64_t>(product.shelf_life_days));
  bind(std::string_view(product.storage));
  bind(static_cast<int64_t>(product.status));
  bind(std::string_view(product.external_id));
  bind(std::string_view(SearchText(product)));
  bind(product.generation);
  bind(absl::ToUnixMicros(product.update_time));
  bind(std::string_view(product.category));
}

absl::Status CheckProductUnique(store::Connection& connection, const Product& product) {
  if (product.external_id.empty()) return absl::OkStatus();
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare("SELECT name FROM products WHERE external_id = ? AND external_id != '' AND name != ?"));
  select.Bind(1, product.external_id).Bind(2, product.name);
  OCOP_ASSIGN_OR_RETURN(bool taken, select.Step());
  if (!taken) return absl::OkStatus();
  return absl::AlreadyExistsError(absl::StrCat("product.external_id: ", product.external_id, " already belongs to ",
                                               select.ColumnText(0)));
}

absl::StatusOr<Product> SelectProduct(store::Connection& connection, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(ProductSelect() + "WHERE p.name = ?"));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("product ", name, " not found"));
  Product product = ReadProduct(select);
  OCOP_RETURN_IF_ERROR(ReadProductLists(connection, product));
  return product;
}

// Stores `rating` (its name assigned here: the product's next ordinal) and points the product at
// its latest decision. Returns the rating's name.
absl::StatusOr<std::string> InsertRating(store::Connection& connection, const std::string& product,
                                         const OcopRating& rating) {
  OCOP_ASSIGN_OR_RETURN(store::Statement count, connection.Prepare("SELECT COUNT(*) FROM ratings WHERE product = ?"));
  count.Bind(1, product);
  OCOP_RETURN_IF_ERROR(count.Step().status());
  const std::string name = absl::StrCat(product, "/ratings/", count.ColumnInt(0) + 1);
  OCOP_ASSIGN_OR_RETURN(
      store::Statement insert,
      connection.Prepare("INSERT INTO ratings(name, product, stars, score, council_level, certificate_number, "
                         "decision_number, decision_date, valid_until, product_group, note, recorded_by, "
                         "record_unix_micros, renews) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, name).Bind(2, product).Bind(3, static_cast<int64_t>(rating.stars))
      .Bind(4, static_cast<int64_t>(rating.score)).Bind(5, static_cast<int64_t>(rating.council_level))
      .Bind(6, rating.certificate_number).Bind(7, rating.decision_number).Bind(8, rating.decision_date)
      .Bind(9, rating.valid_until).Bind(10, static_cast<int64_t>(rating.product_group)).Bind(11, rating.note)
      .Bind(12, rating.recorded_by).Bind(13, absl::ToUnixMicros(rating.record_time)).Bind(14, rating.renews);
  OCOP_RETURN_IF_ERROR(insert.Run());
  OCOP_ASSIGN_OR_RETURN(store::Statement current,
                        connection.Prepare("UPDATE products SET current_rating = (SELECT position FROM ratings "
                                           "WHERE product = ?1 ORDER BY decision_date DESC, position DESC LIMIT 1) "
                                           "WHERE name = ?1"));
  current.Bind(1, product);
  OCOP_RETURN_IF_ERROR(current.Run());
  return name;
}

absl::Status InsertStatusChange(store::Connection& connection, const std::string& product,
                                const StatusChange& change) {
  OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                        connection.Prepare("INSERT INTO product_statuses(product, status, effective_date, "
                                           "recorded_by, record_unix_micros) VALUES(?, ?, ?, ?, ?)"));
  insert.Bind(1, product).Bind(2, static_cast<int64_t>(change.status)).Bind(3, change.effective_date)
      .Bind(4, change.recorded_by).Bind(5, absl::ToUnixMicros(change.record_time));
  return insert.Run();
}

}  // namespace

namespace sql_internal {

absl::StatusOr<Product> SelectProduct(store::Connection& connection, const std::string& name) {
  return ::ocop::registry::SelectProduct(connection, name);
}

absl::StatusOr<OcopRating> SelectRatingAt(store::Connection& connection, int64_t position) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kRatingColumns, " FROM ratings r WHERE r.position = ?")));
  select.Bind(1, position);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("rating at ", position, " not found"));
  return ReadRating(select, 0);
}

absl::Status BackfillProductSearch(store::Connection& connection) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(ProductSelect() + "WHERE p.search_folded = ''"));
  std::vector<std::pair<std::string, std::string>> updates;
  for (;;) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    Product product = ReadProduct(select);
    updates.emplace_back(product.name, SearchText(product));
  }
  OCOP_ASSIGN_OR_RETURN(store::Statement update,
                        connection.Prepare("UPDATE products SET search_folded = ? WHERE name = ?"));
  for (const auto& [name, folded] : updates) {
    update.Bind(1, folded).Bind(2, name);
    OCOP_RETURN_IF_ERROR(update.Run());
    update.Reset();
  }
  return absl::OkStatus();
}

}  // namespace sql_internal

namespace sql_internal {

absl::Status InsertProductRow(store::Connection& connection, const Product& product,
                              const std::optional<StatusChange>& status) {
  OCOP_ASSIGN_OR_RETURN(store::Statement producer, connection.Prepare("SELECT 1 FROM producers WHERE name = ?"));
  producer.Bind(1, product.producer);
  OCOP_ASSIGN_OR_RETURN(bool producer_exists, producer.Step());
  if (!producer_exists) return absl::NotFoundError(absl::StrCat("product.producer: ", product.producer, " not found"));
  OCOP_RETURN_IF_ERROR(CheckProductUnique(connection, product));
  OCOP_ASSIGN_OR_RETURN(
      store::Statement insert,
      connection.Prepare(absl::StrCat("INSERT INTO products(name, producer, create_unix_micros, rating_stars, "
                                      "rating_score, certificate_number, valid_until, ",
                                      kProductValueColumns, ") VALUES(?, ?, ?, 0, 0, '', '', ",
                                      Placeholders(kProductValueCount), ")")));
  insert.Bind(1, product.name).Bind(2, product.producer).Bind(3, absl::ToUnixMicros(product.create_time));
  BindProductValues(insert, 4, product);
  OCOP_RETURN_IF_ERROR(insert.Run());
  OCOP_RETURN_IF_ERROR(WriteProductLists(connection, product));
  if (product.rating.has_value()) OCOP_RETURN_IF_ERROR(InsertRating(connection, product.name, *product.rating).status());
  if (status.has_value()) OCOP_RETURN_IF_ERROR(InsertStatusChange(connection, product.name, *status));
  return store::AppendChange(connection, "product", product.name, product.generation, product.create_time).status();
}

absl::Status UpdateProductRow(store::Connection& connection, const Product& product, int64_t expected_generation,
                              const std::optional<StatusChange>& status) {
  OCOP_RETURN_IF_ERROR(CheckProductUnique(connection, product));
  OCOP_ASSIGN_OR_RETURN(store::Statement update,
                        connection.Prepare(absl::StrCat("UPDATE products SET ", Assignments(kProductValueColumns),
                                                        " WHERE name = ? AND generation = ?")));
  BindProductValues(update, 1, product);
  update.Bind(kProductValueCount + 1, product.name).Bind(kProductValueCount + 2, expected_generation);
  OCOP_RETURN_IF_ERROR(update.Run());
  if (connection.Changes() == 0) {
    return absl::AbortedError(absl::StrCat("product.etag: ", product.name,
                                           " changed since it was read; read it again and retry"));
  }
  OCOP_RETURN_IF_ERROR(WriteProductLists(connection, product));
  if (status.has_value()) OCOP_RETURN_IF_ERROR(InsertStatusChange(connection, product.name, *status));
  return store::AppendChange(connection, "product", product.name, product.generation, product.update_time).status();
}

absl::StatusOr<std::string> AppendRatingRow(store::Connection& connection, const std::string& product,
                                            const OcopRating& rating) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare("SELECT generation FROM products WHERE name = ?"));
  select.Bind(1, product);
  OCOP_ASSIGN_OR_RETURN(bool exists, select.Step());
  if (!exists) return absl::NotFoundError(absl::StrCat("parent: ", product, " not found"));
  const int64_t generation = select.ColumnInt(0) + 1;
  OCOP_ASSIGN_OR_RETURN(std::string name, InsertRating(connection, product, rating));
  // A rating changes what the product shows, so it is a product change on the feed.
  OCOP_ASSIGN_OR_RETURN(store::Statement bump,
                        connection.Prepare("UPDATE products SET generation = ?, update_unix_micros = ? WHERE name = ?"));
  bump.Bind(1, generation).Bind(2, absl::ToUnixMicros(rating.record_time)).Bind(3, product);
  OCOP_RETURN_IF_ERROR(bump.Run());
  OCOP_RETURN_IF_ERROR(store::AppendChange(connection, "product", product, generation, rating.record_time).status());
  return name;
}

absl::StatusOr<std::optional<Product>> FindProductByExternalId(store::Connection& connection,
                                                               const std::string& external_id) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(ProductSelect() + "WHERE p.external_id = ? AND p.external_id != ''"));
  select.Bind(1, external_id);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return std::optional<Product>();
  Product product = ReadProduct(select);
  OCOP_RETURN_IF_ERROR(ReadProductLists(connection, product));
  return std::optional<Product>(std::move(product));
}

absl::StatusOr<std::vector<OcopRating>> RatingsOf(store::Connection& connection, const std::string& product) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kRatingColumns,
                                                        " FROM ratings r WHERE r.product = ? ORDER BY r.position")));
  select.Bind(1, product);
  std::vector<OcopRating> ratings;
  for (;;) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    ratings.push_back(ReadRating(select, 0));
  }
  return ratings;
}

}  // namespace sql_internal

absl::StatusOr<Product> SqlProductRepository::CreateProduct(const Product& product,
                                                                const std::optional<StatusChange>& status,
                                                                const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(store::CreateOnceResult result,
                        store::CreateOnce(*database_, key, product.name, [&](store::Connection& connection) {
                          return sql_internal::InsertProductRow(connection, product, status);
                        }));
  if (result.created) notifier_->Notify();
  return GetProduct(result.name);
}

absl::StatusOr<Product> SqlProductRepository::UpdateProduct(const Product& product, int64_t expected_generation,
                                                                const std::optional<StatusChange>& status) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) {
    return sql_internal::UpdateProductRow(connection, product, expected_generation, status);
  }));
  notifier_->Notify();
  return GetProduct(product.name);
}

absl::StatusOr<Product> SqlProductRepository::GetProduct(const std::string& name) {
  Product product;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(product, SelectProduct(connection, name));
    return absl::OkStatus();
  }));
  return product;
}

absl::StatusOr<Page<Product>> SqlProductRepository::ListProducts(const ProductFilter& filter,
                                                                     int64_t after_position, int limit) {
  Page<Product> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    const std::string match = sql_internal::PrefixMatch(connection.dialect(), filter.folded_query);
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat(
            ProductSelect(), "JOIN producers pr ON pr.name = p.producer ",
            "WHERE p.position > ?1 AND (?2 = '' OR p.producer = ?2) AND (?3 = '' OR pr.current_province_code = ?3) ",
            "AND (?4 = 0 OR p.product_group = ?4) AND (?5 = 0 OR r.stars = ?5) AND (?8 = '' OR p.gtin = ?8) ",
            match.empty() ? "AND ?6 = '' "
                          : absl::StrCat("AND ", sql_internal::SearchCondition(connection.dialect(), "product", "p", 6),
                                         " "),
            "ORDER BY p.position LIMIT ?7")));
    select.Bind(1, after_position).Bind(2, filter.producer).Bind(3, filter.province_code)
        .Bind(4, static_cast<int64_t>(filter.group)).Bind(5, static_cast<int64_t>(filter.stars)).Bind(6, match)
        .Bind(7, static_cast<int64_t>(limit + 1)).Bind(8, filter.gtin);
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<Product>(select, limit, ReadProduct));
    for (Product& product : page.items) OCOP_RETURN_IF_ERROR(ReadProductLists(connection, product));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<OcopRating> SqlProductRepository::AddRating(const std::string& product, const OcopRating& rating,
                                                              const store::IdempotencyKey& key) {
  std::string name;
  bool created = false;
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(std::optional<std::string> earlier, store::FindIdempotentResult(connection, key));
    if (earlier.has_value()) {
      name = *earlier;
      return absl::OkStatus();
    }
    OCOP_ASSIGN_OR_RETURN(name, sql_internal::AppendRatingRow(connection, product, rating));
    created = true;
    return store::RememberIdempotentResult(connection, key, name);
  }));
  if (created) notifier_->Notify();
  OcopRating stored;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat("SELECT ", kRatingColumns, " FROM ratings r WHERE r.name = ?")));
    select.Bind(1, name);
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return absl::NotFoundError(absl::StrCat("rating ", name, " not found"));
    stored = ReadRating(select, 0);
    return absl::OkStatus();
  }));
  return stored;
}

absl::StatusOr<Page<OcopRating>> SqlProductRepository::ListRatings(const std::string& product,
                                                                       int64_t after_position, int limit) {
  Page<OcopRating> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement exists, connection.Prepare("SELECT 1 FROM products WHERE name = ?"));
    exists.Bind(1, product);
    OCOP_ASSIGN_OR_RETURN(bool found, exists.Step());
    if (!found) return absl::NotFoundError(absl::StrCat("parent: ", product, " not found"));
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat("SELECT r.position, ", kRatingColumns,
                                                          " FROM ratings r WHERE r.product = ? AND r.position > ? "
                                                          "ORDER BY r.position LIMIT ?")));
    select.Bind(1, product).Bind(2, after_position).Bind(3, static_cast<int64_t>(limit + 1));
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<OcopRating>(select, limit, [](const store::Statement& row) {
                            return ReadRating(row, 1);
                          }));
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace ocop::registry
