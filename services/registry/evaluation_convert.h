// Evaluation domain types <-> ocop.registry.v1 evaluation messages, and loading criteria sets.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ocop/registry/v1/evaluation.pb.h"
#include "services/registry/evaluation_types.h"

namespace ocop::registry {

// INVALID_ARGUMENT naming the field for an enum value this build does not know.
absl::StatusOr<EvaluationRound> FromProto(const v1::EvaluationRound& proto);
absl::StatusOr<Dossier> FromProto(const v1::Dossier& proto);
ScoreSheet FromProto(const v1::ScoreSheet& proto);
v1::EvaluationRound ToProto(const EvaluationRound& round);
v1::Dossier ToProto(const Dossier& dossier);
v1::ScoreSheet ToProto(const ScoreSheet& sheet);
v1::CriteriaSet ToProto(const CriteriaSet& set);
v1::RoundResult ToProto(const RoundResult& result);

// Reads every *.textproto in `directory` as a CriteriaSet (protobuf text format), checked by
// ValidateCriteriaSet; FAILED_PRECONDITION naming the file otherwise. Sorted by name.
absl::StatusOr<std::vector<CriteriaSet>> LoadCriteriaSets(const std::string& directory);
// One CriteriaSet from a file's text, checked as above; `origin` names it in errors.
absl::StatusOr<CriteriaSet> ParseCriteriaSet(const std::string& text, const std::string& origin);

}  // namespace ocop::registry
