// The evaluation workflow's SQLite storage, in the registry's database (its tables are registry
// migrations), so that closing a round and writing its ratings is one transaction.
#pragma once

#include "common/store/database.h"
#include "common/store/outbox.h"
#include "services/registry/evaluation_repository.h"

namespace ocop::registry {

class SqlEvaluationRepository final : public EvaluationRepository {
 public:
  // Neither is owned: the registry repository's database and change notifier.
  SqlEvaluationRepository(store::Database* database, store::ChangeNotifier* notifier)
      : database_(database), notifier_(notifier) {}

  absl::StatusOr<EvaluationRound> CreateRound(const EvaluationRound& round, const store::IdempotencyKey& key) override;
  absl::StatusOr<EvaluationRound> GetRound(const std::string& name) override;
  absl::StatusOr<std::vector<EvaluationRound>> ListRounds(const std::string& province_code) override;
  absl::StatusOr<Dossier> CreateDossier(const Dossier& dossier, const store::IdempotencyKey& key) override;
  absl::StatusOr<Dossier> GetDossier(const std::string& name) override;
  absl::StatusOr<Dossier> UpdateDossier(const Dossier& dossier, DossierState expected,
                                        const std::optional<DossierTransition>& transition) override;
  absl::StatusOr<std::vector<Dossier>> ListDossiers(const std::string& round, DossierState state) override;
  absl::StatusOr<ScoreSheet> AddScoreSheet(const ScoreSheet& sheet, int members,
                                           const DossierTransition& evaluated) override;
  absl::StatusOr<std::vector<ScoreSheet>> ScoreSheetsOfRound(const std::string& round) override;
  absl::Status CloseRound(const std::string& round, const std::string& decision_number,
                          const std::string& decision_date, const std::vector<DossierOutcome>& outcomes,
                          const DossierTransition& rated) override;

 private:
  store::Database* database_;
  store::ChangeNotifier* notifier_;
};

}  // namespace ocop::registry
