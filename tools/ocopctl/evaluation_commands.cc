// ocopctl's evaluation commands: rounds, dossiers, score sheets from CSV, closing a round and its
// result table (CSV on stdout).
#include <cstdio>
#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "common/csv/csv.h"
#include "common/grpc/client.h"
#include "ocop/registry/v1/evaluation.grpc.pb.h"
#include "tools/ocopctl/cli.h"

ABSL_FLAG(std::string, round, "", "rounds/{id}");
ABSL_FLAG(std::string, dossier, "", "dossiers/{id}");
ABSL_FLAG(int, year, 0, "create-round: the round's year");
ABSL_FLAG(std::string, criteria_set, "criteriaSets/ocop-2023", "create-round: the score sheet to use");
ABSL_FLAG(std::vector<std::string>, members, {}, "create-round: council members' actor ids, comma-separated");
ABSL_FLAG(std::string, certificate_prefix, "", "create-round: prefix of the certificate numbers it issues");
ABSL_FLAG(std::vector<std::string>, document, {},
          "submit-dossier: kind:uri:sha256 (kind: business_registration, product_standard, lab_test, "
          "packaging_and_label, product_story, other); repeat the flag or separate with commas");
ABSL_FLAG(int, self_score, 0, "submit-dossier: the producer's self-assessed score");
ABSL_FLAG(std::string, product_idea, "",
          "submit-dossier: the commune's product idea the dossier carries into the round (productIdeas/{id})");
ABSL_FLAG(std::string, renews, "",
          "submit-dossier: the certificate a re-evaluation renews or upgrades (products/{id}/ratings/{n}, the "
          "product's current one; expiring-certificates lists them)");
ABSL_FLAG(std::string, sheet_file, "", "score-sheet: CSV with columns criterion,points");
ABSL_DECLARE_FLAG(std::string, display_name);
ABSL_DECLARE_FLAG(std::string, province_code);
ABSL_DECLARE_FLAG(std::string, council_level);
ABSL_DECLARE_FLAG(std::string, product);
ABSL_DECLARE_FLAG(std::string, reason);
ABSL_DECLARE_FLAG(std::string, decision_number);
ABSL_DECLARE_FLAG(std::string, decision_date);
ABSL_DECLARE_FLAG(std::string, request_id);

namespace ocop::ctl {
namespace {

namespace v1 = registry::v1;

std::unique_ptr<v1::EvaluationService::Stub> Evaluation() {
  // The evaluation service runs in the registry binary.
  return v1::EvaluationService::NewStub(grpcutil::MakeChannel(absl::GetFlag(FLAGS_registry)));
}

const std::map<std::string, v1::DocumentKind>& DocumentKindWords() {
  static const auto* words = new std::map<std::string, v1::DocumentKind>{
      {"business_registration", v1::DOCUMENT_KIND_BUSINESS_REGISTRATION},
      {"product_standard", v1::DOCUMENT_KIND_PRODUCT_STANDARD},
      {"lab_test", v1::DOCUMENT_KIND_LAB_TEST},
      {"packaging_and_label", v1::DOCUMENT_KIND_PACKAGING_AND_LABEL},
      {"product_story", v1::DOCUMENT_KIND_PRODUCT_STORY},
      {"other", v1::DOCUMENT_KIND_OTHER}};
  return *words;
}

const std::map<std::string, v1::DossierState>& DossierStateWords() {
  static const auto* words = new std::map<std::string, v1::DossierState>{
      {"draft", v1::DOSSIER_STATE_DRAFT},         {"submitted", v1::DOSSIER_STATE_SUBMITTED},
      {"accepted", v1::DOSSIER_STATE_ACCEPTED},   {"returned", v1::DOSSIER_STATE_RETURNED},
      {"evaluated", v1::DOSSIER_STATE_EVALUATED}, {"rated", v1::DOSSIER_STATE_RATED}};
  return *words;
}


int PrintResult(const v1::RoundResult& result) {
  std::printf("# %s (%s), %s%s\n", result.round().display_name().c_str(), result.round().name().c_str(),
              result.round().state() == v1::ROUND_STATE_CLOSED ? "closed by " : "open",
              result.round().decision_number().c_str());
  std::vector<std::string> header = {"dossier", "product", "product_name", "producer_name", "state"};
  for (const std::string& member : result.round().council_members()) header.push_back(member);
  header.insert(header.end(), {"average", "score", "stars", "certificate_number", "rating"});
  PrintCsv(header);
  for (const auto& row : result.rows()) {
    std::vector<std::string> fields = {row.dossier(), row.product(), row.product_display_name(),
                                       row.producer_display_name(), WordFor(DossierStateWords(), row.state())};
    for (int total : row.member_totals()) fields.push_back(absl::StrCat(total));
    fields.insert(fields.end(), {absl::StrFormat("%.2f", row.average()), absl::StrCat(row.score()),
                                 absl::StrCat(row.stars()), row.certificate_number(), row.rating()});
    PrintCsv(fields);
  }
  return 0;
}

}  // namespace

int CreateRound() {
  v1::CreateRoundRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::EvaluationRound* round = request.mutable_round();
  round->set_display_name(absl::GetFlag(FLAGS_display_name));
  round->set_province_code(absl::GetFlag(FLAGS_province_code));
  round->set_year(absl::GetFlag(FLAGS_year));
  v1::CouncilLevel level = v1::COUNCIL_LEVEL_UNSPECIFIED;
  if (!ParseEnum(absl::GetFlag(FLAGS_council_level), CouncilLevelWords(), &level)) {
    return Usage("--council_level must be district, province or central");
  }
  round->set_council_level(level);
  round->set_criteria_set(absl::GetFlag(FLAGS_criteria_set));
  for (const std::string& member : absl::GetFlag(FLAGS_members)) round->add_council_members(member);
  round->set_certificate_prefix(absl::GetFlag(FLAGS_certificate_prefix));
  grpc::ClientContext context;
  Prepare(context);
  v1::EvaluationRound created;
  grpc::Status status = Evaluation()->CreateRound(&context, request, &created);
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", created.name().c_str());
  return 0;
}

int SubmitDossier() {
  v1::CreateDossierRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  v1::Dossier* dossier = request.mutable_dossier();
  dossier->set_round(absl::GetFlag(FLAGS_round));
  dossier->set_product(absl::GetFlag(FLAGS_product));
  dossier->set_self_assessed_score(absl::GetFlag(FLAGS_self_score));
  dossier->set_renews(absl::GetFlag(FLAGS_renews));
  dossier->set_product_idea(absl::GetFlag(FLAGS_product_idea));
  for (const std::string& text : absl::GetFlag(FLAGS_document)) {
    // kind:uri:sha256, where the uri itself holds a ':' (https:...).
    std::vector<std::string> parts = absl::StrSplit(text, ':');
    v1::DocumentKind kind = v1::DOCUMENT_KIND_UNSPECIFIED;
    if (parts.size() < 4 || !ParseEnum(parts.front(), DocumentKindWords(), &kind)) {
      return Usage("--document takes kind:uri:sha256, e.g. lab_test:https://example.vn/kq.pdf:<64 hex>");
    }
    v1::DossierDocument* document = dossier->add_documents();
    document->set_kind(kind);
    document->set_sha256(parts.back());
    document->set_uri(text.substr(parts.front().size() + 1, text.size() - parts.front().size() - parts.back().size() - 2));
  }
  std::unique_ptr<v1::EvaluationService::Stub> stub = Evaluation();
  v1::Dossier created;
  {
    grpc::ClientContext context;
    Prepare(context);
    grpc::Status status = stub->CreateDossier(&context, request, &created);
    if (!status.ok()) return Fail(status);
  }
  v1::TransitionDossierRequest submit;
  submit.set_name(created.name());
  submit.set_to(v1::DOSSIER_STATE_SUBMITTED);
  grpc::ClientContext context;
  Prepare(context);
  v1::Dossier submitted;
  grpc::Status status = stub->TransitionDossier(&context, submit, &submitted);
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", submitted.name().c_str());
  return 0;
}

int MoveDossier(v1::DossierState to) {
  v1::TransitionDossierRequest request;
  request.set_name(absl::GetFlag(FLAGS_dossier));
  request.set_to(to);
  request.set_reason(absl::GetFlag(FLAGS_reason));
  grpc::ClientContext context;
  Prepare(context);
  v1::Dossier dossier;
  grpc::Status status = Evaluation()->TransitionDossier(&context, request, &dossier);
  if (!status.ok()) return Fail(status);
  std::printf("%s %s\n", dossier.name().c_str(), WordFor(DossierStateWords(), dossier.state()).c_str());
  return 0;
}

int AcceptDossier() { return MoveDossier(v1::DOSSIER_STATE_ACCEPTED); }
int ReturnDossier() { return MoveDossier(v1::DOSSIER_STATE_RETURNED); }

int ListDossiers() {
  v1::ListDossiersRequest request;
  request.set_round(absl::GetFlag(FLAGS_round));
  grpc::ClientContext context;
  Prepare(context);
  v1::ListDossiersResponse response;
  grpc::Status status = Evaluation()->ListDossiers(&context, request, &response);
  if (!status.ok()) return Fail(status);
  PrintCsv({"dossier", "product", "state", "self_assessed_score", "documents", "last_change_by", "last_reason"});
  for (const v1::Dossier& dossier : response.dossiers()) {
    const v1::DossierTransition last = dossier.history().empty() ? v1::DossierTransition() : *dossier.history().rbegin();
    PrintCsv({dossier.name(), dossier.product(), WordFor(DossierStateWords(), dossier.state()),
              absl::StrCat(dossier.self_assessed_score()), absl::StrCat(dossier.documents_size()), last.actor(),
              last.reason()});
  }
  return 0;
}

int ScoreSheet() {
  std::ifstream in(absl::GetFlag(FLAGS_sheet_file), std::ios::binary);
  if (!in) return Usage("--sheet_file: cannot read " + absl::GetFlag(FLAGS_sheet_file));
  std::ostringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<csv::Record>> records = csv::Parse(text.str());
  if (!records.ok()) return Usage(absl::StrCat(absl::GetFlag(FLAGS_sheet_file), ":", records.status().message()));
  v1::SubmitScoreSheetRequest request;
  request.mutable_sheet()->set_dossier(absl::GetFlag(FLAGS_dossier));
  for (const csv::Record& record : *records) {
    if (record.line == 1 && !record.fields.empty() && record.fields[0] == "criterion") continue;  // header
    int points = 0;
    if (record.fields.size() != 2 || !absl::SimpleAtoi(record.fields[1], &points)) {
      return Usage(absl::StrCat(absl::GetFlag(FLAGS_sheet_file), ":", record.line,
                                ": expected criterion,points (a whole number)"));
    }
    v1::ScoreEntry* entry = request.mutable_sheet()->add_entries();
    entry->set_criterion(record.fields[0]);
    entry->set_points(points);
  }
  grpc::ClientContext context;
  Prepare(context);
  v1::ScoreSheet sheet;
  grpc::Status status = Evaluation()->SubmitScoreSheet(&context, request, &sheet);
  if (!status.ok()) return Fail(status);
  std::printf("%s scored %s: %d points\n", sheet.member().c_str(), sheet.dossier().c_str(), sheet.total());
  return 0;
}

int CloseRound() {
  v1::CloseRoundRequest request;
  request.set_name(absl::GetFlag(FLAGS_round));
  request.set_decision_number(absl::GetFlag(FLAGS_decision_number));
  request.set_decision_date(absl::GetFlag(FLAGS_decision_date));
  grpc::ClientContext context;
  Prepare(context);
  v1::RoundResult result;
  grpc::Status status = Evaluation()->CloseRound(&context, request, &result);
  if (!status.ok()) return Fail(status);
  return PrintResult(result);
}

int RoundResult() {
  v1::GetRoundResultRequest request;
  request.set_name(absl::GetFlag(FLAGS_round));
  grpc::ClientContext context;
  Prepare(context);
  v1::RoundResult result;
  grpc::Status status = Evaluation()->GetRoundResult(&context, request, &result);
  if (!status.ok()) return Fail(status);
  return PrintResult(result);
}

}  // namespace ocop::ctl
