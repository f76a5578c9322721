// CSV (RFC 4180) reading over libcsv, keeping the line each record starts on so that an importer can
// say "line 17: ..." about a bad row. Quoted fields may hold commas, quotes ("") and line breaks.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ocop::csv {

struct Record {
  int line = 0;  // 1-based line the record starts on
  std::vector<std::string> fields;
};

// Every record of `text`, blank lines skipped. A UTF-8 byte-order mark at the start is ignored.
// INVALID_ARGUMENT naming the line for malformed quoting (a quote inside an unquoted field, an
// unterminated quoted field).
absl::StatusOr<std::vector<Record>> Parse(absl::string_view text);

// One CSV line (with "\r\n"), quoting the fields that need it.
std::string FormatRecord(const std::vector<std::string>& fields);

}  // namespace ocop::csv
