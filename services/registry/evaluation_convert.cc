#include "services/registry/evaluation_convert.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/grpc/proto_time.h"
#include "common/grpc/text_proto.h"
#include "common/status/status_macros.h"
#include "services/registry/evaluation.h"

namespace ocop::registry {

absl::StatusOr<EvaluationRound> FromProto(const v1::EvaluationRound& proto) {
  if (proto.council_level() < 0 || proto.council_level() > kMaxCouncilLevel) {
    return absl::InvalidArgumentError("round.council_level: unknown value");
  }
  EvaluationRound round;
  round.display_name = proto.display_name();
  round.province_code = proto.province_code();
  round.year = proto.year();
  round.council_level = static_cast<CouncilLevel>(proto.council_level());
  round.criteria_set = proto.criteria_set();
  round.council_members.assign(proto.council_members().begin(), proto.council_members().end());
  round.certificate_prefix = proto.certificate_prefix();
  return round;
}

absl::StatusOr<Dossier> FromProto(const v1::Dossier& proto) {
  Dossier dossier;
  dossier.name = proto.name();
  dossier.round = proto.round();
  dossier.product = proto.product();
  dossier.self_assessed_score = proto.self_assessed_score();
  dossier.renews = proto.renews();
  dossier.product_idea = proto.product_idea();
  for (int i = 0; i < proto.documents_size(); ++i) {
    const v1::DossierDocument& document = proto.documents(i);
    if (document.kind() < 0 || document.kind() > kMaxDocumentKind) {
      return absl::InvalidArgumentError(absl::StrCat("dossier.documents[", i, "].kind: unknown value"));
    }
    dossier.documents.push_back(
        {static_cast<DocumentKind>(document.kind()), document.title(), document.uri(), document.sha256()});
  }
  return dossier;
}

ScoreSheet FromProto(const v1::ScoreSheet& proto) {
  ScoreSheet sheet;
  sheet.dossier = proto.dossier();
  for (const v1::ScoreEntry& entry : proto.entries()) sheet.entries.emplace_back(entry.criterion(), entry.points());
  return sheet;
}

v1::EvaluationRound ToProto(const EvaluationRound& round) {
  v1::EvaluationRound proto;
  proto.set_name(round.name);
  proto.set_display_name(round.display_name);
  proto.set_province_code(round.province_code);
  proto.set_year(round.year);
  proto.set_council_level(static_cast<v1::CouncilLevel>(round.council_level));
  proto.set_criteria_set(round.criteria_set);
  for (const std::string& member : round.council_members) proto.add_council_members(member);
  proto.set_certificate_prefix(round.certificate_prefix);
  proto.set_state(static_cast<v1::RoundState>(round.state));
  proto.set_decision_number(round.decision_number);
  proto.set_decision_date(round.decision_date);
  grpcutil::ToProtoTime(round.create_time, proto.mutable_create_time());
  return proto;
}

v1::Dossier ToProto(const Dossier& dossier) {
  v1::Dossier proto;
  proto.set_name(dossier.name);
  proto.set_round(dossier.round);
  proto.set_product(dossier.product);
  for (const DossierDocument& document : dossier.documents) {
    v1::DossierDocument* out = proto.add_documents();
    out->set_kind(static_cast<v1::DocumentKind>(document.kind));
    out->set_title(document.title);
    out->set_uri(document.uri);
    out->set_sha256(document.sha256);
  }
  proto.set_self_assessed_score(dossier.self_assessed_score);
  proto.set_state(static_cast<v1::DossierState>(dossier.state));
  for (const DossierTransition& transition : dossier.history) {
    v1::DossierTransition* out = proto.add_history();
    out->set_from(static_cast<v1::DossierState>(transition.from));
    out->set_to(static_cast<v1::DossierState>(transition.to));
    out->set_actor(transition.actor);
    grpcutil::ToProtoTime(transition.time, out->mutable_time());
    out->set_reason(transition.reason);
  }
  proto.set_rating(dossier.rating);
  proto.set_renews(dossier.renews);
  proto.set_renewal_outcome(static_cast<v1::RenewalOutcome>(dossier.renewal_outcome));
  proto.set_product_idea(dossier.product_idea);
  return proto;
}

v1::ScoreSheet ToProto(const ScoreSheet& sheet) {
  v1::ScoreSheet proto;
  proto.set_dossier(sheet.dossier);
  proto.set_member(sheet.member);
  for (const auto& [criterion, points] : sheet.entries) {
    v1::ScoreEntry* entry = proto.add_entries();
    entry->set_criterion(criterion);
    entry->set_points(points);
  }
  proto.set_total(sheet.total);
  grpcutil::ToProtoTime(sheet.submit_time, proto.mutable_submit_time());
  return proto;
}

v1::CriteriaSet ToProto(const CriteriaSet& set) {
  v1::CriteriaSet proto;
  proto.set_name(set.name);
  proto.set_display_name(set.display_name);
  proto.set_source(set.source);
  for (const CriteriaPart& part : set.parts) {
    v1::CriteriaPart* out = proto.add_parts();
    out->set_id(part.id);
    out->set_title(part.title);
    out->set_max_points(part.max_points);
    for (const Criterion& criterion : part.criteria) {
      v1::Criterion* c = out->add_criteria();
      c->set_id(criterion.id);
      c->set_title(criterion.title);
      c->set_max_points(criterion.max_points);
    }
  }
  return proto;
}

v1::RoundResult ToProto(const RoundResult& result) {
  v1::RoundResult proto;
  *proto.mutable_round() = ToProto(result.round);
  for (const RoundResultRow& row : result.rows) {
    v1::RoundResult::Row* out = proto.add_rows();
    out->set_dossier(row.dossier);
    out->set_product(row.product);
    out->set_product_display_name(row.product_display_name);
    out->set_producer(row.producer);
    out->set_producer_display_name(row.producer_display_name);
    out->set_state(static_cast<v1::DossierState>(row.state));
    for (int total : row.member_totals) out->add_member_totals(total);
    out->set_sheets(row.sheets);
    out->set_average(row.average);
    out->set_score(row.score);
    out->set_stars(row.stars);
    out->set_rating(row.rating);
    out->set_certificate_number(row.certificate_number);
  }
  return proto;
}

absl::StatusOr<CriteriaSet> ParseCriteriaSet(const std::string& text, const std::string& origin) {
  v1::CriteriaSet proto;
  if (absl::Status parsed = grpcutil::ParseTextProto(text, &proto); !parsed.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("criteria sets: ", origin, " is not a CriteriaSet in protobuf text format: ", parsed.message()));
  }
  CriteriaSet set{proto.name(), proto.display_name(), proto.source(), {}};
  for (const v1::CriteriaPart& part : proto.parts()) {
    CriteriaPart out{part.id(), part.title(), part.max_points(), {}};
    for (const v1::Criterion& criterion : part.criteria()) {
      out.criteria.push_back({criterion.id(), criterion.title(), criterion.max_points()});
    }
    set.parts.push_back(std::move(out));
  }
  absl::Status valid = ValidateCriteriaSet(set);
  if (!valid.ok()) return absl::FailedPreconditionError(absl::StrCat(origin, ": ", valid.message()));
  return set;
}

absl::StatusOr<std::vector<CriteriaSet>> LoadCriteriaSets(const std::string& directory) {
  std::vector<CriteriaSet> sets;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().extension() != ".textproto") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      return absl::FailedPreconditionError(absl::StrCat("criteria sets: cannot read ", entry.path().string()));
    }
    OCOP_ASSIGN_OR_RETURN(CriteriaSet set, ParseCriteriaSet(text.str(), entry.path().string()));
    sets.push_back(std::move(set));
  }
  if (error) return absl::FailedPreconditionError(absl::StrCat("criteria sets: cannot read ", directory));
  if (sets.empty()) return absl::FailedPreconditionError(absl::StrCat("criteria sets: none in ", directory));
  std::sort(sets.begin(), sets.end(), [](const CriteriaSet& a, const CriteriaSet& b) { return a.name < b.name; });
  return sets;
}

}  // namespace ocop::registry
