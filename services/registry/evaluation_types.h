// OCOP evaluation domain types: criteria sets, rounds, dossiers, score sheets.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

struct Criterion {
  std::string id;
  std::string title;
  int max_points = 0;
};

struct CriteriaPart {
  std::string id;
  std::string title;
  int max_points = 0;
  std::vector<Criterion> criteria;
};

struct CriteriaSet {
  std::string name;  // criteriaSets/{id}
  std::string display_name;
  std::string source;
  std::vector<CriteriaPart> parts;
};

// Values match ocop.registry.v1.RoundState.
enum class RoundState { kUnspecified = 0, kOpen, kClosed };

struct EvaluationRound {
  std::string name;  // rounds/{id}
  std::string display_name;
  std::string province_code;
  int year = 0;
  CouncilLevel council_level = CouncilLevel::kUnspecified;
  std::string criteria_set;
  std::vector<std::string> council_members;
  std::string certificate_prefix;
  RoundState state = RoundState::kOpen;
  std::string decision_number;
  std::string decision_date;
  absl::Time create_time;
};

// Values match ocop.registry.v1.DocumentKind.
enum class DocumentKind { kUnspecified = 0, kBusinessRegistration, kProductStandard, kLabTest, kPackagingAndLabel,
                          kProductStory, kOther };
inline constexpr int kMaxDocumentKind = 6;

struct DossierDocument {
  DocumentKind kind = DocumentKind::kUnspecified;
  std::string title;
  std::string uri;
  std::string sha256;
};

// Values match ocop.registry.v1.DossierState.
enum class DossierState { kUnspecified = 0, kDraft, kSubmitted, kAccepted, kReturned, kEvaluated, kRated };
inline constexpr int kMaxDossierState = 6;

struct DossierTransition {
  DossierState from = DossierState::kUnspecified;
  DossierState to = DossierState::kUnspecified;
  std::string actor;
  absl::Time time;
  std::string reason;
};

// Values match ocop.registry.v1.RenewalOutcome.
enum class RenewalOutcome { kUnspecified = 0, kRenewed, kUpgraded, kDowngraded, kNotRenewed };

struct Dossier {
  std::string name;  // dossiers/{id}
  std::string round;
  std::string product;
  std::vector<DossierDocument> documents;
  int self_assessed_score = 0;
  DossierState state = DossierState::kDraft;
  std::vector<DossierTransition> history;
  std::string rating;  // products/{id}/ratings/{n}, once rated
  std::string renews;  // the certificate a re-evaluation renews; empty for a first evaluation
  RenewalOutcome renewal_outcome = RenewalOutcome::kUnspecified;  // once rated, for a re-evaluation
  std::string product_idea;  // the commune's idea it carries into the round; may be empty
};

struct ScoreSheet {
  std::string dossier;
  std::string member;
  std::vector<std::pair<std::string, int>> entries;  // criterion id, points
  int total = 0;
  absl::Time submit_time;
};

struct RoundResultRow {
  std::string dossier;
  std::string product;
  std::string product_display_name;
  std::string producer;
  std::string producer_display_name;
  DossierState state = DossierState::kUnspecified;
  std::vector<int> member_totals;  // in the order of the round's members; 0 when not scored
  int sheets = 0;
  double average = 0;
  int score = 0;
  int stars = 0;
  std::string rating;
  std::string certificate_number;
};

struct RoundResult {
  EvaluationRound round;
  std::vector<RoundResultRow> rows;
};

}  // namespace ocop::registry
