// Vietnam's official administrative units, versioned, with the July 2025 merger mapping.
//
// Two tables from the General Statistics Office (services/registry/data/admin-units/): the
// three-level units in force on 2025-01-04 (province, district, commune) and the conversion to the
// two-level units from 2025-07-01 (province, commune). An address keeps the codes it was recorded
// with and the version they belong to; reports group by the unit it belongs to today.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ocop::registry {

// Unit table versions, named by the date each took effect (or was published, for the first).
inline constexpr char kUnitsBefore2025Merger[] = "2025-01-04";
inline constexpr char kUnitsCurrent[] = "2025-07-01";

enum class UnitLevel { kProvince = 1, kDistrict = 2, kCommune = 3 };

struct AdminUnit {
  std::string version;
  UnitLevel level = UnitLevel::kCommune;
  std::string code;
  std::string name;
  std::string parent_code;  // province of a commune or district; empty for a province
  std::string district_code;  // communes before the merger only
};

// One old commune's share in a new one. An old commune split between several new ones has a row
// for each; `whole` marks "Nhập toàn bộ" / "Giữ nguyên" (all of it went there).
struct CommuneSuccessor {
  std::string old_commune_code;
  std::string new_commune_code;
  std::string new_province_code;
  bool whole = false;
};

struct ProvinceSuccessor {
  std::string old_province_code;
  std::string new_province_code;
};

struct AdminUnitTables {
  std::vector<AdminUnit> units;
  std::vector<CommuneSuccessor> commune_successors;
  std::vector<ProvinceSuccessor> province_successors;
  // SHA-256 (hex) of the source files, so a database reloads the tables only when they change.
  std::string source_digest;
};

// Reads communes-before-2025-07.csv and conversion-2025-07.csv from `directory`. FAILED_PRECONDITION
// naming the file and line when a file is missing or malformed.
absl::StatusOr<AdminUnitTables> ReadAdminUnitTables(const std::string& directory);

}  // namespace ocop::registry
