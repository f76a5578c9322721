#include "services/registry/sql_evaluation_repository.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status_macros.h"
#include "services/registry/sql_registry_internal.h"

namespace ocop::registry {
namespace {

constexpr char kRoundColumns[] =
    "name, display_name, province_code, year, council_level, criteria_set, council_members, certificate_prefix, "
    "state, decision_number, decision_date, create_unix_micros";

EvaluationRound ReadRound(const store::Statement& row) {
  EvaluationRound round;
  round.name = row.ColumnText(0);
  round.display_name = row.ColumnText(1);
  round.province_code = row.ColumnText(2);
  round.year = static_cast<int>(row.ColumnInt(3));
  round.council_level = static_cast<CouncilLevel>(row.ColumnInt(4));
  round.criteria_set = row.ColumnText(5);
  round.council_members = absl::StrSplit(row.ColumnText(6), '\n', absl::SkipEmpty());
  round.certificate_prefix = row.ColumnText(7);
  round.state = static_cast<RoundState>(row.ColumnInt(8));
  round.decision_number = row.ColumnText(9);
  round.decision_date = row.ColumnText(10);
  round.create_time = absl::FromUnixMicros(row.ColumnInt(11));
  return round;
}

absl::StatusOr<EvaluationRound> SelectRound(store::Connection& connection, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kRoundColumns, " FROM evaluation_rounds WHERE name = ?")));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("round ", name, " not found"));
  return ReadRound(select);
}

// Puts the product idea `dossier` names at the dossier stage, in the dossier's transaction: an idea
// goes into one dossier only, and a dropped one into none.
absl::Status CarryIdea(store::Connection& connection, const Dossier& dossier) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare("SELECT stage, dossier FROM product_ideas WHERE name = ?"));
  select.Bind(1, dossier.product_idea);
  OCOP_ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return absl::NotFoundError(absl::StrCat("dossier.product_idea: ", dossier.product_idea, " not found"));
  if (const std::string taken = select.ColumnText(1); !taken.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("dossier.product_idea: ", dossier.product_idea, " is already in ", taken));
  }
  if (static_cast<ProductIdeaStage>(select.ColumnInt(0)) == ProductIdeaStage::kDropped) {
    return absl::FailedPreconditionError(absl::StrCat("dossier.product_idea: ", dossier.product_idea, " was dropped"));
  }
  OCOP_ASSIGN_OR_RETURN(store::Statement update,
                        connection.Prepare("UPDATE product_ideas SET stage = ?, dossier = ?, update_unix_micros = ? "
                                           "WHERE name = ?"));
  const absl::Time when = dossier.history.empty() ? absl::Now() : dossier.history.front().time;
  update.Bind(1, static_cast<int64_t>(ProductIdeaStage::kDossier))
      .Bind(2, dossier.name)
      .Bind(3, absl::ToUnixMicros(when))
      .Bind(4, dossier.product_idea);
  return update.Run();
}

absl::StatusOr<Dossier> SelectDossier(store::Connection& connection, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare("SELECT name, round, product, self_assessed_score, state, rating, "
                                           "renews, renewal_outcome, product_idea FROM dossiers WHERE name = ?"));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("dossier ", name, " not found"));
  Dossier dossier;
  dossier.name = select.ColumnText(0);
  dossier.round = select.ColumnText(1);
  dossier.product = select.ColumnText(2);
  dossier.self_assessed_score = static_cast<int>(select.ColumnInt(3));
  dossier.state = static_cast<DossierState>(select.ColumnInt(4));
  dossier.rating = select.ColumnText(5);
  dossier.renews = select.ColumnText(6);
  dossier.renewal_outcome = static_cast<RenewalOutcome>(select.ColumnInt(7));
  dossier.product_idea = select.ColumnText(8);
  OCOP_ASSIGN_OR_RETURN(store::Statement documents,
                        connection.Prepare("SELECT kind, title, uri, sha256 FROM dossier_documents WHERE dossier = ? "
                                           "ORDER BY ordinal"));
  documents.Bind(1, name);
  for (;;) {
    OCOP_ASSIGN_OR_RETURN(bool more, documents.Step());
    if (!more) break;
    dossier.documents.push_back({static_cast<DocumentKind>(documents.ColumnInt(0)), documents.ColumnText(1),
                                 documents.ColumnText(2), documents.ColumnText(3)});
  }
  OCOP_ASSIGN_OR_RETURN(store::Statement history,
                        connection.Prepare("SELECT from_state, to_state, actor, unix_micros, reason FROM "
                                           "dossier_transitions WHERE dossier = ? ORDER BY position"));
  history.Bind(1, name);
  for (;;) {
    OCOP_ASSIGN_OR_RETURN(bool more, history.Step());
    if (!more) break;
    dossier.history.push_back({static_cast<DossierState>(history.ColumnInt(0)),
                               static_cast<DossierState>(history.ColumnInt(1)), history.ColumnText(2),
                               absl::FromUnixMicros(history.ColumnInt(3)), history.ColumnText(4)});
  }
  return dossier;
}

absl::Status WriteDocuments(store::Connection& connection, const Dossier& dossier) {
  OCOP_ASSIGN_OR_RETURN(store::Statement clear, connection.Prepare("DELETE FROM dossier_documents WHERE dossier = ?"));
  clear.Bind(1, dossier.name);
  OCOP_RETURN_IF_ERROR(clear.Run());
  OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                        connection.Prepare("INSERT INTO dossier_documents(dossier, ordinal, kind, title, uri, sha256) "
                                           "VALUES(?, ?, ?, ?, ?, ?)"));
  for (size_t i = 0; i < dossier.documents.size(); ++i) {
    const DossierDocument& document = dossier.documents[i];
    insert.Bind(1, dossier.name).Bind(2, static_cast<int64_t>(i)).Bind(3, static_cast<int64_t>(document.kind))
        .Bind(4, document.title).Bind(5, document.uri).Bind(6, document.sha256);
    OCOP_RETURN_IF_ERROR(insert.Run());
    insert.Reset();
  }
  return absl::OkStatus();
}

absl::Status InsertTransition(store::Connection& connection, const std::string& dossier,
                              const DossierTransition& transition) {
  OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                        connection.Prepare("INSERT INTO dossier_transitions(dossier, from_state, to_state, actor, "
                                           "unix_micros, reason) VALUES(?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, dossier).Bind(2, static_cast<int64_t>(transition.from)).Bind(3, static_cast<int64_t>(transition.to))
      .Bind(4, transition.actor).Bind(5, absl::ToUnixMicros(transition.time)).Bind(6, transition.reason);
  return insert.Run();
}

absl::Status SetDossierState(store::Connection& connection, const std::string& dossier, DossierState state,
                             const std::string& rating, RenewalOutcome renewal = RenewalOutcome::kUnspecified) {
  OCOP_ASSIGN_OR_RETURN(store::Statement update,
                        connection.Prepare("UPDATE dossiers SET state = ?, rating = ?, renewal_outcome = ? "
                                           "WHERE name = ?"));
  update.Bind(1, static_cast<int64_t>(state)).Bind(2, rating).Bind(3, static_cast<int64_t>(renewal)).Bind(4, dossier);
  return update.Run();
}

std::string EncodeEntries(const std::vector<std::pair<std::string, int>>& entries) {
  std::string text;
  for (const auto& [criterion, points] : entries) absl::StrAppend(&text, text.empty() ? "" : ";", criterion, "=", points);
  return text;
}

std::vector<std::pair<std::string, int>> DecodeEntries(const std::string& text) {
  std::vector<std::pair<std::string, int>> entries;
  for (absl::string_view entry : absl::StrSplit(text, ';', absl::SkipEmpty())) {
    std::pair<std::string, std::string> parts = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    int points = 0;
    (void)absl::SimpleAtoi(parts.second, &points);
    entries.emplace_back(parts.first, points);
  }
  return entries;
}

}  // namespace

absl::StatusOr<EvaluationRound> SqlEvaluationRepository::CreateRound(const EvaluationRound& round,
                                                                       const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(
      store::CreateOnceResult result,
      store::CreateOnce(*database_, key, round.name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                              connection.Prepare(absl::StrCat("INSERT INTO evaluation_rounds(", kRoundColumns,
                                                              ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")));
        insert.Bind(1, round.name).Bind(2, round.display_name).Bind(3, round.province_code)
            .Bind(4, static_cast<int64_t>(round.year)).Bind(5, static_cast<int64_t>(round.council_level))
            .Bind(6, round.criteria_set).Bind(7, absl::StrJoin(round.council_members, "\n"))
            .Bind(8, round.certificate_prefix).Bind(9, static_cast<int64_t>(round.state)).Bind(10, round.decision_number)
            .Bind(11, round.decision_date).Bind(12, absl::ToUnixMicros(round.create_time));
        return insert.Run();
      }));
  return GetRound(result.name);
}

absl::StatusOr<EvaluationRound> SqlEvaluationRepository::GetRound(const std::string& name) {
  EvaluationRound round;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(round, SelectRound(connection, name));
    return absl::OkStatus();
  }));
  return round;
}

absl::StatusOr<std::vector<EvaluationRound>> SqlEvaluationRepository::ListRounds(const std::string& province_code) {
  std::vector<EvaluationRound> rounds;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT ", kRoundColumns, " FROM evaluation_rounds",
                                        province_code.empty() ? "" : " WHERE province_code = ?",
                                        " ORDER BY create_unix_micros DESC, name")));
    if (!province_code.empty()) select.Bind(1, province_code);
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      rounds.push_back(ReadRound(select));
    }
    return absl::OkStatus();
  }));
  return rounds;
}

absl::StatusOr<Dossier> SqlEvaluationRepository::CreateDossier(const Dossier& dossier,
                                                                 const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(
      store::CreateOnceResult result,
      store::CreateOnce(*database_, key, dossier.name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(store::Statement product, connection.Prepare("SELECT 1 FROM products WHERE name = ?"));
        product.Bind(1, dossier.product);
        OCOP_ASSIGN_OR_RETURN(bool product_exists, product.Step());
        if (!product_exists) return absl::NotFoundError(absl::StrCat("dossier.product: ", dossier.product, " not found"));
        OCOP_ASSIGN_OR_RETURN(store::Statement existing,
                              connection.Prepare("SELECT name FROM dossiers WHERE round = ? AND product = ?"));
        existing.Bind(1, dossier.round).Bind(2, dossier.product);
        OCOP_ASSIGN_OR_RETURN(bool taken, existing.Step());
        if (taken) {
          return absl::AlreadyExistsError(absl::StrCat("dossier.product: ", dossier.product, " already has ",
                                                       existing.ColumnText(0), " in ", dossier.round));
        }
        OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                              connection.Prepare("INSERT INTO dossiers(name, round, product, self_assessed_score, "
                                                 "state, rating, renews, product_idea) VALUES(?, ?, ?, ?, ?, '', ?, ?)"));
        insert.Bind(1, dossier.name).Bind(2, dossier.round).Bind(3, dossier.product)
            .Bind(4, static_cast<int64_t>(dossier.self_assessed_score)).Bind(5, static_cast<int64_t>(dossier.state))
            .Bind(6, dossier.renews).Bind(7, dossier.product_idea);
        OCOP_RETURN_IF_ERROR(insert.Run());
        if (!dossier.product_idea.empty()) OCOP_RETURN_IF_ERROR(CarryIdea(connection, dossier));
        OCOP_RETURN_IF_ERROR(WriteDocuments(connection, dossier));
        for (const DossierTransition& transition : dossier.history) {
          OCOP_RETURN_IF_ERROR(InsertTransition(connection, dossier.name, transition));
        }
        return absl::OkStatus();
      }));
  return GetDossier(result.name);
}

absl::StatusOr<Dossier> SqlEvaluationRepository::GetDossier(const std::string& name) {
  Dossier dossier;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(dossier, SelectDossier(connection, name));
    return absl::OkStatus();
  }));
  return dossier;
}

absl::StatusOr<Dossier> SqlEvaluationRepository::UpdateDossier(const Dossier& dossier, DossierState expected,
                                                                 const std::optional<DossierTransition>& transition) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement update,
                          connection.Prepare("UPDATE dossiers SET self_assessed_score = ?, state = ? "
                                             "WHERE name = ? AND state = ?"));
    update.Bind(1, static_cast<int64_t>(dossier.self_assessed_score)).Bind(2, static_cast<int64_t>(dossier.state))
        .Bind(3, dossier.name).Bind(4, static_cast<int64_t>(expected));
    OCOP_RETURN_IF_ERROR(update.Run());
    if (connection.Changes() == 0) {
      return absl::FailedPreconditionError(absl::StrCat(dossier.name, " changed state meanwhile; read it again"));
    }
    OCOP_RETURN_IF_ERROR(WriteDocuments(connection, dossier));
    if (transition.has_value()) OCOP_RETURN_IF_ERROR(InsertTransition(connection, dossier.name, *transition));
    return absl::OkStatus();
  }));
  return GetDossier(dossier.name);
}

absl::StatusOr<std::vector<Dossier>> SqlEvaluationRepository::ListDossiers(const std::string& round,
                                                                             DossierState state) {
  std::vector<Dossier> dossiers;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare("SELECT name FROM dossiers WHERE round = ?1 AND (?2 = 0 OR state = ?2) "
                                             "ORDER BY position"));
    select.Bind(1, round).Bind(2, static_cast<int64_t>(state));
    std::vector<std::string> names;
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      names.push_back(select.ColumnText(0));
    }
    for (const std::string& name : names) {
      OCOP_ASSIGN_OR_RETURN(Dossier dossier, SelectDossier(connection, name));
      dossiers.push_back(std::move(dossier));
    }
    return absl::OkStatus();
  }));
  return dossiers;
}

absl::StatusOr<ScoreSheet> SqlEvaluationRepository::AddScoreSheet(const ScoreSheet& sheet, int members,
                                                                     const DossierTransition& evaluated) {
  bool retried = false;
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    // A retried sheet (the same scores) is the one already stored; other scores are refused.
    OCOP_ASSIGN_OR_RETURN(store::Statement existing,
                          connection.Prepare("SELECT entries FROM score_sheets WHERE dossier = ? AND member = ?"));
    existing.Bind(1, sheet.dossier).Bind(2, sheet.member);
    OCOP_ASSIGN_OR_RETURN(bool scored, existing.Step());
    if (scored) {
      if (existing.ColumnText(0) == EncodeEntries(sheet.entries)) {
        retried = true;
        return absl::OkStatus();
      }
      return absl::AlreadyExistsError(absl::StrCat("sheet.member: ", sheet.member, " has already scored ", sheet.dossier,
                                                   " with other points"));
    }
    OCOP_ASSIGN_OR_RETURN(Dossier dossier, SelectDossier(connection, sheet.dossier));
    if (dossier.state != DossierState::kAccepted) {
      return absl::FailedPreconditionError(
          absl::StrCat(sheet.dossier, ": only an accepted dossier can be scored"));
    }
    OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                          connection.Prepare("INSERT INTO score_sheets(dossier, member, entries, total, "
                                             "submit_unix_micros) VALUES(?, ?, ?, ?, ?)"));
    insert.Bind(1, sheet.dossier).Bind(2, sheet.member).Bind(3, EncodeEntries(sheet.entries))
        .Bind(4, static_cast<int64_t>(sheet.total)).Bind(5, absl::ToUnixMicros(sheet.submit_time));
    OCOP_RETURN_IF_ERROR(insert.Run());
    OCOP_ASSIGN_OR_RETURN(store::Statement count, connection.Prepare("SELECT COUNT(*) FROM score_sheets WHERE dossier = ?"));
    count.Bind(1, sheet.dossier);
    OCOP_RETURN_IF_ERROR(count.Step().status());
    if (count.ColumnInt(0) < members) return absl::OkStatus();
    OCOP_RETURN_IF_ERROR(SetDossierState(connection, sheet.dossier, DossierState::kEvaluated, ""));
    return InsertTransition(connection, sheet.dossier, evaluated);
  }));
  if (!retried) return sheet;
  std::vector<ScoreSheet> stored;
  OCOP_ASSIGN_OR_RETURN(Dossier dossier, GetDossier(sheet.dossier));
  OCOP_ASSIGN_OR_RETURN(stored, ScoreSheetsOfRound(dossier.round));
  for (const ScoreSheet& candidate : stored) {
    if (candidate.dossier == sheet.dossier && candidate.member == sheet.member) return candidate;
  }
  return sheet;
}

absl::StatusOr<std::vector<ScoreSheet>> SqlEvaluationRepository::ScoreSheetsOfRound(const std::string& round) {
  std::vector<ScoreSheet> sheets;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare("SELECT s.dossier, s.member, s.entries, s.total, s.submit_unix_micros "
                                             "FROM score_sheets s JOIN dossiers d ON d.name = s.dossier "
                                             "WHERE d.round = ? ORDER BY d.position, s.member"));
    select.Bind(1, round);
    for (;;) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      sheets.push_back({select.ColumnText(0), select.ColumnText(1), DecodeEntries(select.ColumnText(2)),
                        static_cast<int>(select.ColumnInt(3)), absl::FromUnixMicros(select.ColumnInt(4))});
    }
    return absl::OkStatus();
  }));
  return sheets;
}

absl::Status SqlEvaluationRepository::CloseRound(const std::string& round, const std::string& decision_number,
                                                    const std::string& decision_date,
                                                    const std::vector<DossierOutcome>& outcomes,
                                                    const DossierTransition& rated) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement close,
                          connection.Prepare("UPDATE evaluation_rounds SET state = ?, decision_number = ?, "
                                             "decision_date = ? WHERE name = ? AND state = ?"));
    close.Bind(1, static_cast<int64_t>(RoundState::kClosed)).Bind(2, decision_number).Bind(3, decision_date)
        .Bind(4, round).Bind(5, static_cast<int64_t>(RoundState::kOpen));
    OCOP_RETURN_IF_ERROR(close.Run());
    if (connection.Changes() == 0) return absl::FailedPreconditionError(absl::StrCat(round, " is already closed"));
    for (const DossierOutcome& outcome : outcomes) {
      std::string rating;
      if (outcome.rating.has_value()) {
        OCOP_ASSIGN_OR_RETURN(rating, sql_internal::AppendRatingRow(connection, outcome.product, *outcome.rating));
      }
      OCOP_RETURN_IF_ERROR(SetDossierState(connection, outcome.dossier, DossierState::kRated, rating, outcome.renewal));
      OCOP_RETURN_IF_ERROR(InsertTransition(connection, outcome.dossier, rated));
    }
    return absl::OkStatus();
  }));
  notifier_->Notify();
  return absl::OkStatus();
}

}  // namespace ocop::registry
