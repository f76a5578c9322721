#include "tools/ocopctl/import_rows.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv.h"
#include "tools/ocopctl/registry_words.h"

namespace ocop::ctl {
namespace {

using registry::v1::ImportProducerRow;
using registry::v1::ImportProductRow;

const std::set<std::string>& ProducerColumns() {
  static const auto* columns = new std::set<std::string>{
      "external_id", "kind", "display_name", "tax_code", "representative", "gender", "ethnic_minority",
      "ethnicity", "phone", "units_version", "province_code", "commune_code", "district_name", "street",
      "latitude", "longitude", "sales_channels", "workers", "trained_workers", "green_value_chain",
      "raw_material_hectares", "raw_material_area"};
  return *columns;
}

const std::set<std::string>& ProductColumns() {
  static const auto* columns = new std::set<std::string>{
      "external_id", "producer_external_id", "display_name", "group", "category", "sub_group", "gtin", "description",
      "ingredients", "shelf_life_days", "storage", "status", "score", "council_level", "certificate_number",
      "decision_number", "decision_date", "valid_until", "rating_group", "rating_note"};
  return *columns;
}

// One CSV file: its records and the position of each named column.
struct Table {
  std::string path;
  std::vector<csv::Record> records;  // without the header
  std::map<std::string, size_t> columns;
};

// A row being read: errors name the file and line.
class RowReader {
 public:
  RowReader(const Table& table, const csv::Record& record, std::vector<std::string>& errors)
      : table_(table), record_(record), errors_(errors) {}

  bool HasAnyColumn(std::initializer_list<const char*> columns) const {
    for (const char* column : columns) {
      if (table_.columns.count(column) != 0) return true;
    }
    return false;
  }

  std::string Text(const std::string& column) const {
    auto it = table_.columns.find(column);
    if (it == table_.columns.end() || it->second >= record_.fields.size()) return "";
    return std::string(absl::StripAsciiWhitespace(record_.fields[it->second]));
  }

  template <typename Enum>
  Enum Word(const std::string& column, const std::map<std::string, Enum>& words, Enum empty) {
    const std::string text = Text(column);
    if (text.empty()) return empty;
    Enum value = empty;
    if (!ParseEnum(text, words, &value)) Error(column, absl::StrCat("'", text, "' is not one of ", Choices(words)));
    return value;
  }

  int Integer(const std::string& column) {
    const std::string text = Text(column);
    int value = 0;
    if (!text.empty() && !absl::SimpleAtoi(text, &value)) Error(column, absl::StrCat("'", text, "' is not a whole number"));
    return value;
  }

  double Decimal(const std::string& column) {
    const std::string text = Text(column);
    double value = 0;
    if (!text.empty() && !absl::SimpleAtod(text, &value)) Error(column, absl::StrCat("'", text, "' is not a number"));
    return value;
  }

  bool YesNo(const std::string& column) {
    const std::string text = absl::AsciiStrToLower(Text(column));
    if (text.empty() || text == "no" || text == "false" || text == "0" || text == "không") return false;
    if (text == "yes" || text == "true" || text == "1" || text == "có") return true;
    Error(column, absl::StrCat("'", text, "' is not yes or no"));
    return false;
  }

  void Error(const std::string& column, const std::string& reason) {
    errors_.push_back(absl::StrCat(table_.path, ":", record_.line, ": ", column, ": ", reason));
  }

 private:
  template <typename Enum>
  static std::string Choices(const std::map<std::string, Enum>& words) {
    std::string choices;
    for (const auto& [word, value] : words) absl::StrAppend(&choices, choices.empty() ? "" : ", ", word);
    return choices;
  }

  const Table& table_;
  const csv::Record& record_;
  std::vector<std::string>& errors_;
};

bool ReadTable(const std::string& path, const std::string& text, const std::set<std::string>& known, Table* table,
               std::vector<std::string>& errors) {
  absl::StatusOr<std::vector<csv::Record>> records = csv::Parse(text);
  if (!records.ok()) {
    errors.push_back(absl::StrCat(path, ":", records.status().message()));
    return false;
  }
  table->path = path;
  if (records->empty()) return true;
  const csv::Record& header = records->front();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    std::string name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(header.fields[i]));
    if (known.count(name) == 0) {
      errors.push_back(absl::StrCat(path, ":", header.line, ": unknown column '", name, "'"));
      continue;
    }
    if (!table->columns.emplace(name, i).second) {
      errors.push_back(absl::StrCat(path, ":", header.line, ": column '", name, "' appears twice"));
    }
  }
  table->records.assign(records->begin() + 1, records->end());
  return true;
}

// The record field (an update-mask path) each column fills; several columns may fill one field.
const std::map<std::string, std::string>& ProducerFieldOfColumn() {
  static const auto* fields = new std::map<std::string, std::string>{
      {"kind", "kind"},
      {"display_name", "display_name"},
      {"tax_code", "tax_code"},
      {"representative", "representative"},
      {"gender", "representative"},
      {"ethnic_minority", "representative"},
      {"ethnicity", "representative"},
      {"phone", "phone"},
      {"units_version", "address"},
      {"province_code", "address"},
      {"commune_code", "address"},
      {"district_name", "address"},
      {"street", "address"},
      {"latitude", "location"},
      {"longitude", "location"},
      {"sales_channels", "sales_channels"},
      {"workers", "workforce"},
      {"trained_workers", "workforce"},
      {"green_value_chain", "value_chain"},
      {"raw_material_hectares", "value_chain"},
      {"raw_material_area", "value_chain"}};
  return *fields;
}

const std::map<std::string, std::string>& ProductFieldOfColumn() {
  static const auto* fields = new std::map<std::string, std::string>{
      {"display_name", "display_name"},     {"group", "group"},     {"category", "category"},
      {"sub_group", "sub_group"},           {"gtin", "gtin"},       {"description", "description"},
      {"ingredients", "ingredients"},       {"shelf_life_days", "shelf_life_days"},
      {"storage", "storage"},               {"status", "status"}};
  return *fields;
}

// The fields `table`'s columns fill, each once, in name order.
google::protobuf::FieldMask FieldsOf(const Table& table, const std::map<std::string, std::string>& field_of_column) {
  std::set<std::string> fields;
  for (const auto& [column, position] : table.columns) {
    if (auto field = field_of_column.find(column); field != field_of_column.end()) fields.insert(field->second);
  }
  google::protobuf::FieldMask mask;
  for (const std::string& field : fields) mask.add_paths(field);
  return mask;
}

ImportProducerRow ProducerRow(RowReader& row, int line) {
  ImportProducerRow out;
  out.set_line(line);
  registry::v1::Producer* producer = out.mutable_producer();
  producer->set_external_id(row.Text("external_id"));
  producer->set_kind(row.Word("kind", ProducerKindWords(), registry::v1::PRODUCER_KIND_UNSPECIFIED));
  producer->set_display_name(row.Text("display_name"));
  producer->set_tax_code(row.Text("tax_code"));
  producer->mutable_representative()->set_full_name(row.Text("representative"));
  producer->mutable_representative()->set_gender(row.Word("gender", GenderWords(), registry::v1::GENDER_UNSPECIFIED));
  producer->mutable_representative()->set_ethnic_minority(row.YesNo("ethnic_minority"));
  producer->mutable_representative()->set_ethnicity(row.Text("ethnicity"));
  producer->set_phone(row.Text("phone"));
  common::v1::Address* address = producer->mutable_address();
  address->set_units_version(row.Text("units_version"));
  address->set_province_code(row.Text("province_code"));
  address->set_commune_code(row.Text("commune_code"));
  address->set_district_name(row.Text("district_name"));
  address->set_street(row.Text("street"));
  if (!row.Text("latitude").empty() || !row.Text("longitude").empty()) {
    producer->mutable_location()->set_latitude(row.Decimal("latitude"));
    producer->mutable_location()->set_longitude(row.Decimal("longitude"));
  }
  for (absl::string_view word : absl::StrSplit(row.Text("sales_channels"), ';', absl::SkipWhitespace())) {
    registry::v1::SalesChannel channel = registry::v1::SALES_CHANNEL_UNSPECIFIED;
    std::string text(absl::StripAsciiWhitespace(word));
    if (!ParseEnum(text, SalesChannelWords(), &channel)) {
      row.Error("sales_channels", absl::StrCat("'", text, "' is not a sales channel"));
      continue;
    }
    producer->add_sales_channels(channel);
  }
  // Without these columns the registry keeps what it has (the message is left unset).
  if (row.HasAnyColumn({"workers", "trained_workers"})) {
    producer->mutable_workforce()->set_workers(row.Integer("workers"));
    producer->mutable_workforce()->set_trained_workers(row.Integer("trained_workers"));
  }
  if (row.HasAnyColumn({"green_value_chain", "raw_material_hectares", "raw_material_area"})) {
    producer->mutable_value_chain()->set_green_or_circular(row.YesNo("green_value_chain"));
    producer->mutable_value_chain()->set_raw_material_hectares(row.Decimal("raw_material_hectares"));
    producer->mutable_value_chain()->set_raw_material_area(row.Text("raw_material_area"));
  }
  return out;
}

ImportProductRow ProductRow(RowReader& row, int line) {
  ImportProductRow out;
  out.set_line(line);
  out.set_producer_external_id(row.Text("producer_external_id"));
  registry::v1::Product* product = out.mutable_product();
  product->set_external_id(row.Text("external_id"));
  product->set_display_name(row.Text("display_name"));
  product->set_group(row.Word("group", ProductGroupWords(), registry::v1::PRODUCT_GROUP_UNSPECIFIED));
  product->set_sub_group(row.Text("sub_group"));
  product->set_category(row.Text("category"));
  product->set_gtin(row.Text("gtin"));
  product->set_description(row.Text("description"));
  product->set_ingredients(row.Text("ingredients"));
  product->set_shelf_life_days(row.Integer("shelf_life_days"));
  product->set_storage(row.Text("storage"));
  product->set_status(row.Word("status", ProductStatusWords(), registry::v1::PRODUCT_STATUS_ACTIVE));
  if (!row.Text("score").empty()) {
    registry::v1::OcopRating* rating = product->mutable_rating();
    rating->set_score(row.Integer("score"));
    rating->set_council_level(row.Word("council_level", CouncilLevelWords(), registry::v1::COUNCIL_LEVEL_UNSPECIFIED));
    rating->set_certificate_number(row.Text("certificate_number"));
    rating->set_decision_number(row.Text("decision_number"));
    rating->set_decision_date(row.Text("decision_date"));
    rating->set_valid_until(row.Text("valid_until"));
    rating->set_product_group(row.Word("rating_group", ProductGroupWords(), registry::v1::PRODUCT_GROUP_UNSPECIFIED));
    rating->set_note(row.Text("rating_note"));
  }
  return out;
}

}  // namespace

CsvImport ReadImportCsv(const std::string& producers_name, const std::string& producers_text,
                        const std::string& products_name, const std::string& products_text) {
  CsvImport result;
  Table producers, products;
  if (!producers_name.empty()) {
    ReadTable(producers_name, producers_text, ProducerColumns(), &producers, result.errors);
    result.producer_fields = FieldsOf(producers, ProducerFieldOfColumn());
  }
  if (!products_name.empty()) {
    ReadTable(products_name, products_text, ProductColumns(), &products, result.errors);
    result.product_fields = FieldsOf(products, ProductFieldOfColumn());
  }
  for (const csv::Record& record : producers.records) {
    RowReader row(producers, record, result.errors);
    result.producers.push_back(ProducerRow(row, record.line));
  }
  for (const csv::Record& record : products.records) {
    RowReader row(products, record, result.errors);
    result.products.push_back(ProductRow(row, record.line));
  }
  return result;
}

void SetImportedFields(const CsvImport& files, registry::v1::ImportRecordsRequest& first) {
  if (files.producer_fields.has_value()) *first.mutable_producer_fields() = *files.producer_fields;
  if (files.product_fields.has_value()) *first.mutable_product_fields() = *files.product_fields;
}

}  // namespace ocop::ctl
