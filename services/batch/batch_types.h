// Batch domain types: growing areas, seasons, lots and their value-chain events, free of gRPC, SQL
// and protobuf.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "common/store/page.h"

namespace ocop::batch {

// A signed statement of a chain's head (docs/event-chain.md).
struct Checkpoint {
  std::string chain;
  int64_t sequence = 0;
  std::string head_hash;  // hex
  std::string key_id;     // 8 hex digits
  std::string signature;  // 64 raw bytes
};

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};

struct GrowingArea {
  std::string name;  // growingAreas/{id}
  std::string code;
  std::string producer;
  std::string commune_code;
  std::optional<GeoPoint> point;
  std::vector<GeoPoint> boundary;
  double area_hectares = 0;
  std::string crop;
  absl::Time create_time;
};

struct Season {
  std::string name;  // growingAreas/{area}/seasons/{id}
  std::string label;
  std::string start_date;
  std::string end_date;
  int64_t event_count = 0;
  std::optional<Checkpoint> checkpoint;
  absl::Time create_time;
};

// Values match ocop.batch.v1.CertificationScheme.
enum class CertificationScheme { kUnspecified = 0, kVietGap, kGlobalGap, kOrganic };
inline constexpr int kMaxCertificationScheme = 3;

struct Certification {
  CertificationScheme scheme = CertificationScheme::kUnspecified;
  std::string certificate_number;
  std::string certifying_body;
  std::string valid_from;
  std::string valid_until;
  std::string standard;
  bool operator==(const Certification&) const = default;
};

// Values match ocop.batch.v1.BatchStatus.
enum class BatchStatus { kUnspecified = 0, kOpen, kClosed, kRecalled };

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
  std::string expiry_date;
  std::vector<std::string> source_seasons;
  std::vector<Certification> certifications;
  BatchStatus status = BatchStatus::kOpen;
  std::string recall_reason;
  absl::Time recall_time = absl::UnixEpoch();
  std::string recalled_from;
  std::vector<std::string> parents;
  std::vector<std::string> children;
  std::optional<Checkpoint> checkpoint;
};

// Values match ocop.batch.v1.EventType (EPCIS 2.0 event types).
enum class EventType { kUnspecified = 0, kObject, kAggregation, kTransformation, kAssociation };
inline constexpr int kMaxEventType = 4;

struct Location {
  std::string display_name;
  std::string commune_code;
  std::optional<GeoPoint> geo;
  std::string gln;
};

struct Attachment {
  std::string uri;
  std::string sha256;  // hex
  std::string media_type;
};

struct QuantityElement {
  std::string object;  // batches/{id} or a season
  double quantity = 0;
  std::string unit;
};

// One event of a chain: a lot ("batches/{id}") or a season ("growingAreas/{a}/seasons/{s}").
struct BatchEvent {
  std::string name;   // {chain}/events/{sequence}
  std::string batch;  // the chain
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
  std::string event_id;  // EPCIS eventID (URI)
  std::vector<Attachment> attachments;
  std::string corrects;  // name of the corrected event, same chain
  std::string correction_reason;
  std::vector<QuantityElement> inputs;
  std::vector<QuantityElement> outputs;
  std::string chain_hash;  // hex, after this event
};

// The chain an event or checkpoint belongs to.
enum class ChainKind { kLot, kSeason };

struct EventQuery {
  std::string product;
  std::string lot;
  std::string season;
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> end_time;
  std::string biz_step;
  std::string commune_code;
};

// A lot with its ancestors, seasons and all their events by event time.
struct Trace {
  Batch batch;
  std::vector<Batch> ancestors;
  std::vector<Season> seasons;
  std::vector<BatchEvent> events;
  int64_t omitted_events = 0;  // left out between the first and the latest events
};

struct ChainVerification {
  bool intact = true;
  int64_t event_count = 0;
  int64_t first_broken_sequence = 0;
  std::string problem;
  std::string head_hash;
};

struct BatchFilter {
  std::string product;
  std::string producer;
  std::string lot_code;
};

struct GrowingAreaFilter {
  std::string producer;
};

template <typename T>
using Page = store::Page<T>;

}  // namespace ocop::batch
