// Helpers shared by the registry's domain classes (producers, products, reports, importer).
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/actor/actor.h"
#include "common/status/status_macros.h"
#include "common/store/idempotency.h"
#include "common/text/vietnamese.h"
#include "services/registry/producer_repository.h"
#include "services/registry/registry_types.h"
#include "services/registry/unit_repository.h"

namespace ocop::registry::registry_internal {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

inline store::IdempotencyKey IdempotencyKeyFor(const Actor& actor, const char* method, const std::string& request_id,
                                               const std::string& fingerprint) {
  return store::IdempotencyKey{actor.subject, method, request_id, fingerprint};
}

// NFC-normalises `value` in place; INVALID_ARGUMENT naming `field` for bad UTF-8.
inline absl::Status Normalize(absl::string_view field, std::string* value) {
  OCOP_ASSIGN_OR_RETURN(*value, text::NormalizeNfc(field, *value));
  return absl::OkStatus();
}

// Checks an address's fields (not yet its units) and normalises its text; INVALID_ARGUMENT naming
// the field under `field` (e.g. "producer.address"). An empty units_version becomes today's.
absl::Status ValidateAddress(Address& address, const std::string& field);
// Checks a producer's own fields (not its units) and normalises its text; INVALID_ARGUMENT naming
// the field.
absl::Status ValidateProducer(Producer& producer);
// Checks the address's codes against its unit table, fills the official names and today's units.
// Errors name `field` (the address), e.g. "producer.address".
absl::Status ResolveAddress(UnitRepository& units, Address& address,
                            const std::string& field = "producer.address");
// OK when `actor` may change `resource`, which belongs to `producer` (auth::CheckOwner; an office
// is checked against the producer's province).
absl::Status CheckOwner(ProducerRepository& producers, const Actor& actor, const std::string& resource,
                        const std::string& producer);
// Checks a product's own fields (not that its producer exists) and normalises them.
absl::Status ValidateProduct(Product& product);
// Checks an optional Decision 148 code in `category` (e.g. "product.category") against the
// classification and against `group`, writing the code as the decision prints it; an unset group
// is taken from the category.
absl::Status ValidateCategory(const std::string& field, std::string& category, ProductGroup& group);

}  // namespace ocop::registry::registry_internal
