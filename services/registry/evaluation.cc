#include "services/registry/evaluation.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/match.h"
#include "common/auth/ownership.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"
#include "services/registry/registry_internal.h"

namespace ocop::registry {
namespace {

using registry_internal::IdempotencyKeyFor;
using registry_internal::Normalize;

bool IsOffice(const Actor& actor) { return actor.role == "office" || actor.role == "admin"; }

absl::Status RequireOffice(const Actor& actor, absl::string_view what) {
  if (IsOffice(actor)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(what, " is for the OCOP office (role office)"));
}

const char* StateName(DossierState state) {
  switch (state) {
    case DossierState::kDraft: return "draft";
    case DossierState::kSubmitted: return "submitted";
    case DossierState::kAccepted: return "accepted";
    case DossierState::kReturned: return "returned";
    case DossierState::kEvaluated: return "evaluated";
    case DossierState::kRated: return "rated";
    case DossierState::kUnspecified: break;
  }
  return "unspecified";
}

absl::Status ValidateDocuments(std::vector<DossierDocument>& documents) {
  if (documents.size() > 50) return absl::InvalidArgumentError("dossier.documents: at most 50");
  for (size_t i = 0; i < documents.size(); ++i) {
    DossierDocument& document = documents[i];
    const std::string field = absl::StrCat("dossier.documents[", i, "]");
    if (document.kind == DocumentKind::kUnspecified) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".kind: must be set"));
    }
    OCOP_RETURN_IF_ERROR(Normalize(absl::StrCat(field, ".title"), &document.title));
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".title"), document.title, 300, false));
    OCOP_RETURN_IF_ERROR(validate::HttpsUrl(absl::StrCat(field, ".uri"), document.uri));
    OCOP_ASSIGN_OR_RETURN(document.sha256,
                          validate::Sha256Hex(absl::StrCat(field, ".sha256"), document.sha256, "file"));
  }
  return absl::OkStatus();
}

}  // namespace

int ScoreOfTotals(const std::vector<int>& totals) {
  if (totals.empty()) return 0;
  int sum = 0;
  for (int total : totals) sum += total;
  return sum / static_cast<int>(totals.size());  // totals are >= 0: integer division rounds down
}

absl::Status ValidateCriteriaSet(const CriteriaSet& set) {
  const std::string where = absl::StrCat("criteria set ", set.name);
  OCOP_RETURN_IF_ERROR(validate::ResourceName("criteria_set.name", set.name, "criteriaSets"));
  std::set<std::string> ids;
  int sum = 0;
  for (const CriteriaPart& part : set.parts) {
    if (part.max_points <= 0 || part.criteria.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": part ", part.id, " needs a maximum and criteria"));
    }
    sum += part.max_points;
    for (const Criterion& criterion : part.criteria) {
      if (!ids.insert(criterion.id).second || criterion.id.empty()) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": criterion id '", criterion.id, "' is empty or repeated"));
      }
      if (criterion.max_points <= 0 || criterion.max_points > part.max_points) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": criterion ", criterion.id, " needs a maximum within its part's"));
      }
    }
  }
  if (sum != 100) return absl::InvalidArgumentError(absl::StrCat(where, ": parts add up to ", sum, ", not 100"));
  return absl::OkStatus();
}

const CriteriaSet* Evaluation::FindCriteriaSet(const std::string& name) const {
  for (const CriteriaSet& set : criteria_sets_) {
    if (set.name == name) return &set;
  }
  return nullptr;
}

absl::Status Evaluation::CheckProducerOrOffice(const Actor& actor, const std::string& product) {
  OCOP_ASSIGN_OR_RETURN(Product stored, products_->GetProduct(product));
  if (actor.role != "producer" && !IsOffice(actor)) {
    return absl::PermissionDeniedError(absl::StrCat("only ", stored.producer,
                                                    " (role producer, acting for it) or the office may do this"));
  }
  return auth::CheckOwner(actor, product, stored.producer, [this](const std::string& producer) -> absl::StatusOr<std::string> {
    OCOP_ASSIGN_OR_RETURN(Producer owner, producers_->GetProducer(producer));
    return owner.address.TodaysProvinceCode();
  });
}

absl::Status Evaluation::CheckMayRead(const Actor& actor, const EvaluationRound& round) {
  if (auth::SeesEverything(actor)) return absl::OkStatus();
  if (actor.role == "council") {
    if (std::find(round.council_members.begin(), round.council_members.end(), actor.subject) !=
        round.council_members.end()) {
      return absl::OkStatus();
    }
    return absl::PermissionDeniedError(absl::StrCat(actor.subject, " is not a council member of ", round.name));
  }
  return auth::ScopedProvince(actor, round.name, round.province_code).status();
}

absl::StatusOr<EvaluationRound> Evaluation::CreateRound(const Actor& actor, EvaluationRound round,
                                                        const std::string& request_id,
                                                        const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(RequireOffice(actor, "creating a round"));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_RETURN_IF_ERROR(Normalize("round.display_name", &round.display_name));
  OCOP_RETURN_IF_ERROR(validate::Text("round.display_name", round.display_name, 300, true));
  OCOP_RETURN_IF_ERROR(validate::DigitCode("round.province_code", round.province_code, 2));
  OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, "round.province_code", round.province_code));
  if (round.year < 2018 || round.year > 2100) return absl::InvalidArgumentError("round.year: must be 2018 or later");
  if (FindCriteriaSet(round.criteria_set) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("round.criteria_set: '", round.criteria_set,
                                                   "' is not a criteria set this registry has"));
  }
  if (round.council_level == CouncilLevel::kUnspecified) {
    return absl::InvalidArgumentError("round.council_level: must be set");
  }
  const absl::CivilDay today = VietnamDay(clock_());
  if (rules_->MaxStars(round.council_level, today) == 0) {
    return absl::InvalidArgumentError("round.council_level: the council rule set gives that level no stars today");
  }
  if (round.council_members.empty()) return absl::InvalidArgumentError("round.council_members: at least one member");
  std::set<std::string> members;
  for (const std::string& member : round.council_members) {
    OCOP_RETURN_IF_ERROR(validate::Text("round.council_members", member, 100, true));
    if (!members.insert(member).second) {
      return absl::InvalidArgumentError(absl::StrCat("round.council_members: ", member, " is listed twice"));
    }
  }
  OCOP_RETURN_IF_ERROR(validate::Text("round.certificate_prefix", round.certificate_prefix, 50, true));
  round.name = absl::StrCat("rounds/", validate::NewId(issuer_));
  round.state = RoundState::kOpen;
  round.decision_number.clear();
  round.decision_date.clear();
  round.create_time = clock_();
  return repository_->CreateRound(round, IdempotencyKeyFor(actor, "CreateRound", request_id, request_fingerprint));
}

absl::StatusOr<EvaluationRound> Evaluation::GetRound(const Actor& actor, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "rounds"));
  OCOP_ASSIGN_OR_RETURN(EvaluationRound round, repository_->GetRound(name));
  OCOP_RETURN_IF_ERROR(CheckMayRead(actor, round));
  return round;
}

absl::StatusOr<std::vector<EvaluationRound>> Evaluation::ListRounds(const Actor& actor,
                                                                    const std::string& province_code, int page_size,
                                                                    int64_t offset, bool* more) {
  if (!province_code.empty()) OCOP_RETURN_IF_ERROR(validate::DigitCode("province_code", province_code, 2));
  std::string province = province_code;
  if (actor.role != "council") {
    OCOP_ASSIGN_OR_RETURN(province, auth::ScopedProvince(actor, "province_code", province_code));
  }
  OCOP_ASSIGN_OR_RETURN(std::vector<EvaluationRound> rounds, repository_->ListRounds(province));
  std::vector<EvaluationRound> readable;
  for (EvaluationRound& round : rounds) {
    if (CheckMayRead(actor, round).ok()) readable.push_back(std::move(round));
  }
  std::vector<EvaluationRound> page;
  for (size_t i = static_cast<size_t>(std::max<int64_t>(offset, 0)); i < readable.size(); ++i) {
    if (static_cast<int>(page.size()) == page_size) break;
    page.push_back(std::move(readable[i]));
  }
  *more = static_cast<size_t>(offset) + page.size() < readable.size();
  return page;
}

absl::StatusOr<Dossier> Evaluation::CreateDossier(const Actor& actor, Dossier dossier, const std::string& request_id,
                                                  const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_RETURN_IF_ERROR(validate::ResourceName("dossier.round", dossier.round, "rounds"));
  OCOP_RETURN_IF_ERROR(validate::ResourceName("dossier.product", dossier.product, "products"));
  OCOP_ASSIGN_OR_RETURN(EvaluationRound round, repository_->GetRound(dossier.round));
  if (round.state != RoundState::kOpen) {
    return absl::FailedPreconditionError(absl::StrCat("dossier.round: ", round.name, " is closed"));
  }
  absl::StatusOr<Product> product = products_->GetProduct(dossier.product);
  if (absl::IsNotFound(product.status())) {
    return absl::NotFoundError(absl::StrCat("dossier.product: ", dossier.product, " not found"));
  }
  OCOP_RETURN_IF_ERROR(product.status());
  OCOP_RETURN_IF_ERROR(CheckProducerOrOffice(actor, dossier.product));
  // A province's council rates that province's products only.
  OCOP_ASSIGN_OR_RETURN(Producer producer, producers_->GetProducer(product->producer));
  if (producer.address.TodaysProvinceCode() != round.province_code) {
    return absl::FailedPreconditionError(absl::StrCat("dossier.product: ", dossier.product, " is made in province ",
                                                      producer.address.TodaysProvinceCode(), ", not in ", round.name,
                                                      "'s province ", round.province_code));
  }
  OCOP_RETURN_IF_ERROR(ValidateDocuments(dossier.documents));
  if (dossier.self_assessed_score < 0 || dossier.self_assessed_score > 100) {
    return absl::InvalidArgumentError("dossier.self_assessed_score: must be between 0 and 100");
  }
  // A re-evaluation renews the product's current certificate: not an older one, not a rating that
  // certified nothing.
  if (!dossier.renews.empty()) {
    if (!absl::StartsWith(dossier.renews, absl::StrCat(dossier.product, "/ratings/"))) {
      return absl::InvalidArgumentError(absl::StrCat("dossier.renews: ", dossier.renews, " is not a rating of ",
                                                     dossier.product));
    }
    if (!product->rating.has_value() || product->rating->name != dossier.renews) {
      return absl::FailedPreconditionError(
          absl::StrCat("dossier.renews: ", dossier.renews, " is not the current rating of ", dossier.product,
                       product->rating.has_value() ? absl::StrCat(" (", product->rating->name, " is)") : ""));
    }
    if (product->rating->stars < 3) {
      return absl::FailedPreconditionError(absl::StrCat("dossier.renews: ", dossier.renews, " has ",
                                                        product->rating->stars, " stars: no certificate to renew"));
    }
  }
  // A commune's candidate carried into the round: the province's, and the product's producer's
  // when the idea names one. An idea that names no producer is the commune's, not any producer's:
  // only the office carries it (or names the producer on the idea first), so one producer cannot
  // take another's candidate. Whether it is free is checked as the dossier is stored.
  if (!dossier.product_idea.empty()) {
    OCOP_RETURN_IF_ERROR(validate::ResourceName("dossier.product_idea", dossier.product_idea, "productIdeas"));
    absl::StatusOr<ProductIdea> idea = product_ideas_->GetProductIdea(dossier.product_idea);
    if (absl::IsNotFound(idea.status())) {
      return absl::NotFoundError(absl::StrCat("dossier.product_idea: ", dossier.product_idea, " not found"));
    }
    OCOP_RETURN_IF_ERROR(idea.status());
    if (idea->address.TodaysProvinceCode() != round.province_code) {
      return absl::FailedPreconditionError(absl::StrCat("dossier.product_idea: ", dossier.product_idea,
                                                        " is registered in province ",
                                                        idea->address.TodaysProvinceCode(), ", not in ", round.name,
                                                        "'s province ", round.province_code));
    }
    if (idea->producer.empty() && !IsOffice(actor)) {
      return absl::PermissionDeniedError(absl::StrCat("dossier.product_idea: ", dossier.product_idea,
                                                      " names no producer: only the office may carry it into a "
                                                      "dossier, or name ",
                                                      product->producer, " on the idea first"));
    }
    if (!idea->producer.empty() && idea->producer != product->producer) {
      return absl::FailedPreconditionError(absl::StrCat("dossier.product_idea: ", dossier.product_idea, " is ",
                                                        idea->producer, "'s idea, and ", dossier.product, " is ",
                                                        product->producer, "'s product"));
    }
  }
  dossier.name = absl::StrCat("dossiers/", validate::NewId(issuer_));
  dossier.renewal_outcome = RenewalOutcome::kUnspecified;
  dossier.state = DossierState::kDraft;
  dossier.rating.clear();
  dossier.history = {{DossierState::kUnspecified, DossierState::kDraft, actor.subject, clock_(), ""}};
  return repository_->CreateDossier(dossier, IdempotencyKeyFor(actor, "CreateDossier", request_id, request_fingerprint));
}

absl::StatusOr<Dossier> Evaluation::GetDossier(const Actor& actor, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "dossiers"));
  OCOP_ASSIGN_OR_RETURN(Dossier dossier, repository_->GetDossier(name));
  if (actor.role == "producer") {
    OCOP_RETURN_IF_ERROR(CheckProducerOrOffice(actor, dossier.product));
  } else {
    OCOP_ASSIGN_OR_RETURN(EvaluationRound round, repository_->GetRound(dossier.round));
    OCOP_RETURN_IF_ERROR(CheckMayRead(actor, round));
  }
  return dossier;
}

absl::StatusOr<Dossier> Evaluation::UpdateDossier(const Actor& actor, const Dossier& update) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("dossier.name", update.name, "dossiers"));
  OCOP_ASSIGN_OR_RETURN(Dossier dossier, repository_->GetDossier(update.name));
  OCOP_RETURN_IF_ERROR(CheckProducerOrOffice(actor, dossier.product));
  if (dossier.state != DossierState::kDraft && dossier.state != DossierState::kReturned) {
    return absl::FailedPreconditionError(absl::StrCat(dossier.name, " is ", StateName(dossier.state),
                                                      "; only a draft or returned dossier can be edited"));
  }
  const DossierState expected = dossier.state;
  dossier.documents = update.documents;
  dossier.self_assessed_score = update.self_assessed_score;
  OCOP_RETURN_IF_ERROR(ValidateDocuments(dossier.documents));
  if (dossier.self_assessed_score < 0 || dossier.self_assessed_score > 100) {
    return absl::InvalidArgumentError("dossier.self_assessed_score: must be between 0 and 100");
  }
  return repository_->UpdateDossier(dossier, expected, std::nullopt);
}

absl::StatusOr<Dossier> Evaluation::TransitionDossier(const Actor& actor, const std::string& name, DossierState to,
                                                      const std::string& reason) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "dossiers"));
  OCOP_ASSIGN_OR_RETURN(Dossier dossier, repository_->GetDossier(name));
  OCOP_ASSIGN_OR_RETURN(EvaluationRound round, repository_->GetRound(dossier.round));
  const DossierState from = dossier.state;
  auto refuse = [&]() {
    return absl::FailedPreconditionError(absl::StrCat(name, " is ", StateName(from), "; it cannot become ",
                                                      StateName(to)));
  };
  if (round.state != RoundState::kOpen) {
    return absl::FailedPreconditionError(absl::StrCat(name, ": its round ", round.name, " is closed"));
  }
  std::string why = reason;
  OCOP_RETURN_IF_ERROR(Normalize("reason", &why));
  switch (to) {
    case DossierState::kSubmitted:
      OCOP_RETURN_IF_ERROR(CheckProducerOrOffice(actor, dossier.product));
      if (from != DossierState::kDraft && from != DossierState::kReturned) return refuse();
      if (dossier.documents.empty()) {
        return absl::FailedPreconditionError(absl::StrCat(name, ": a dossier needs at least one document to be submitted"));
      }
      break;
    case DossierState::kAccepted:
      OCOP_RETURN_IF_ERROR(RequireOffice(actor, "accepting a dossier"));
      OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, round.name, round.province_code));
      if (from != DossierState::kSubmitted) return refuse();
      break;
    case DossierState::kReturned:
      OCOP_RETURN_IF_ERROR(RequireOffice(actor, "returning a dossier"));
      OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, round.name, round.province_code));
      if (from != DossierState::kSubmitted) return refuse();
      OCOP_RETURN_IF_ERROR(validate::Text("reason", why, 2000, true));
      break;
    default:
      // Evaluated and rated come from the council's sheets and the closing of the round.
      return refuse();
  }
  dossier.state = to;
  return repository_->UpdateDossier(dossier, from, DossierTransition{from, to, actor.subject, clock_(), why});
}

absl::StatusOr<std::vector<Dossier>> Evaluation::ListDossiers(const Actor& actor, const std::string& round,
                                                              DossierState state) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("round", round, "rounds"));
  OCOP_ASSIGN_OR_RETURN(EvaluationRound stored, repository_->GetRound(round));
  OCOP_RETURN_IF_ERROR(CheckMayRead(actor, stored));
  return repository_->ListDossiers(round, state);
}

absl::StatusOr<ScoreSheet> Evaluation::SubmitScoreSheet(const Actor& actor, ScoreSheet sheet) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("sheet.dossier", sheet.dossier, "dossiers"));
  OCOP_ASSIGN_OR_RETURN(Dossier dossier, repository_->GetDossier(sheet.dossier));
  OCOP_ASSIGN_OR_RETURN(EvaluationRound round, repository_->GetRound(dossier.round));
  if (std::find(round.council_members.begin(), round.council_members.end(), actor.subject) ==
      round.council_members.end()) {
    return absl::PermissionDeniedError(absl::StrCat(actor.subject, " is not a council member of ", round.name));
  }
  if (round.state != RoundState::kOpen) return absl::FailedPreconditionError(absl::StrCat(round.name, " is closed"));
  const CriteriaSet* set = FindCriteriaSet(round.criteria_set);
  if (set == nullptr) return absl::InternalError(absl::StrCat(round.criteria_set, " is no longer configured"));

  std::map<std::string, std::pair<const CriteriaPart*, const Criterion*>> criteria;
  for (const CriteriaPart& part : set->parts) {
    for (const Criterion& criterion : part.criteria) criteria[criterion.id] = {&part, &criterion};
  }
  std::map<std::string, int> part_totals;
  std::set<std::string> scored;
  sheet.total = 0;
  for (size_t i = 0; i < sheet.entries.size(); ++i) {
    const auto& [id, points] = sheet.entries[i];
    const std::string field = absl::StrCat("sheet.entries[", i, "]");
    auto criterion = criteria.find(id);
    if (criterion == criteria.end()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".criterion: '", id, "' is not in ", set->name));
    }
    if (!scored.insert(id).second) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".criterion: ", id, " is scored twice"));
    }
    if (points < 0 || points > criterion->second.second->max_points) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".points: ", points, " is outside 0-",
                                                     criterion->second.second->max_points, " for ", id));
    }
    part_totals[criterion->second.first->id] += points;
    sheet.total += points;
  }
  for (const auto& [id, entry] : criteria) {
    if (scored.count(id) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("sheet.entries: criterion ", id, " is not scored"));
    }
  }
  for (const CriteriaPart& part : set->parts) {
    if (part_totals[part.id] > part.max_points) {
      return absl::InvalidArgumentError(absl::StrCat("sheet.entries: part ", part.id, " totals ", part_totals[part.id],
                                                     ", over its maximum of ", part.max_points));
    }
  }
  sheet.member = actor.subject;
  sheet.submit_time = clock_();
  return repository_->AddScoreSheet(
      sheet, static_cast<int>(round.council_members.size()),
      DossierTransition{DossierState::kAccepted, DossierState::kEvaluated, actor.subject, sheet.submit_time,
                        "every council member has scored it"});
}

absl::StatusOr<RoundResult> Evaluation::Result(const EvaluationRound& round, absl::CivilDay decision_day) {
  RoundResult result;
  result.round = round;
  OCOP_ASSIGN_OR_RETURN(std::vector<Dossier> dossiers, repository_->ListDossiers(round.name, DossierState::kUnspecified));
  OCOP_ASSIGN_OR_RETURN(std::vector<ScoreSheet> sheets, repository_->ScoreSheetsOfRound(round.name));
  const int most = rules_->MaxStars(round.council_level, decision_day);
  int certificates = 0;
  for (const Dossier& dossier : dossiers) {
    if (dossier.state != DossierState::kAccepted && dossier.state != DossierState::kEvaluated &&
        dossier.state != DossierState::kRated) {
      continue;
    }
    RoundResultRow row;
    row.dossier = dossier.name;
    row.product = dossier.product;
    row.state = dossier.state;
    row.rating = dossier.rating;
    OCOP_ASSIGN_OR_RETURN(Product product, products_->GetProduct(dossier.product));
    OCOP_ASSIGN_OR_RETURN(Producer producer, producers_->GetProducer(product.producer));
    row.product_display_name = product.display_name;
    row.producer = producer.name;
    row.producer_display_name = producer.display_name;
    std::vector<int> totals;
    for (const std::string& member : round.council_members) {
      int total = 0;
      for (const ScoreSheet& sheet : sheets) {
        if (sheet.dossier == dossier.name && sheet.member == member) {
          total = sheet.total;
          totals.push_back(sheet.total);
        }
      }
      row.member_totals.push_back(total);
    }
    row.sheets = static_cast<int>(totals.size());
    if (!totals.empty()) {
      int sum = 0;
      for (int total : totals) sum += total;
      row.average = static_cast<double>(sum) / static_cast<double>(totals.size());
      row.score = ScoreOfTotals(totals);
      row.stars = std::min(StarsForScore(row.score), most);
      if (row.stars >= 3 && rules_->Check("stars", round.council_level, row.stars, decision_day).ok()) {
        row.certificate_number = absl::StrFormat("%s%04d", round.certificate_prefix, ++certificates);
      }
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

absl::StatusOr<RenewalOutcome> Evaluation::RenewalOutcomeOf(const Dossier& dossier,
                                                             const std::optional<OcopRating>& rating) {
  if (!rating.has_value() || rating->stars < 3) return RenewalOutcome::kNotRenewed;
  // The renewed certificate is one of the product's few ratings.
  int renewed_stars = 0;
  int64_t after = 0;
  do {
    OCOP_ASSIGN_OR_RETURN(Page<OcopRating> page, products_->ListRatings(dossier.product, after, 100));
    for (const OcopRating& earlier : page.items) {
      if (earlier.name == dossier.renews) renewed_stars = earlier.stars;
    }
    after = page.next_position;
  } while (after != 0);
  if (rating->stars > renewed_stars) return RenewalOutcome::kUpgraded;
  if (rating->stars < renewed_stars) return RenewalOutcome::kDowngraded;
  return RenewalOutcome::kRenewed;
}

absl::StatusOr<RoundResult> Evaluation::CloseRound(const Actor& actor, const std::string& name,
                                                   std::string decision_number, const std::string& decision_date) {
  OCOP_RETURN_IF_ERROR(RequireOffice(actor, "closing a round"));
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "rounds"));
  OCOP_RETURN_IF_ERROR(Normalize("decision_number", &decision_number));
  OCOP_RETURN_IF_ERROR(validate::Text("decision_number", decision_number, 100, true));
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay decided, validate::Date("decision_date", decision_date));
  const absl::CivilDay today = VietnamDay(clock_());
  if (decided > today) return absl::InvalidArgumentError("decision_date: is in the future");
  OCOP_ASSIGN_OR_RETURN(EvaluationRound round, repository_->GetRound(name));
  OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, name, round.province_code));
  if (round.state != RoundState::kOpen) return absl::FailedPreconditionError(absl::StrCat(name, " is already closed"));
  OCOP_ASSIGN_OR_RETURN(std::vector<Dossier> waiting, repository_->ListDossiers(name, DossierState::kAccepted));
  if (!waiting.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(name, ": ", waiting.size(), " accepted dossier(s), e.g. ",
                                                      waiting.front().name,
                                                      ", still lack a council member's score sheet"));
  }
  OCOP_ASSIGN_OR_RETURN(RoundResult result, Result(round, decided));
  const absl::Time now = clock_();
  std::vector<DossierOutcome> outcomes;
  for (const RoundResultRow& row : result.rows) {
    if (row.state != DossierState::kEvaluated) continue;
    DossierOutcome outcome{row.dossier, row.product, std::nullopt, RenewalOutcome::kUnspecified};
    OCOP_ASSIGN_OR_RETURN(Dossier dossier, repository_->GetDossier(row.dossier));
    // Stars below what this level awards (e.g. a central council scoring under 90) write no rating.
    if (rules_->Check("stars", round.council_level, row.stars, decided).ok()) {
      OcopRating rating;
      rating.score = row.score;
      rating.stars = row.stars;
      rating.council_level = round.council_level;
      rating.certificate_number = row.certificate_number;
      rating.decision_number = row.stars >= 3 ? decision_number : "";
      rating.decision_date = decision_date;
      rating.note = absl::StrCat("evaluation ", round.name, ", ", row.dossier);
      OCOP_ASSIGN_OR_RETURN(Product product, products_->GetProduct(row.product));
      absl::Status prepared = PrepareRating("rating", rating, product.group, *rules_, today);
      if (!prepared.ok()) {
        return absl::FailedPreconditionError(absl::StrCat(row.dossier, ": ", prepared.message()));
      }
      rating.recorded_by = actor.subject;
      rating.record_time = now;
      rating.renews = dossier.renews;
      outcome.rating = std::move(rating);
    }
    if (!dossier.renews.empty()) {
      OCOP_ASSIGN_OR_RETURN(outcome.renewal, RenewalOutcomeOf(dossier, outcome.rating));
    }
    outcomes.push_back(std::move(outcome));
  }
  OCOP_RETURN_IF_ERROR(repository_->CloseRound(
      name, decision_number, decision_date, outcomes,
      DossierTransition{DossierState::kEvaluated, DossierState::kRated, actor.subject, now, decision_number}));
  OCOP_ASSIGN_OR_RETURN(EvaluationRound closed, repository_->GetRound(name));
  return Result(closed, decided);
}

absl::StatusOr<RoundResult> Evaluation::GetRoundResult(const Actor& actor, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "rounds"));
  OCOP_ASSIGN_OR_RETURN(EvaluationRound round, repository_->GetRound(name));
  OCOP_RETURN_IF_ERROR(CheckMayRead(actor, round));
  absl::CivilDay day = VietnamDay(clock_());
  if (!round.decision_date.empty()) absl::ParseCivilTime(round.decision_date, &day);
  return Result(round, day);
}

}  // namespace ocop::registry
