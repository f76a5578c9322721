// The words ocopctl and its CSV files use for registry enums, shared by the commands and the CSV
// import reader (import_rows.h).
#pragma once

#include <map>
#include <string>

#include "absl/strings/ascii.h"
#include "ocop/registry/v1/registry.pb.h"

namespace ocop::ctl {

// Case-insensitive lookup of a command-line word.
template <typename Enum>
bool ParseEnum(const std::string& text, const std::map<std::string, Enum>& values, Enum* out) {
  auto it = values.find(absl::AsciiStrToLower(text));
  if (it == values.end()) return false;
  *out = it->second;
  return true;
}

// The words ocopctl and its CSV files use for registry enums (lower case).
const std::map<std::string, registry::v1::ProducerKind>& ProducerKindWords();
const std::map<std::string, registry::v1::ProductGroup>& ProductGroupWords();
const std::map<std::string, registry::v1::CouncilLevel>& CouncilLevelWords();
const std::map<std::string, registry::v1::SalesChannel>& SalesChannelWords();
const std::map<std::string, registry::v1::Gender>& GenderWords();
const std::map<std::string, registry::v1::ProductStatus>& ProductStatusWords();

// The word for `value`, or its number when it has none.
template <typename Enum>
std::string WordFor(const std::map<std::string, Enum>& words, Enum value) {
  for (const auto& [word, candidate] : words) {
    if (candidate == value) return word;
  }
  return std::to_string(static_cast<int>(value));
}

}  // namespace ocop::ctl
