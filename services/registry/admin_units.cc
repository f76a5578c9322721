#include "services/registry/admin_units.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/crypto/digest.h"
#include "common/csv/csv.h"
#include "common/status/status_macros.h"

namespace ocop::registry {
namespace {

constexpr char kBeforeFile[] = "communes-before-2025-07.csv";
constexpr char kConversionFile[] = "conversion-2025-07.csv";

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

// Names in the published tables sometimes hold line breaks or doubled spaces.
std::string CleanName(absl::string_view name) {
  std::string cleaned;
  for (absl::string_view word : absl::StrSplit(name, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
    if (!cleaned.empty()) cleaned += ' ';
    cleaned.append(word.data(), word.size());
  }
  return cleaned;
}

bool AllDigits(absl::string_view text, size_t length) {
  if (text.size() != length) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "Tỉnh Thái Nguyên (19)" -> name "Tỉnh Thái Nguyên", code "19".
bool SplitNameAndCode(absl::string_view text, size_t code_length, std::string* name, std::string* code) {
  text = absl::StripAsciiWhitespace(text);
  size_t open = text.rfind('(');
  if (open == absl::string_view::npos || !absl::EndsWith(text, ")")) return false;
  absl::string_view digits = text.substr(open + 1, text.size() - open - 2);
  if (!AllDigits(digits, code_length)) return false;
  *name = CleanName(text.substr(0, open));
  *code = std::string(digits);
  return true;
}

absl::Status BadLine(const std::string& file, int line, absl::string_view reason) {
  return absl::FailedPreconditionError(absl::StrCat(file, " line ", line, ": ", reason));
}

}  // namespace

absl::StatusOr<AdminUnitTables> ReadAdminUnitTables(const std::string& directory) {
  const std::string before_path = absl::StrCat(directory, "/", kBeforeFile);
  const std::string conversion_path = absl::StrCat(directory, "/", kConversionFile);
  OCOP_ASSIGN_OR_RETURN(std::string before_text, ReadFile(before_path));
  OCOP_ASSIGN_OR_RETURN(std::string conversion_text, ReadFile(conversion_path));

  AdminUnitTables tables;
  tables.source_digest = crypto::HexEncode(crypto::Sha256(absl::StrCat(before_text, conversion_text)));
  std::set<std::pair<UnitLevel, std::string>> seen_before;
  std::set<std::pair<UnitLevel, std::string>> seen_current;
  auto add = [&](std::set<std::pair<UnitLevel, std::string>>& seen, AdminUnit unit) {
    if (seen.insert({unit.level, unit.code}).second) tables.units.push_back(std::move(unit));
  };

  // Province, code, district, code, commune, code, level, English name.
  absl::StatusOr<std::vector<csv::Record>> before = csv::Parse(before_text);
  if (!before.ok()) return BadLine(before_path, 0, before.status().message());
  for (const csv::Record& record : *before) {
    if (record.line == 1) continue;  // header
    const std::vector<std::string>& f = record.fields;
    // Island districts without communes have a row with empty commune columns.
    const bool district_only = f.size() >= 6 && f[4].empty() && f[5].empty();
    if (f.size() < 6 || !AllDigits(f[1], 2) || !AllDigits(f[3], 3) || (!district_only && !AllDigits(f[5], 5))) {
      return BadLine(before_path, record.line, "expected province, code, district, code, commune, code");
    }
    add(seen_before, {kUnitsBefore2025Merger, UnitLevel::kProvince, f[1], CleanName(f[0]), "", ""});
    add(seen_before, {kUnitsBefore2025Merger, UnitLevel::kDistrict, f[3], CleanName(f[2]), f[1], ""});
    if (district_only) continue;
    add(seen_before, {kUnitsBefore2025Merger, UnitLevel::kCommune, f[5], CleanName(f[4]), f[1], f[3]});
  }

  // New province (code), new commune, code, old commune, code, note, old district (code), old
  // province (code). Two header lines; upper-case province headings have no codes.
  absl::StatusOr<std::vector<csv::Record>> conversion = csv::Parse(conversion_text);
  if (!conversion.ok()) return BadLine(conversion_path, 0, conversion.status().message());
  std::map<std::string, std::string> province_successor;
  for (const csv::Record& record : *conversion) {
    const std::vector<std::string>& f = record.fields;
    if (record.line <= 2 || f.size() < 8 || f[2].empty()) continue;  // headers and province headings
    std::string new_province_name, new_province_code;
    if (!SplitNameAndCode(f[0], 2, &new_province_name, &new_province_code) || !AllDigits(f[2], 5)) {
      return BadLine(conversion_path, record.line, "expected 'New province (NN)' and a 5-digit commune code");
    }
    add(seen_current, {kUnitsCurrent, UnitLevel::kProvince, new_province_code, new_province_name, "", ""});
    add(seen_current, {kUnitsCurrent, UnitLevel::kCommune, f[2], CleanName(f[1]), new_province_code, ""});

    std::string old_district_name, old_district_code, old_province_name, old_province_code;
    if (!SplitNameAndCode(f[6], 3, &old_district_name, &old_district_code) ||
        !SplitNameAndCode(f[7], 2, &old_province_name, &old_province_code)) {
      return BadLine(conversion_path, record.line, "expected 'Old district (NNN)' and 'Old province (NN)'");
    }
    province_successor.emplace(old_province_code, new_province_code);
    if (f[4].empty()) continue;  // a whole district became a special zone: no old commune row
    if (!AllDigits(f[4], 5)) return BadLine(conversion_path, record.line, "old commune code is not 5 digits");
    // A few old communes were created after the 2025-01-04 list; they are old units all the same.
    add(seen_before, {kUnitsBefore2025Merger, UnitLevel::kCommune, f[4], CleanName(f[3]), old_province_code,
                      old_district_code});
    const std::string note = CleanName(f[5]);
    const bool whole = absl::StartsWith(note, "Nhập toàn bộ") || absl::StartsWith(note, "Giữ nguyên");
    tables.commune_successors.push_back({f[4], f[2], new_province_code, whole});
  }
  for (const auto& [old_code, new_code] : province_successor) {
    tables.province_successors.push_back({old_code, new_code});
  }
  if (seen_current.empty() || seen_before.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(directory, ": no administrative units found"));
  }
  return tables;
}

}  // namespace ocop::registry
