#include "common/auth/access_policy.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace ocop::auth {
namespace {

// Shorthands for the table below.
const std::vector<std::string> kAdminOffice = {"admin", "office"};
const std::vector<std::string> kProducerSide = {"admin", "office", "producer"};
const std::vector<std::string> kReaders = {"admin", "office", "council", "producer", "printer", "integrator", "service"};
const std::vector<std::string> kFollowers = {"admin", "integrator", "service"};

MethodRule Public(std::string method, std::string why) { return MethodRule{std::move(method), true, {}, std::move(why)}; }
MethodRule Roles(std::string method, std::vector<std::string> roles, std::string ownership) {
  return MethodRule{std::move(method), false, std::move(roles), std::move(ownership)};
}

std::vector<MethodRule> Table() {
  const std::string r = "ocop.registry.v1.RegistryService/";
  const std::string e = "ocop.registry.v1.EvaluationService/";
  const std::string i = "ocop.registry.v1.IdentityService/";
  const std::string b = "ocop.batch.v1.BatchService/";
  const std::string s = "ocop.stamp.v1.StampService/";
  const std::string l = "ocop.lookup.v1.LookupService/";
  const std::string own_producer = "a producer only its own; an office only its province's";
  const std::string province = "an office only its province";
  return {
      // Registry: producers, products, ratings, reports.
      Roles(r + "CreateProducer", kAdminOffice, province),
      Roles(r + "GetProducer", {"admin", "office", "producer", "integrator", "service"},
            "a producer only itself; an office or integrator only its province or producer"),
      Roles(r + "UpdateProducer", kProducerSide, own_producer),
      Roles(r + "ListProducers", {"admin", "office", "integrator", "service"}, "an office or integrator only its province"),
      Roles(r + "CreateProduct", kProducerSide, own_producer + "; no rating from a producer"),
      Roles(r + "GetProduct", kReaders, "none (product records are public)"),
      Roles(r + "UpdateProduct", kProducerSide, own_producer + "; rating and status only by an office"),
      Roles(r + "AddRating", kAdminOffice, "an office only for products of its province"),
      Roles(r + "ListRatings", kReaders, "none"),
      Roles(r + "GetCouncilRules", kReaders, "none"),
      Roles(r + "ListProductCategories", kReaders, "none"),
      Roles(r + "ListProducts", kReaders, "none"),
      Roles(r + "ImportRecords", kAdminOffice, "an office only rows of its province"),
      Roles(r + "ReportCertifiedProducts", {"admin", "office", "integrator"}, province),
      Roles(r + "ReportProducers", {"admin", "office", "integrator"}, province),
      Roles(r + "ReportCertificationCounts", {"admin", "office", "integrator"}, province),
      Roles(r + "ListExpiringCertificates", {"admin", "office", "integrator"}, province),
      Roles(r + "SetPlan", kAdminOffice, "an office only its province's plan"),
      Roles(r + "GetPlanProgress", {"admin", "office", "integrator"}, province),
      Roles(r + "SetSalesPoint", kAdminOffice, "an office only its province's sales points"),
      Roles(r + "GetSalesPoint", kReaders, "none (the register is public: places and organisations)"),
      Roles(r + "ListSalesPoints", kReaders, "none"),
      Roles(r + "SetProductIdea", kAdminOffice, "an office only its province's product ideas"),
      Roles(r + "GetProductIdea", kReaders, "none (ideas name products, communes and organisations)"),
      Roles(r + "ListProductIdeas", kReaders, "none"),
      Roles(r + "ReportProductIdeas", {"admin", "office", "integrator"}, province),
      Roles(r + "WatchChanges", kFollowers, "an integrator only changes about its producer or province"),
      // Evaluation rounds.
      Roles(e + "ListCriteriaSets", kReaders, "none"),
      Roles(e + "CreateRound", kAdminOffice, province),
      Roles(e + "GetRound", {"admin", "office", "council"}, "a council member only rounds it sits on"),
      Roles(e + "ListRounds", {"admin", "office", "council", "integrator"},
            "an office or integrator only its province; a council member only rounds it sits on"),
      Roles(e + "CreateDossier", kProducerSide, "products of the round's province; a producer only its own"),
      Roles(e + "GetDossier", {"admin", "office", "council", "producer"}, "a producer only its own dossiers"),
      Roles(e + "UpdateDossier", kProducerSide, "a producer only its own, while a draft"),
      Roles(e + "TransitionDossier", kProducerSide, "a producer only submits its own; the office decides"),
      Roles(e + "ListDossiers", {"admin", "office", "council"}, "a council member only rounds it sits on"),
      Roles(e + "SubmitScoreSheet", {"council"}, "only a member of the round's council"),
      Roles(e + "CloseRound", kAdminOffice, province),
      Roles(e + "GetRoundResult", {"admin", "office", "council", "integrator"}, province),
      // Identity.
      Roles(i + "CreateUser", {"admin"}, "none"),
      Public(i + "Login", "the password is the credential"),
      Public(i + "MintAccessToken", "the session secret or API key is the credential"),
      Roles(i + "CreateApiKey", {"admin"}, "none"),
      Roles(i + "RevokeCredential", {"admin", "office", "council", "producer", "printer", "integrator"},
            "anyone only its own sessions (signing out); an admin any credential"),
      Public(i + "GetJwks", "public keys"),
      // Batches: areas, seasons, lots, events.
      Roles(b + "CreateGrowingArea", kProducerSide, own_producer),
      Roles(b + "GetGrowingArea", kReaders, "none (traceability is public)"),
      Roles(b + "ListGrowingAreas", kReaders, "none"),
      Roles(b + "CreateSeason", kProducerSide, own_producer),
      Roles(b + "GetSeason", kReaders, "none"),
      Roles(b + "ListSeasons", kReaders, "none"),
      Roles(b + "CreateBatch", kProducerSide, own_producer),
      Roles(b + "GetBatch", kReaders, "none"),
      Roles(b + "ListBatches", kReaders, "none"),
      Roles(b + "AppendEvent", kProducerSide, own_producer),
      Roles(b + "ListEvents", kReaders, "none"),
      Roles(b + "QueryEvents", kReaders, "none"),
      Roles(b + "SplitBatch", kProducerSide, own_producer),
      Roles(b + "MergeBatches", kProducerSide, own_producer),
      Roles(b + "RecallBatch", kProducerSide, own_producer),
      Roles(b + "GetTrace", kReaders, "none"),
      Roles(b + "VerifyChain", kReaders, "none"),
      Public(b + "ListCheckpointKeys", "public keys"),
      Roles(b + "ExportEpcis", kReaders, "none"),
      Roles(b + "WatchChanges", kFollowers, "an integrator only changes about its producer or province"),
      // Stamps.
      Roles(s + "IssueRoll", kProducerSide, own_producer + " lots"),
      Roles(s + "GetRoll", {"admin", "office", "producer", "printer", "service"},
            "a producer only its own; a printer only rolls assigned to it; an office its province"),
      Roles(s + "ListRolls", {"admin", "office", "producer", "printer", "service"},
            "a producer only its own; a printer only rolls assigned to it; an office its province"),
      Roles(s + "ListRangeOperations", {"admin", "office", "producer", "printer", "service"},
            "a producer only its own; a printer only rolls assigned to it; an office its province"),
      Roles(s + "StreamStamps", {"producer", "printer"}, "the roll's producer or the printer it is assigned to"),
      Roles(s + "OrderReprint", kAdminOffice, province),
      Roles(s + "VerifyPin", {"service", "admin"}, "none (the public checks PINs through lookup)"),
      Roles(s + "ListRenders", {"admin", "office", "producer", "printer"}, own_producer),
      Roles(s + "GetStamp", {"admin", "office", "producer", "service"},
            "the token and PIN only to the stamp's producer or a service"),
      Roles(s + "ClearCopyFlag", kAdminOffice, province),
      Roles(s + "ActivateStamps", kProducerSide, own_producer),
      Roles(s + "VoidStamps", kProducerSide, own_producer),
      Roles(s + "RevokeStamps", kProducerSide, own_producer),
      Public(s + "ListPublicKeys", "public keys"),
      Public(s + "GetJwks", "public keys"),
      Roles(s + "WatchChanges", kFollowers, "an integrator only changes about its producer or province"),
      Roles(s + "RecordScans", {"service"}, "lookup only"),
      Roles(s + "GetScanStats", {"admin", "office", "producer"}, "a producer only its own; an office its province"),
      // Every writing service's audit trail.
      Roles("ocop.common.v1.AuditService/ListAuditRecords", {"admin"}, "none"),
      // The public side.
      Public(l + "Resolve", "the public scan"),
      Public(l + "VerifyPin", "the public PIN check"),
  };
}

}  // namespace

const std::vector<MethodRule>& AccessPolicy() {
  static const auto* table = new std::vector<MethodRule>(Table());
  return *table;
}

const MethodRule* RuleFor(absl::string_view method) {
  // Asked on every call: a hash lookup, not a walk through the table.
  static const auto* by_method = [] {
    auto* index = new absl::flat_hash_map<std::string, const MethodRule*>();
    for (const MethodRule& rule : AccessPolicy()) index->emplace(rule.method, &rule);
    return index;
  }();
  absl::ConsumePrefix(&method, "/");
  auto it = by_method->find(method);
  return it == by_method->end() ? nullptr : it->second;
}

absl::Status CheckRole(absl::string_view method, absl::string_view role) {
  const MethodRule* rule = RuleFor(method);
  if (rule == nullptr) {
    return absl::PermissionDeniedError(absl::StrCat(method, ": no access rule (denied by default)"));
  }
  if (rule->anonymous) return absl::OkStatus();
  if (std::find(rule->roles.begin(), rule->roles.end(), role) != rule->roles.end()) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(rule->method, ": only ", absl::StrJoin(rule->roles, ", "),
                                                  role.empty() ? " (signed in)" : "", " may call it",
                                                  role.empty() ? "" : absl::StrCat(", not ", role)));
}

}  // namespace ocop::auth
