// Storage interface of the evaluation workflow (it shares the registry's database: a closed round
// writes ratings in the same transaction as it closes).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/idempotency.h"
#include "services/registry/evaluation_types.h"

namespace ocop::registry {

// What closing a round writes for one evaluated dossier.
struct DossierOutcome {
  std::string dossier;
  std::string product;
  std::optional<OcopRating> rating;  // none when the stars are outside what the level awards
  RenewalOutcome renewal = RenewalOutcome::kUnspecified;  // for a re-evaluation
};

class EvaluationRepository {
 public:
  virtual ~EvaluationRepository() = default;

  virtual absl::StatusOr<EvaluationRound> CreateRound(const EvaluationRound& round, const store::IdempotencyKey& key) = 0;
  // NOT_FOUND naming the round.
  virtual absl::StatusOr<EvaluationRound> GetRound(const std::string& name) = 0;
  // Every round of `province_code` (every round when empty), newest first. A province holds a few
  // rounds a year, so callers filter and page in memory.
  virtual absl::StatusOr<std::vector<EvaluationRound>> ListRounds(const std::string& province_code) = 0;
  // NOT_FOUND naming dossier.product; ALREADY_EXISTS naming it when the product already has a
  // dossier in the round.
  virtual absl::StatusOr<Dossier> CreateDossier(const Dossier& dossier, const store::IdempotencyKey& key) = 0;
  virtual absl::StatusOr<Dossier> GetDossier(const std::string& name) = 0;
  // Stores the dossier's documents, self-assessed score and state, and `transition` if any, when
  // its stored state is still `expected`; FAILED_PRECONDITION (nothing written) otherwise.
  virtual absl::StatusOr<Dossier> UpdateDossier(const Dossier& dossier, DossierState expected,
                                                const std::optional<DossierTransition>& transition) = 0;
  // A round's dossiers in creation order, optionally of one state.
  virtual absl::StatusOr<std::vector<Dossier>> ListDossiers(const std::string& round, DossierState state) = 0;
  // Stores `sheet` when the dossier is accepted (FAILED_PRECONDITION otherwise) and the member has
  // not scored it yet. A retry with the same points returns the stored sheet; other points are
  // ALREADY_EXISTS. When the dossier then has `members` sheets it becomes evaluated, recording
  // `evaluated`.
  virtual absl::StatusOr<ScoreSheet> AddScoreSheet(const ScoreSheet& sheet, int members,
                                                   const DossierTransition& evaluated) = 0;
  virtual absl::StatusOr<std::vector<ScoreSheet>> ScoreSheetsOfRound(const std::string& round) = 0;
  // In one transaction: every outcome's rating appended to its product's history, its dossier
  // rated (recording `rated` and the rating's name), the round closed with the decision.
  // FAILED_PRECONDITION when the round is not open any more.
  virtual absl::Status CloseRound(const std::string& round, const std::string& decision_number,
                                  const std::string& decision_date, const std::vector<DossierOutcome>& outcomes,
                                  const DossierTransition& rated) = 0;
};

}  // namespace ocop::registry
