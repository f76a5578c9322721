// Storage of the official administrative unit tables (before and after the July 2025 merger).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "services/registry/admin_units.h"

namespace ocop::registry {

// What the unit table says about an address's codes.
struct UnitResolution {
  bool province_found = false;
  bool commune_found = false;
  std::string province_name;
  std::string commune_name;
  std::string commune_province_code;  // the province the commune belongs to in that version
  std::string district_name;          // communes before the merger
  std::string current_province_code;  // today's units; empty when unknown
  std::string current_commune_code;
};

// One unit of a table.
struct UnitRecord {
  std::string name;
  std::string parent_code;    // the province of a district or commune
  std::string district_code;  // communes before the merger
};

class UnitRepository {
 public:
  virtual ~UnitRepository() = default;

  // Replaces the stored unit tables unless they came from the same source files.
  virtual absl::Status LoadAdminUnits(const AdminUnitTables& tables) = 0;
  // Looks the codes up in unit table `version` and maps them to today's units. An empty
  // `commune_code` looks up the province only.
  virtual absl::StatusOr<UnitResolution> ResolveUnits(const std::string& version, const std::string& province_code,
                                                      const std::string& commune_code) = 0;
  // The unit `code` of `level` in table `version`, if there is one.
  virtual absl::StatusOr<std::optional<UnitRecord>> FindUnit(const std::string& version, UnitLevel level,
                                                             const std::string& code) = 0;
  // The province that took over province `old_province_code` of the table before the merger
  // (itself when it was not merged); empty when the conversion table does not say.
  virtual absl::StatusOr<std::string> ProvinceToday(const std::string& old_province_code) = 0;
};

}  // namespace ocop::registry
