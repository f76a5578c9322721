// The value-chain events the batch benchmarks append: a warehouse's steps in turn, with the
// details a cooperative records.
#pragma once

#include "absl/time/clock.h"
#include "services/batch/batch_types.h"

namespace ocop::bench {

inline const char* const kSteps[] = {"ocop:processing", "inspecting", "packing", "storing", "shipping", "receiving"};

// The i-th event: one of kSteps, a day ago plus i milliseconds.
inline batch::BatchEvent MakeEvent(int i) {
  batch::BatchEvent event;
  event.type = batch::EventType::kObject;
  event.biz_step = kSteps[i % 6];
  event.event_time = absl::Now() - absl::Hours(24) + absl::Milliseconds(i);
  event.event_time_zone_offset = "+07:00";
  event.location.display_name = "Kho HTX Chè Tân Cương";
  event.location.commune_code = "05503";
  event.details = {{"operator", "Nguyễn Văn A"}, {"temperature_c", "24"}};
  return event;
}

}  // namespace ocop::bench
