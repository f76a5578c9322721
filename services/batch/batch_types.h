// Batch domain types: lots and their value-chain events, free of gRPC, SQL and protobuf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/store/page.h"

namespace ocop::batch {

struct Batch {
  std::string name;  // batches/{id}
  std::string product;
  std::string producer;
  std::string lot_code;
  std::string harvest_date;  // YYYY-MM-DD
  double quantity = 0;
  std::string unit;
  std::string growing_area_code;
  int64_t event_count = 0;
  int64_t package_count = 0;  // 0: not declared
  absl::Time create_time;
};

// Values match ocop.batch.v1.EventType (EPCIS 2.0 event types).
enum class EventType { kUnspecified = 0, kObject, kAggregation, kTransformation, kAssociation };
inline constexpr int kMaxEventType = 4;

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};

struct Location {
  std::string display_name;
  std::string commune_code;
  std::optional<GeoPoint> geo;
  std::string gln;
};

struct BatchEvent {
  std::string name;  // batches/{id}/events/{sequence}
  std::string batch;
  int64_t sequence = 0;
  EventType type = EventType::kUnspecified;
  std::string biz_step;
  absl::Time event_time;
  std::string event_time_zone_offset;  // "+07:00"
  absl::Time record_time;
  Location location;
  std::string disposition;
  std::vector<std::pair<std::string, std::string>> details;  // sorted by key
  std::string recorded_by;
};

struct BatchFilter {
  std::string product;
  std::string producer;
};

template <typename T>
using Page = store::Page<T>;

}  // namespace ocop::batch
