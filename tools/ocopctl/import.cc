// ocopctl import: producers and products (with ratings) from the office's CSV files.
//
// The files are read into rows by import_rows.h. Every bad row is reported as
// "file:line: field: reason"; nothing is written unless every row is good.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "tools/ocopctl/cli.h"
#include "tools/ocopctl/import_rows.h"

ABSL_FLAG(std::string, producers, "", "import: producers CSV file");
ABSL_FLAG(std::string, products, "", "import: products CSV file (one rating per row)");
ABSL_FLAG(bool, dry_run, false, "import: check every row, write nothing");

namespace ocop::ctl {
namespace {

using registry::v1::ImportProducerRow;
using registry::v1::ImportProductRow;

constexpr int kRowsPerMessage = 500;

}  // namespace

int Import() {
  const std::string producers_path = absl::GetFlag(FLAGS_producers);
  const std::string products_path = absl::GetFlag(FLAGS_products);
  if (producers_path.empty() && products_path.empty()) return Usage("import needs --producers=FILE and/or --products=FILE");
  std::vector<std::string> errors;
  const auto read = [&](const std::string& path) -> std::string {
    if (path.empty()) return "";
    std::ifstream in(path, std::ios::binary);
    if (!in) errors.push_back(absl::StrCat(path, ": cannot read the file"));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const std::string producers_text = read(producers_path);
  const std::string products_text = read(products_path);
  CsvImport rows = ReadImportCsv(producers_path, producers_text, products_path, products_text);
  errors.insert(errors.end(), rows.errors.begin(), rows.errors.end());
  std::vector<ImportProducerRow>& producer_rows = rows.producers;
  std::vector<ImportProductRow>& product_rows = rows.products;
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
  SetImportedFields(rows, request);
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
