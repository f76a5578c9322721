// Batch domain types <-> ocop.batch.v1 messages.
#pragma once

#include "absl/status/statusor.h"
#include "ocop/batch/v1/batch.pb.h"
#include "services/batch/batch_types.h"

namespace ocop::batch {

Batch FromProto(const v1::Batch& proto);
// INVALID_ARGUMENT for an event type this build does not know.
absl::StatusOr<BatchEvent> FromProto(const v1::BatchEvent& proto);
v1::Batch ToProto(const Batch& batch);
v1::BatchEvent ToProto(const BatchEvent& event);

}  // namespace ocop::batch
