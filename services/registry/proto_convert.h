// Registry domain types <-> ocop.registry.v1 messages.
#pragma once

#include "absl/status/statusor.h"
#include "ocop/registry/v1/registry.pb.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

// INVALID_ARGUMENT naming the field for an enum value this build does not know.
absl::StatusOr<Producer> FromProto(const v1::Producer& proto);
absl::StatusOr<Product> FromProto(const v1::Product& proto);
v1::Producer ToProto(const Producer& producer);
v1::Product ToProto(const Product& product);

}  // namespace ocop::registry
