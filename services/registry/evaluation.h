// The OCOP evaluation workflow: rounds, dossiers and their state machine, council score sheets,
// and closing a round into ratings (written exactly as AddRating writes them).
//
// Dossier states: draft -> submitted -> accepted (or returned with reasons; a returned dossier
// is edited and submitted again) -> evaluated (when every council member has scored it) -> rated
// (when the round closes). Who may do what: see evaluation.proto.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "services/registry/evaluation_repository.h"
#include "services/registry/ratings.h"
#include "services/registry/producer_repository.h"
#include "services/registry/product_idea_repository.h"
#include "services/registry/product_repository.h"

namespace ocop::registry {

class Evaluation {
 public:
  // Repositories and rules are not owned. `criteria_sets` are the score sheets rounds may use.
  Evaluation(EvaluationRepository* repository, ProducerRepository* producers, ProductRepository* products,
             ProductIdeaRepository* product_ideas, const CouncilRules* rules, std::vector<CriteriaSet> criteria_sets,
             std::function<absl::Time()> clock, std::string issuer)
      : repository_(repository), producers_(producers), products_(products), product_ideas_(product_ideas),
        rules_(rules), criteria_sets_(std::move(criteria_sets)), clock_(std::move(clock)), issuer_(std::move(issuer)) {}

  const std::vector<CriteriaSet>& criteria_sets() const { return criteria_sets_; }

  absl::StatusOr<EvaluationRound> CreateRound(const Actor& actor, EvaluationRound round, const std::string& request_id,
                                              const std::string& request_fingerprint);
  absl::StatusOr<EvaluationRound> GetRound(const Actor& actor, const std::string& name);
  // The rounds `actor` may read (of `province_code` when given), newest first, a page of
  // `page_size` from `offset`; `*more` says whether there are others after it.
  absl::StatusOr<std::vector<EvaluationRound>> ListRounds(const Actor& actor, const std::string& province_code,
                                                          int page_size, int64_t offset, bool* more);
  absl::StatusOr<Dossier> CreateDossier(const Actor& actor, Dossier dossier, const std::string& request_id,
                                        const std::string& request_fingerprint);
  absl::StatusOr<Dossier> GetDossier(const Actor& actor, const std::string& name);
  // Documents and self-assessed score of a draft or returned dossier.
  absl::StatusOr<Dossier> UpdateDossier(const Actor& actor, const Dossier& update);
  // Submit (from draft or returned), accept or return (from submitted). FAILED_PRECONDITION for
  // anything else, with the state unchanged.
  absl::StatusOr<Dossier> TransitionDossier(const Actor& actor, const std::string& name, DossierState to,
                                            const std::string& reason);
  absl::StatusOr<std::vector<Dossier>> ListDossiers(const Actor& actor, const std::string& round, DossierState state);
  absl::StatusOr<ScoreSheet> SubmitScoreSheet(const Actor& actor, ScoreSheet sheet);
  absl::StatusOr<RoundResult> CloseRound(const Actor& actor, const std::string& name, std::string decision_number,
                                         const std::string& decision_date);
  absl::StatusOr<RoundResult> GetRoundResult(const Actor& actor, const std::string& name);

 private:
  const CriteriaSet* FindCriteriaSet(const std::string& name) const;
  // PERMISSION_DENIED unless the actor is the office, or the producer that owns `product`.
  absl::Status CheckProducerOrOffice(const Actor& actor, const std::string& product);
  // OK when `actor` may read `round` and its dossiers: admin or service; an office or integrator of
  // its province; a council member sitting on it.
  absl::Status CheckMayRead(const Actor& actor, const EvaluationRound& round);
  absl::StatusOr<RoundResult> Result(const EvaluationRound& round, absl::CivilDay decision_day);
  // How re-evaluation `dossier` ended when the round writes `rating` (none: no certificate).
  absl::StatusOr<RenewalOutcome> RenewalOutcomeOf(const Dossier& dossier, const std::optional<OcopRating>& rating);

  EvaluationRepository* repository_;
  ProducerRepository* producers_;
  ProductRepository* products_;
  ProductIdeaRepository* product_ideas_;
  const CouncilRules* rules_;
  std::vector<CriteriaSet> criteria_sets_;
  std::function<absl::Time()> clock_;
  std::string issuer_;
};

// The score of a set of members' totals: the exact average rounded down to a whole point, so the
// bands give the same stars for it as for the exact average (69.75 -> 69 -> 3 stars).
int ScoreOfTotals(const std::vector<int>& totals);

// Checks a criteria set read from configuration: ids unique, maxima positive, criteria within
// their part's maximum, parts adding up to 100.
absl::Status ValidateCriteriaSet(const CriteriaSet& set);

}  // namespace ocop::registry
