// Registry domain types: producers and products, free of gRPC, SQL and protobuf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/store/page.h"

namespace ocop::registry {

// Values match ocop.registry.v1.ProducerKind.
enum class ProducerKind { kUnspecified = 0, kCooperative, kEnterprise, kCooperativeGroup, kHousehold };
inline constexpr int kMaxProducerKind = 4;

// Values match ocop.registry.v1.ProductGroup (Decision 148/QĐ-TTg).
enum class ProductGroup { kUnspecified = 0, kFood, kBeverages, kHerbs, kHandicrafts, kOrnamental, kTourism };
inline constexpr int kMaxProductGroup = 6;

struct Address {
  std::string street;
  std::string commune_code;
  std::string commune_name;
  std::string district_name;
  std::string province_code;
  std::string province_name;
};

struct Producer {
  std::string name;  // producers/{id}
  std::string display_name;
  ProducerKind kind = ProducerKind::kUnspecified;
  Address address;
  std::string phone;
  absl::Time create_time;
};

struct OcopRating {
  int stars = 0;
  int score = 0;
  std::string certificate_number;
  std::string valid_until;  // YYYY-MM-DD
};

struct Product {
  std::string name;  // products/{id}
  std::string producer;
  std::string display_name;
  ProductGroup group = ProductGroup::kUnspecified;
  std::string description;
  std::optional<OcopRating> rating;
  std::string gtin;  // 14 digits, or empty
  absl::Time create_time;
};

struct ProducerFilter {
  std::string province_code;
  ProducerKind kind = ProducerKind::kUnspecified;
};

struct ProductFilter {
  std::string producer;
  std::string province_code;
  ProductGroup group = ProductGroup::kUnspecified;
  int stars = 0;
};

template <typename T>
using Page = store::Page<T>;

}  // namespace ocop::registry
