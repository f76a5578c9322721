#include "services/registry/sqlite_registry_repository.h"

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

namespace ocop::registry {
namespace {

// Append-only: never edit a migration that has shipped; add a new one.
const std::vector<std::string>& Migrations() {
  static const auto* migrations = new std::vector<std::string>{
      store::kOutboxMigration,
      store::kIdempotencyMigration,
      R"sql(
CREATE TABLE producers (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL UNIQUE,
  display_name  TEXT NOT NULL,
  kind          INTEGER NOT NULL,
  street        TEXT NOT NULL,
  commune_code  TEXT NOT NULL,
  commune_name  TEXT NOT NULL,
  district_name TEXT NOT NULL,
  province_code TEXT NOT NULL,
  province_name TEXT NOT NULL,
  phone         TEXT NOT NULL,
  create_unix_micros INTEGER NOT NULL,
  generation    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX producers_by_province ON producers(province_code, position);
CREATE TABLE products (
  position      INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT NOT NULL UNIQUE,
  producer      TEXT NOT NULL REFERENCES producers(name),
  display_name  TEXT NOT NULL,
  product_group INTEGER NOT NULL,
  description   TEXT NOT NULL,
  rating_stars  INTEGER NOT NULL,  -- 0: not rated
  rating_score  INTEGER NOT NULL,
  certificate_number TEXT NOT NULL,
  valid_until   TEXT NOT NULL,
  create_unix_micros INTEGER NOT NULL,
  generation    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX products_by_producer ON products(producer, position);
)sql",
      "ALTER TABLE products ADD COLUMN gtin TEXT NOT NULL DEFAULT ''",
  };
  return *migrations;
}

constexpr char kProducerColumns[] =
    "position, name, display_name, kind, street, commune_code, commune_name, district_name, "
    "province_code, province_name, phone, create_unix_micros";

Producer ReadProducer(const store::Statement& row) {
  Producer producer;
  producer.name = row.ColumnText(1);
  producer.display_name = row.ColumnText(2);
  producer.kind = static_cast<ProducerKind>(row.ColumnInt(3));
  producer.address.street = row.ColumnText(4);
  producer.address.commune_code = row.ColumnText(5);
  producer.address.commune_name = row.ColumnText(6);
  producer.address.district_name = row.ColumnText(7);
  producer.address.province_code = row.ColumnText(8);
  producer.address.province_name = row.ColumnText(9);
  producer.phone = row.ColumnText(10);
  producer.create_time = absl::FromUnixMicros(row.ColumnInt(11));
  return producer;
}

constexpr char kProductColumns[] =
    "p.position, p.name, p.producer, p.display_name, p.product_group, p.description, p.rating_stars, "
    "p.rating_score, p.certificate_number, p.valid_until, p.create_unix_micros, p.gtin";

Product ReadProduct(const store::Statement& row) {
  Product product;
  product.name = row.ColumnText(1);
  product.producer = row.ColumnText(2);
  product.display_name = row.ColumnText(3);
  product.group = static_cast<ProductGroup>(row.ColumnInt(4));
  product.description = row.ColumnText(5);
  if (row.ColumnInt(6) > 0) {
    product.rating = OcopRating{static_cast<int>(row.ColumnInt(6)), static_cast<int>(row.ColumnInt(7)),
                                row.ColumnText(8), row.ColumnText(9)};
  }
  product.create_time = absl::FromUnixMicros(row.ColumnInt(10));
  product.gtin = row.ColumnText(11);
  return product;
}

absl::StatusOr<Producer> SelectProducer(store::Connection& connection, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kProducerColumns,
                                                        " FROM producers WHERE name = ?")));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("producer ", name, " not found"));
  return ReadProducer(select);
}

absl::StatusOr<Product> SelectProduct(store::Connection& connection, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kProductColumns,
                                                        " FROM products p WHERE p.name = ?")));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("product ", name, " not found"));
  return ReadProduct(select);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteRegistryRepository>> SqliteRegistryRepository::Open(
    const std::string& path) {
  OCOP_ASSIGN_OR_RETURN(std::unique_ptr<store::Database> database, store::Database::Open(path, Migrations()));
  return std::unique_ptr<SqliteRegistryRepository>(new SqliteRegistryRepository(std::move(database)));
}

absl::StatusOr<Producer> SqliteRegistryRepository::CreateProducer(const Producer& producer,
                                                                  const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(
      store::CreateOnceResult result,
      store::CreateOnce(*database_, key, producer.name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(
            store::Statement insert,
            connection.Prepare("INSERT INTO producers(name, display_name, kind, street, commune_code, "
                               "commune_name, district_name, province_code, province_name, phone, "
                               "create_unix_micros) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        const Address& a = producer.address;
        insert.Bind(1, producer.name).Bind(2, producer.display_name)
            .Bind(3, static_cast<int64_t>(producer.kind)).Bind(4, a.street).Bind(5, a.commune_code)
            .Bind(6, a.commune_name).Bind(7, a.district_name).Bind(8, a.province_code)
            .Bind(9, a.province_name).Bind(10, producer.phone)
            .Bind(11, absl::ToUnixMicros(producer.create_time));
        OCOP_RETURN_IF_ERROR(insert.Run());
        return store::AppendChange(connection, "producer", producer.name, 1, producer.create_time).status();
      }));
  if (result.created) notifier_.Notify();
  return GetProducer(result.name);
}

absl::StatusOr<Producer> SqliteRegistryRepository::GetProducer(const std::string& name) {
  Producer producer;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(producer, SelectProducer(connection, name));
    return absl::OkStatus();
  }));
  return producer;
}

absl::StatusOr<Page<Producer>> SqliteRegistryRepository::ListProducers(const ProducerFilter& filter,
                                                                       int64_t after_position, int limit) {
  Page<Producer> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    // Empty filter values match everything; one statement serves every combination.
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT ", kProducerColumns, " FROM producers WHERE position > ? "
                                        "AND (?2 = '' OR province_code = ?2) AND (?3 = 0 OR kind = ?3) "
                                        "ORDER BY position LIMIT ?4")));
    select.Bind(1, after_position).Bind(2, filter.province_code)
        .Bind(3, static_cast<int64_t>(filter.kind)).Bind(4, static_cast<int64_t>(limit + 1));
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<Producer>(select, limit, ReadProducer));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<Product> SqliteRegistryRepository::CreateProduct(const Product& product,
                                                                const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(
      store::CreateOnceResult result,
      store::CreateOnce(*database_, key, product.name, [&](store::Connection& connection) -> absl::Status {
        absl::StatusOr<Producer> producer = SelectProducer(connection, product.producer);
        if (absl::IsNotFound(producer.status())) {
          return absl::NotFoundError(absl::StrCat("product.producer: ", product.producer, " not found"));
        }
        OCOP_RETURN_IF_ERROR(producer.status());
        OCOP_ASSIGN_OR_RETURN(
            store::Statement insert,
            connection.Prepare("INSERT INTO products(name, producer, display_name, product_group, "
                               "description, rating_stars, rating_score, certificate_number, valid_until, "
                               "create_unix_micros, gtin) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        OcopRating rating = product.rating.value_or(OcopRating{});
        insert.Bind(1, product.name).Bind(2, product.producer).Bind(3, product.display_name)
            .Bind(4, static_cast<int64_t>(product.group)).Bind(5, product.description)
            .Bind(6, static_cast<int64_t>(rating.stars)).Bind(7, static_cast<int64_t>(rating.score))
            .Bind(8, rating.certificate_number).Bind(9, rating.valid_until)
            .Bind(10, absl::ToUnixMicros(product.create_time)).Bind(11, product.gtin);
        OCOP_RETURN_IF_ERROR(insert.Run());
        return store::AppendChange(connection, "product", product.name, 1, product.create_time).status();
      }));
  if (result.created) notifier_.Notify();
  return GetProduct(result.name);
}

absl::StatusOr<Product> SqliteRegistryRepository::GetProduct(const std::string& name) {
  Product product;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(product, SelectProduct(connection, name));
    return absl::OkStatus();
  }));
  return product;
}

absl::StatusOr<Page<Product>> SqliteRegistryRepository::ListProducts(const ProductFilter& filter,
                                                                     int64_t after_position, int limit) {
  Page<Product> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat(
            "SELECT ", kProductColumns, " FROM products p JOIN producers r ON r.name = p.producer "
            "WHERE p.position > ?1 AND (?2 = '' OR p.producer = ?2) AND (?3 = '' OR r.province_code = ?3) "
            "AND (?4 = 0 OR p.product_group = ?4) AND (?5 = 0 OR p.rating_stars = ?5) "
            "ORDER BY p.position LIMIT ?6")));
    select.Bind(1, after_position).Bind(2, filter.producer).Bind(3, filter.province_code)
        .Bind(4, static_cast<int64_t>(filter.group)).Bind(5, static_cast<int64_t>(filter.stars))
        .Bind(6, static_cast<int64_t>(limit + 1));
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<Product>(select, limit, ReadProduct));
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace ocop::registry
