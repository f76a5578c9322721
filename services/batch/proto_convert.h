// Batch domain types <-> ocop.batch.v1 messages.
#pragma once

#include "absl/status/statusor.h"
#include "ocop/batch/v1/batch.pb.h"
#include "services/batch/batch_types.h"

namespace ocop::batch {

// INVALID_ARGUMENT for an enum value this build does not know.
absl::StatusOr<Batch> FromProto(const v1::Batch& proto);
absl::StatusOr<BatchEvent> FromProto(const v1::BatchEvent& proto);
GrowingArea FromProto(const v1::GrowingArea& proto);
Season FromProto(const v1::Season& proto);
Location FromProto(const v1::Location& proto);
Checkpoint FromProto(const v1::Checkpoint& proto);

v1::Batch ToProto(const Batch& batch);
v1::BatchEvent ToProto(const BatchEvent& event);
v1::GrowingArea ToProto(const GrowingArea& area);
v1::Season ToProto(const Season& season);
v1::Checkpoint ToProto(const Checkpoint& checkpoint);
v1::Trace ToProto(const Trace& trace);

}  // namespace ocop::batch
