// ocopctl import: producers and products (with ratings) from the office's CSV files.
//
// Columns are found by their header names (docs/registry.md lists them); an unknown column is an
// error, so a misspelt header is not silently ignored. Values this tool can check (enum words,
// numbers) are checked here; everything else by the registry. Every bad row is reported as
// "file:line: field: reason"; nothing is written unless every row is good.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv.h"
#include "tools/ocopctl/cli.h"

ABSL_FLAG(std::string, producers, "", "import: producers CSV file");
ABSL_FLAG(std::string, products, "", "import: products CSV file (one rating per row)");
ABSL_FLAG(bool, dry_run, false, "import: check every row, write nothing");

namespace ocop::ctl {
namespace {

using registry::v1::ImportProducerRow;
using registry::v1::ImportProductRow;

constexpr int kRowsPerMessage = 500;

const std::set<std::string>& ProducerColumns() {
  static const auto* columns = new std::set<std::string>{
      "external_id", "kind", "display_name", "tax_code", "representative", "gender", "ethnic_minority",
      "ethnicity", "phone", "units_version", "province_code", "commune_code", "district_name", "street",
      "latitude", "longitude", "sales_channels"};
  return *columns;
}

const std::set<std::string>& ProductColumns() {
  static const auto* columns = new std::set<std::string>{
      "external_id", "producer_external_id", "display_name", "group", "sub_group", "gtin", "description",
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

bool ReadTable(const std::string& path, const std::set<std::string>& known, Table* table,
               std::vector<std::string>& errors) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    errors.push_back(absl::StrCat(path, ": cannot read the file"));
    return false;
  }
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<csv::Record>> records = csv::Parse(text.str());
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

int Import() {
  const std::string producers_path = absl::GetFlag(FLAGS_producers);
  const std::string products_path = absl::GetFlag(FLAGS_products);
  if (producers_path.empty() && products_path.empty()) return Usage("import needs --producers=FILE and/or --products=FILE");
  std::vector<std::string> errors;
  Table producers, products;
  if (!producers_path.empty()) ReadTable(producers_path, ProducerColumns(), &producers, errors);
  if (!products_path.empty()) ReadTable(products_path, ProductColumns(), &products, errors);

  std::vector<ImportProducerRow> producer_rows;
  for (const csv::Record& record : producers.records) {
    RowReader row(producers, record, errors);
    producer_rows.push_back(ProducerRow(row, record.line));
  }
  std::vector<ImportProductRow> product_rows;
  for (const csv::Record& record : products.records) {
    RowReader row(products, record, errors);
    product_rows.push_back(ProductRow(row, record.line));
  }
  if (!errors.empty()) {
    for (const std::string& error : errors) std::fprintf(stderr, "%s\n", error.c_str());
    std::fprintf(stderr, "ocopctl: import: %zu error(s); nothing was sent\n", errors.size());
    return 1;
  }

  grpc::ClientContext context;
  Prepare(context);
  // A large file takes longer than one call's usual deadline.
  context.set_deadline(std::chrono::system_clock::now() +
                       std::max(std::chrono::milliseconds(absl::GetFlag(FLAGS_deadline_ms)), std::chrono::milliseconds(600000)));
  registry::v1::ImportRecordsResponse response;
  std::unique_ptr<registry::v1::RegistryService::Stub> stub = Registry();
  auto writer = stub->ImportRecords(&context, &response);
  registry::v1::ImportRecordsRequest request;
  request.set_validate_only(absl::GetFlag(FLAGS_dry_run));
  auto flush = [&] {
    bool written = writer->Write(request);
    request.Clear();
    return written;
  };
  bool streaming = true;
  for (ImportProducerRow& row : producer_rows) {
    *request.add_producers() = std::move(row);
    if (request.producers_size() == kRowsPerMessage && !(streaming = flush())) break;
  }
  for (ImportProductRow& row : product_rows) {
    if (!streaming) break;
    *request.add_products() = std::move(row);
    if (request.products_size() == kRowsPerMessage && !(streaming = flush())) break;
  }
  if (streaming) flush();
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!status.ok()) return Fail(status);

  for (const registry::v1::ImportError& error : response.errors()) {
    const std::string& path = error.file() == "producers" ? producers_path : products_path;
    std::fprintf(stderr, "%s:%d: %s\n", path.c_str(), error.line(), error.message().c_str());
  }
  std::printf("producers: %d created, %d updated, %d unchanged\n", response.producers_created(),
              response.producers_updated(), response.producers_unchanged());
  std::printf("products:  %d created, %d updated, %d unchanged\n", response.products_created(),
              response.products_updated(), response.products_unchanged());
  std::printf("ratings:   %d added, %d already recorded\n", response.ratings_added(), response.ratings_unchanged());
  if (!response.errors().empty()) {
    std::fprintf(stderr, "ocopctl: import: %d bad row(s); nothing was written\n", response.errors_size());
    return 1;
  }
  std::printf("%s\n", response.applied() ? "import: applied" : "import: checked only (--dry_run); nothing written");
  return 0;
}

}  // namespace ocop::ctl
