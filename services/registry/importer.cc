#include "services/registry/importer.h"

// Rows are matched by external_id, so re-running a file changes nothing and a corrected file
// updates in place.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/auth/ownership.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"
#include "services/registry/registry_internal.h"

namespace ocop::registry {
namespace {

// Two ratings describe the same council decision.
bool SameDecision(const OcopRating& a, const OcopRating& b) {
  return a.decision_date == b.decision_date && a.certificate_number == b.certificate_number &&
         a.decision_number == b.decision_number && a.council_level == b.council_level && a.score == b.score;
}

const std::set<std::string>& ImportableProducerFields() {
  static const auto* fields = new std::set<std::string>{
      "display_name", "kind",     "address",        "phone",     "tax_code",
      "representative", "location", "sales_channels", "workforce", "value_chain"};
  return *fields;
}

const std::set<std::string>& ImportableProductFields() {
  static const auto* fields = new std::set<std::string>{
      "display_name", "group", "category", "sub_group", "gtin", "description", "ingredients", "shelf_life_days",
      "storage", "status"};
  return *fields;
}

// INVALID_ARGUMENT naming the first path of `listed` that is not one of `importable`.
absl::Status CheckFields(const char* field, const std::optional<std::set<std::string>>& listed,
                         const std::set<std::string>& importable) {
  if (!listed.has_value()) return absl::OkStatus();
  for (const std::string& path : *listed) {
    if (importable.count(path) == 0) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": '", path, "' is not a field a file can import"));
    }
  }
  return absl::OkStatus();
}

// A stored producer keeps what the file has no column for: a narrower or older spreadsheet never
// erases what was recorded since.
void KeepUnlisted(const ImportProducerRow& row, const std::optional<std::set<std::string>>& listed,
                  const Producer& stored, Producer& producer) {
  auto kept = [&](const char* path) { return listed.has_value() && listed->count(path) == 0; };
  if (kept("display_name")) producer.display_name = stored.display_name;
  if (kept("kind")) producer.kind = stored.kind;
  if (kept("address")) producer.address = stored.address;
  if (kept("phone")) producer.phone = stored.phone;
  if (kept("tax_code")) producer.tax_code = stored.tax_code;
  if (kept("representative")) producer.representative = stored.representative;
  if (kept("location")) producer.location = stored.location;
  if (kept("sales_channels")) producer.sales_channels = stored.sales_channels;
  if (kept("workforce") || !row.has_workforce) producer.workforce = stored.workforce;
  if (kept("value_chain") || !row.has_value_chain) producer.value_chain = stored.value_chain;
}

void KeepUnlisted(const std::optional<std::set<std::string>>& listed, const Product& stored, Product& product) {
  auto kept = [&](const char* path) { return listed.has_value() && listed->count(path) == 0; };
  if (kept("display_name")) product.display_name = stored.display_name;
  if (kept("group")) product.group = stored.group;
  if (kept("category")) product.category = stored.category;
  if (kept("sub_group")) product.sub_group = stored.sub_group;
  if (kept("gtin")) product.gtin = stored.gtin;
  if (kept("description")) product.description = stored.description;
  if (kept("ingredients")) product.ingredients = stored.ingredients;
  if (kept("shelf_life_days")) product.shelf_life_days = stored.shelf_life_days;
  if (kept("storage")) product.storage = stored.storage;
  if (kept("status")) product.status = stored.status;
  // Set over gRPC only, never by a file.
  product.images = stored.images;
  product.intellectual_property = stored.intellectual_property;
}

}  // namespace

absl::StatusOr<ImportResult> Importer::Import(const Actor& actor, std::vector<ImportProducerRow> producer_rows,
                                              std::vector<ImportProductRow> product_rows,
                                              const ImportOptions& options) {
  OCOP_RETURN_IF_ERROR(CheckFields("producer_fields", options.producer_fields, ImportableProducerFields()));
  OCOP_RETURN_IF_ERROR(CheckFields("product_fields", options.product_fields, ImportableProductFields()));
  ImportResult result;
  ImportBatch batch;
  const absl::Time now = clock_();
  const absl::CivilDay today = VietnamDay(now);
  auto fail = [&](const char* file, int line, absl::string_view message) {
    result.errors.push_back({file, line, std::string(message)});
  };

  // What is stored already, read once.
  std::vector<std::string> producer_ids, product_ids;
  for (const ImportProducerRow& row : producer_rows) producer_ids.push_back(row.producer.external_id);
  for (const ImportProductRow& row : product_rows) {
    producer_ids.push_back(row.producer_external_id);
    product_ids.push_back(row.product.external_id);
  }
  OCOP_ASSIGN_OR_RETURN(ImportLookup stored, repository_->LookUpForImport(producer_ids, product_ids));
  auto stored_producer = [&](const std::string& external_id) -> const Producer* {
    auto it = stored.producers.find(external_id);
    return it == stored.producers.end() ? nullptr : &it->second;
  };

  // Producers, by external id: the file's own (new or existing) and, for product rows, the registry's.
  std::map<std::string, std::string> producer_names;
  std::map<std::string, int> producer_lines;
  for (ImportProducerRow& row : producer_rows) {
    Producer& producer = row.producer;
    if (producer.external_id.empty()) {
      fail("producers", row.line, "producer.external_id: required for import (rows are matched by it)");
      continue;
    }
    if (auto [it, inserted] = producer_lines.emplace(producer.external_id, row.line); !inserted) {
      fail("producers", row.line,
           absl::StrCat("producer.external_id: ", producer.external_id, " is also on line ", it->second));
      continue;
    }
    if (const Producer* existing = stored_producer(producer.external_id); existing != nullptr) {
      KeepUnlisted(row, options.producer_fields, *existing, producer);
    }
    absl::Status valid = registry_internal::ValidateProducer(producer);
    if (valid.ok()) valid = registry_internal::ResolveAddress(*units_, producer.address);
    // An office imports its own province's register only (and cannot move a producer into it).
    if (valid.ok()) {
      valid = auth::CheckProvince(actor, "producer.address.province_code", producer.address.TodaysProvinceCode());
    }
    if (const Producer* existing = stored_producer(producer.external_id); valid.ok() && existing != nullptr) {
      valid = auth::CheckProvince(actor, existing->name, existing->address.TodaysProvinceCode());
    }
    if (!valid.ok()) {
      fail("producers", row.line, valid.message());
      continue;
    }
    if (const Producer* existing = stored_producer(producer.external_id); existing != nullptr) {
      producer_names[producer.external_id] = existing->name;
      producer.name = existing->name;
      if (producer.SameContent(*existing)) {
        ++result.producers_unchanged;
        continue;
      }
      producer.create_time = existing->create_time;
      producer.generation = existing->generation + 1;
      producer.update_time = now;
      batch.changed_producers.emplace_back(producer, existing->generation);
      ++result.producers_updated;
    } else {
      producer.name = absl::StrCat("producers/", validate::NewId(issuer_));
      producer_names[producer.external_id] = producer.name;
      producer.create_time = producer.update_time = now;
      producer.generation = 1;
      batch.new_producers.push_back(producer);
      ++result.producers_created;
    }
  }

  // Products: the first row of an external id decides the product; every row may add a rating.
  struct SeenProduct {
    int line = 0;
    Product product;                  // as the file states it
    std::string name;                 // stored or assigned
    std::vector<OcopRating> ratings;  // stored and already taken from the file
    ImportBatch::NewProduct* created = nullptr;
  };
  std::map<std::string, SeenProduct> products;
  // SeenProduct::created points into new_products, so it must never reallocate.
  batch.new_products.reserve(product_rows.size());
  for (ImportProductRow& row : product_rows) {
    Product& product = row.product;
    std::optional<OcopRating> rating = std::move(product.rating);
    product.rating.reset();
    if (product.external_id.empty()) {
      fail("products", row.line, "product.external_id: required for import (rows are matched by it)");
      continue;
    }
    auto producer = producer_names.find(row.producer_external_id);
    if (producer == producer_names.end() && !row.producer_external_id.empty()) {
      if (const Producer* existing = stored_producer(row.producer_external_id); existing != nullptr) {
        // A stored producer of another province is not an office's to rate (a file's own
        // producers were checked above).
        if (absl::Status mine = auth::CheckProvince(actor, existing->name, existing->address.TodaysProvinceCode());
            !mine.ok()) {
          fail("products", row.line, absl::StrCat("producer_external_id: ", mine.message()));
          continue;
        }
        producer = producer_names.emplace(row.producer_external_id, existing->name).first;
      }
    }
    if (producer == producer_names.end()) {
      fail("products", row.line,
           absl::StrCat("producer_external_id: '", row.producer_external_id,
                        "' is not a producer in this import or the registry"));
      continue;
    }
    product.producer = producer->second;
    if (auto stored_product = stored.products.find(product.external_id); stored_product != stored.products.end()) {
      KeepUnlisted(options.product_fields, stored_product->second, product);
    }
    if (absl::Status valid = registry_internal::ValidateProduct(product); !valid.ok()) {
      fail("products", row.line, valid.message());
      continue;
    }

    auto seen = products.find(product.external_id);
    if (seen == products.end()) {
      SeenProduct entry;
      entry.line = row.line;
      entry.product = product;
      auto existing_entry = stored.products.find(product.external_id);
      if (existing_entry != stored.products.end()) {
        const Product* existing = &existing_entry->second;
        entry.name = existing->name;
        entry.ratings = stored.ratings[product.external_id];
        product.name = existing->name;
        if (product.producer != existing->producer) {
          fail("products", row.line,
               absl::StrCat("producer_external_id: product ", product.external_id, " belongs to ", existing->producer,
                            "; a product cannot move to another producer"));
          continue;
        }
        if (product.SameContent(*existing)) {
          ++result.products_unchanged;
        } else {
          std::optional<StatusChange> status;
          if (product.status != existing->status) {
            status = StatusChange{product.status, absl::FormatCivilTime(today), actor.subject, now};
          }
          product.create_time = existing->create_time;
          product.generation = existing->generation + 1;
          product.update_time = now;
          batch.changed_products.push_back({product, existing->generation, status});
          ++result.products_updated;
        }
      } else {
        product.name = absl::StrCat("products/", validate::NewId(issuer_));
        entry.name = product.name;
        product.create_time = product.update_time = now;
        product.generation = 1;
        std::optional<StatusChange> status;
        if (product.status != ProductStatus::kActive) {
          status = StatusChange{product.status, absl::FormatCivilTime(today), actor.subject, now};
        }
        batch.new_products.push_back({product, status});
        entry.created = &batch.new_products.back();
        ++result.products_created;
      }
      seen = products.emplace(product.external_id, std::move(entry)).first;
    } else if (!product.SameContent(seen->second.product) || product.producer != seen->second.product.producer) {
      fail("products", row.line,
           absl::StrCat("product.external_id: ", product.external_id, " is also on line ", seen->second.line,
                        " with other product fields; rows of one product may differ only in their rating"));
      continue;
    }

    if (!rating.has_value()) continue;
    if (absl::Status valid = PrepareRating("rating", *rating, product.group, *rules_, today); !valid.ok()) {
      fail("products", row.line, valid.message());
      continue;
    }
    rating->recorded_by = actor.subject;
    rating->record_time = now;
    bool known = false;
    for (const OcopRating& other : seen->second.ratings) known = known || SameDecision(other, *rating);
    if (known) {
      ++result.ratings_unchanged;
      continue;
    }
    seen->second.ratings.push_back(*rating);
    ++result.ratings_added;
    SeenProduct& entry = seen->second;
    if (entry.created != nullptr && !entry.created->product.rating.has_value()) {
      entry.created->product.rating = *rating;  // stored with the product
    } else {
      batch.new_ratings.emplace_back(entry.name, *rating);
    }
  }

  if (!result.errors.empty() || options.validate_only) return result;
  OCOP_RETURN_IF_ERROR(repository_->ApplyImport(batch));
  result.applied = true;
  return result;
}

}  // namespace ocop::registry
