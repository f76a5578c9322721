// The office's CSV import: text through csv::Parse and ocopctl's row reader (import_rows.h), then
// the registry's own row checks (FromProto, Importer::Import with validate_only) on a real SQLite
// registry holding the official unit tables. Input: the producers file, optionally followed by
// "\f" and the products file.
// Properties: every reader error names its file; a validate-only import writes nothing; an import
// is refused or answered, never crashes.
#include <fstream>
#include <memory>

#include "absl/strings/match.h"
#include "absl/time/civil_time.h"
#include "services/registry/proto_convert.h"
#include "services/registry/importer.h"
#include "services/registry/sql_registry_store.h"
#include "tests/fuzz/fuzz_target.h"
#include "tests/support/service_harness.h"
#include "tools/ocopctl/import_rows.h"

namespace ocop::fuzz {
namespace {

absl::Time Clock() { return absl::FromCivil(absl::CivilSecond(2026, 6, 1, 9, 0, 0), absl::UTCTimeZone()); }

struct Office {
  std::unique_ptr<registry::SqlRegistryStore> store;
  std::unique_ptr<registry::CouncilRules> rules;
  std::unique_ptr<registry::Importer> importer;
  Actor admin{"users/fuzz", "admin"};
  Office() {
    store = std::move(*registry::SqlRegistryStore::Open(":memory:"));
    FUZZ_CHECK(store->units()->LoadAdminUnits(**testing::AdminUnits()).ok());
    auto loaded = registry::LoadCouncilRules(OCOP_REGISTRY_CONFIG_DIR "/council_rules.textproto");
    FUZZ_CHECK(loaded.ok());
    rules = std::make_unique<registry::CouncilRules>(std::move(*loaded));
    importer = std::make_unique<registry::Importer>(store->imports(), store->units(), rules.get(), Clock, "fuzz");
  }
};

Office& TheOffice() {
  static auto* office = new Office();
  return *office;
}

int Run(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t split = input.find('\f');
  const std::string producers = input.substr(0, split);
  const std::string products = split == std::string::npos ? "" : input.substr(split + 1);
  ctl::CsvImport rows = ctl::ReadImportCsv("producers.csv", producers, split == std::string::npos ? "" : "products.csv",
                                           products);
  for (const std::string& error : rows.errors) {
    FUZZ_CHECK(absl::StartsWith(error, "producers.csv:") || absl::StartsWith(error, "products.csv:"));
  }
  std::vector<registry::ImportProducerRow> producer_rows;
  std::vector<registry::ImportProductRow> product_rows;
  for (const auto& row : rows.producers) {
    absl::StatusOr<registry::Producer> producer = registry::FromProto(row.producer());
    if (!producer.ok()) continue;  // the service refuses the request here, naming the line
    producer_rows.push_back({row.line(), std::move(*producer), row.producer().has_workforce(),
                             row.producer().has_value_chain()});
  }
  for (const auto& row : rows.products) {
    absl::StatusOr<registry::Product> product = registry::FromProto(row.product());
    if (!product.ok()) continue;
    product_rows.push_back({row.line(), std::move(*product), row.producer_external_id()});
  }
  // The fields the files have columns for, as the service reads them from the first message.
  registry::ImportOptions options;
  options.validate_only = true;
  if (rows.producer_fields.has_value()) {
    options.producer_fields.emplace(rows.producer_fields->paths().begin(), rows.producer_fields->paths().end());
  }
  if (rows.product_fields.has_value()) {
    options.product_fields.emplace(rows.product_fields->paths().begin(), rows.product_fields->paths().end());
  }
  Office& office = TheOffice();
  absl::StatusOr<registry::ImportResult> result =
      office.importer->Import(office.admin, std::move(producer_rows), std::move(product_rows), options);
  if (result.ok()) FUZZ_CHECK(!result->applied);
  return 0;
}

std::string Head(const std::string& path, int lines) {
  std::ifstream in(path, std::ios::binary);
  std::string text, line;
  for (int i = 0; i < lines && std::getline(in, line); ++i) text += line + "\n";
  return text;
}

std::vector<std::string> Seeds() {
  const std::string producers = Head(OCOP_DEPLOY_DIR "/demo/thai-nguyen-producers.csv", 6);
  const std::string products = Head(OCOP_DEPLOY_DIR "/demo/thai-nguyen-products.csv", 6);
  return {producers, producers + "\f" + products,
          "external_id,kind,display_name\n\"HTX \"\"Chè\"\"\",cooperative,\"a,b\nc\"\n",
          "external_id,display_name,score,valid_until\fexternal_id,producer_external_id,display_name,score\n"
          "p1,x,=HYPERLINK(\"a\"),85\n"};
}

}  // namespace

OCOP_FUZZ_TARGET(csv_import, Run, Seeds);

}  // namespace ocop::fuzz
