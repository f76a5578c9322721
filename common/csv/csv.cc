#include "common/csv/csv.h"

#include <csv.h>

#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ocop::csv {
namespace {

struct ParseState {
  std::vector<Record> records;
  Record current;
  bool in_record = false;
  int line = 0;
  int record_line = 0;
};

void OnField(void* data, size_t size, void* state_ptr) {
  auto* state = static_cast<ParseState*>(state_ptr);
  state->current.fields.emplace_back(static_cast<const char*>(data), size);
  state->in_record = true;
}

void OnRecordEnd(int, void* state_ptr) {
  auto* state = static_cast<ParseState*>(state_ptr);
  state->current.line = state->record_line;
  state->records.push_back(std::move(state->current));
  state->current = Record{};
  state->in_record = false;
}

// libcsv's parser state between records (ROW_NOT_BEGUN in libcsv.c); anything else means a record
// (perhaps a quoted field with a line break) is still open.
constexpr unsigned char kRowNotBegun = 0;

}  // namespace

absl::StatusOr<std::vector<Record>> Parse(absl::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
    return absl::ResourceExhaustedError("csv: cannot initialise the parser");
  }
  ParseState state;
  // Fed a line at a time so that each record knows the line it starts on.
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    end = end == absl::string_view::npos ? text.size() : end + 1;
    ++state.line;
    if (!state.in_record && parser.pstate == kRowNotBegun) state.record_line = state.line;
    absl::string_view chunk = text.substr(start, end - start);
    if (csv_parse(&parser, chunk.data(), chunk.size(), OnField, OnRecordEnd, &state) != chunk.size()) {
      std::string reason = csv_strerror(csv_error(&parser));
      csv_free(&parser);
      return absl::InvalidArgumentError(absl::StrCat("line ", state.line, ": malformed CSV (", reason, ")"));
    }
    start = end;
  }
  int finished = csv_fini(&parser, OnField, OnRecordEnd, &state);
  csv_free(&parser);
  if (finished != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", state.record_line, ": malformed CSV (unterminated quoted field)"));
  }
  return std::move(state.records);
}

namespace {

// "-12", "+3.5", "-0.25e3": a number a spreadsheet reads as a number, not a formula.
bool IsPlainNumber(const std::string& cell) {
  double ignored;
  return absl::SimpleAtod(cell, &ignored) && cell.find_first_of(" \t\r\n") == std::string::npos &&
         cell.find_first_not_of("+-0123456789.eE") == std::string::npos;
}

bool StartsLikeAFormula(const std::string& cell) {
  return !cell.empty() && std::string_view("=+-@\t\r").find(cell.front()) != std::string_view::npos &&
         !IsPlainNumber(cell);
}

}  // namespace

std::string FormatRecord(const std::vector<std::string>& cells, Formulas formulas) {
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ',';
    const std::string field =
        formulas == Formulas::kNeutralise && StartsLikeAFormula(cells[i]) ? "'" + cells[i] : cells[i];
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
      line += field;
      continue;
    }
    line += '"';
    for (char c : field) {
      if (c == '"') line += '"';
      line += c;
    }
    line += '"';
  }
  line += "\r\n";
  return line;
}

}  // namespace ocop::csv
