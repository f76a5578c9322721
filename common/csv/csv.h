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

// Whether cells that a spreadsheet would run as a formula are defused.
enum class Formulas {
  // Cells as they are: for files read back by programs (an import, a round trip).
  kKeep,
  // A cell beginning with '=', '+', '-', '@', a tab or a carriage return gets a leading "'" unless
  // it is a plain number ("-3.5" stays), so a name such as "=HYPERLINK(...)" typed into the
  // registry is shown as text, not run, when an office opens the report in a spreadsheet (OWASP
  // "CSV injection"). For files meant for people.
  kNeutralise,
};

// One CSV line (with "\r\n"), quoting the fields that need it.
std::string FormatRecord(const std::vector<std::string>& fields, Formulas formulas = Formulas::kKeep);

}  // namespace ocop::csv
