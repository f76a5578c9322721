// The provincial office's and the council's pages: evaluation rounds (dossiers accepted or
// returned, score sheets, closing a round into certificates) and the province's reports with
// charts. Rendering only; rounds.cc fetches the data with the person's own token.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ocop/registry/v1/evaluation.pb.h"
#include "ocop/registry/v1/registry.pb.h"
#include "ocop/stamp/v1/stamp.pb.h"
#include "services/console/charts.h"
#include "services/console/html.h"

namespace ocop::console {

inline const std::vector<std::string> kRoundFields = {"display_name", "year", "council_level", "criteria_set",
                                                      "council_members", "certificate_prefix"};

struct RoundsView {
  std::vector<registry::v1::EvaluationRound> rounds;
  // An office opens rounds: the form, the criteria sets to choose from.
  bool office = false;
  std::string csrf;
  FormState new_form;
  std::vector<registry::v1::CriteriaSet> criteria_sets;
  int year = 2026;
  std::string this_page_token;
  std::string next_page_token;
};
std::string RenderRoundsBody(const RoundsView& view);

// The fields of a dossier's "return" form and of the close form.
inline const std::vector<std::string> kReturnFields = {"reason"};
inline const std::vector<std::string> kCloseFields = {"decision_number", "decision_date"};

// Dossier cards per page of a round (each carries its forms): a province round of a hundred
// dossiers stays under 100 KB a page.
inline constexpr size_t kDossiersPerPage = 25;

struct RoundView {
  registry::v1::EvaluationRound round;
  std::vector<registry::v1::Dossier> dossiers;
  std::map<std::string, std::string> product_names;  // by product name
  registry::v1::RoundResult result;
  registry::v1::CriteriaSet criteria;
  std::string csrf;
  // Who is looking: an office (accepts, returns, closes) or a council member (scores).
  bool office = false;
  std::string member;  // the council member's subject, when one
  // The dossier whose score sheet is shown ("dossiers/{id}"; empty: the first one the member has
  // not scored). One sheet per page keeps a round of many dossiers under 100 KB.
  std::string sheet_for;
  // Dossier cards are shown kDossiersPerPage at a time from this one (?from=).
  size_t first_dossier = 0;
  // A refused form: which dossier's (or "close"), and what was typed.
  std::string refused_dossier;
  std::string refused_form;  // "return", "score", "close"
  FormState refused;
  std::string today;
  std::string notice;
};
std::string RenderRoundBody(const RoundView& view);

struct ReportsView {
  std::string as_of;
  registry::v1::CertifiedProductsReport by_stars;
  registry::v1::CertifiedProductsReport by_group;
  registry::v1::CertifiedProductsReport by_commune;
  std::vector<registry::v1::ExpiringCertificate> expiring;
  int expiring_within_days = 90;
  // The province's open rounds, which a re-evaluation of an expiring certificate can join.
  std::vector<registry::v1::EvaluationRound> open_rounds;
  std::string csrf;
  std::string renewal_request_id;
  std::vector<Bar> scans_per_day;  // empty when the scan history could not be read
  std::string plan;                // the plan asked for, "plans/{id}"
  bool plan_found = false;
  registry::v1::PlanProgress progress;
  std::string error_vi;            // the as_of or plan refused, said next to its field
  std::string error_en;
};
std::string RenderReportsBody(const ReportsView& view);

struct ImportView {
  std::string csrf;
  bool validate_only = true;
  bool sent = false;  // a file was read (the result below is its)
  // Errors in the files themselves ("producers.csv:4: kind: ..."): nothing was sent.
  std::vector<std::string> file_errors;
  // The registry's answer when the rows were sent.
  registry::v1::ImportRecordsResponse result;
  std::string error;  // the form itself was refused (no file, too large, not CSV text)
};
std::string RenderImportBody(const ImportView& view);

// "★★★★" for `stars`, "–" for none.
std::string Stars(int stars);

}  // namespace ocop::console
