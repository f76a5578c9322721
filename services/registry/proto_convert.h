// Registry domain types <-> ocop.registry.v1 messages.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ocop/registry/v1/registry.pb.h"
#include "services/registry/ratings.h"
#include "services/registry/registry_types.h"
#include "services/registry/report_types.h"

namespace ocop::registry {

// INVALID_ARGUMENT naming the field for an enum value this build does not know.
absl::StatusOr<Producer> FromProto(const v1::Producer& proto);
absl::StatusOr<Product> FromProto(const v1::Product& proto);
// `field` prefixes error messages ("rating" or "product.rating").
absl::StatusOr<OcopRating> FromProto(const v1::OcopRating& proto, const std::string& field);
v1::Producer ToProto(const Producer& producer);
v1::Product ToProto(const Product& product);
v1::OcopRating ToProto(const OcopRating& rating);
v1::CouncilRuleSet ToProto(const std::vector<CouncilRule>& rules);

v1::CertifiedProductsReport ToProto(const CertifiedReport& report);
v1::ProducersReport ToProto(const ProducersReport& report);
v1::CertificationCounts ToProto(const CertificationCounts& counts);
v1::ExpiringCertificate ToProto(const ExpiringCertificate& certificate);
UnitScope FromProto(const v1::UnitScope& proto);
v1::UnitScope ToProto(const UnitScope& scope);
absl::StatusOr<ProvincePlan> FromProto(const v1::ProvincePlan& proto);
absl::StatusOr<SalesPoint> FromProto(const v1::SalesPoint& proto);
v1::SalesPoint ToProto(const SalesPoint& point);
absl::StatusOr<ProductIdea> FromProto(const v1::ProductIdea& proto);
v1::ProductIdea ToProto(const ProductIdea& idea);
v1::PlanTarget ToProto(const PlanTarget& target);
v1::ProvincePlan ToProto(const ProvincePlan& plan);
v1::PlanProgress ToProto(const PlanProgress& progress);

// Reads a CouncilRuleSet in protobuf text format from `path`; FAILED_PRECONDITION naming the file
// when it cannot be read or parsed, INVALID_ARGUMENT for a rule that makes no sense.
absl::StatusOr<CouncilRules> LoadCouncilRules(const std::string& path);
// The same from the file's text; `origin` names it in errors.
absl::StatusOr<CouncilRules> ParseCouncilRules(const std::string& text, const std::string& origin);

}  // namespace ocop::registry
