#include "services/registry/evaluation_service.h"

#include "common/actor/actor.h"
#include "common/auth/grpc_auth.h"
#include "common/grpc/fingerprint.h"
#include "common/grpc/paging.h"
#include "common/status/grpc_status.h"
#include "services/registry/evaluation_convert.h"
#include "common/grpc/reply.h"

namespace ocop::registry {

using grpcutil::Reply;

grpc::Status EvaluationServiceImpl::ListCriteriaSets(grpc::ServerContext* context, const v1::ListCriteriaSetsRequest*,
                                                     v1::ListCriteriaSetsResponse* response) {
  // Not public: only callers the role table allows (the verdict is read, not the actor).
  if (absl::StatusOr<Actor> caller = auth::CallerOf(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  for (const CriteriaSet& set : evaluation_->criteria_sets()) *response->add_criteria_sets() = ToProto(set);
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::CreateRound(grpc::ServerContext* context, const v1::CreateRoundRequest* request,
                                                v1::EvaluationRound* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<EvaluationRound> round = FromProto(request->round());
  if (round.ok()) {
    round = evaluation_->CreateRound(*caller, std::move(*round), request->request_id(),
                                     grpcutil::RequestFingerprint(*request));
  }
  return Reply(round, response);
}

grpc::Status EvaluationServiceImpl::GetRound(grpc::ServerContext* context, const v1::GetRoundRequest* request,
                                             v1::EvaluationRound* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(evaluation_->GetRound(*caller, request->name()), response);
}

grpc::Status EvaluationServiceImpl::CreateDossier(grpc::ServerContext* context,
                                                  const v1::CreateDossierRequest* request, v1::Dossier* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Dossier> dossier = FromProto(request->dossier());
  if (dossier.ok()) {
    dossier = evaluation_->CreateDossier(*caller, std::move(*dossier), request->request_id(),
                                         grpcutil::RequestFingerprint(*request));
  }
  return Reply(dossier, response);
}

grpc::Status EvaluationServiceImpl::GetDossier(grpc::ServerContext* context, const v1::GetDossierRequest* request,
                                               v1::Dossier* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(evaluation_->GetDossier(*caller, request->name()), response);
}

grpc::Status EvaluationServiceImpl::UpdateDossier(grpc::ServerContext* context,
                                                  const v1::UpdateDossierRequest* request, v1::Dossier* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Dossier> dossier = FromProto(request->dossier());
  if (dossier.ok()) dossier = evaluation_->UpdateDossier(*caller, *dossier);
  return Reply(dossier, response);
}

grpc::Status EvaluationServiceImpl::TransitionDossier(grpc::ServerContext* context,
                                                      const v1::TransitionDossierRequest* request,
                                                      v1::Dossier* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->to() < 0 || request->to() > kMaxDossierState) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "to: unknown value");
  }
  return Reply(evaluation_->TransitionDossier(*caller, request->name(),
                                              static_cast<DossierState>(request->to()), request->reason()),
               response);
}

grpc::Status EvaluationServiceImpl::ListRounds(grpc::ServerContext* context, const v1::ListRoundsRequest* request,
                                               v1::ListRoundsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<int> size = grpcutil::PageSize(request->page_size(), 50, 100);
  if (!size.ok()) return ToGrpcStatus(size.status());
  absl::StatusOr<int64_t> offset = grpcutil::DecodePageToken(request->page_token());
  if (!offset.ok()) return ToGrpcStatus(offset.status());
  bool more = false;
  absl::StatusOr<std::vector<EvaluationRound>> rounds =
      evaluation_->ListRounds(*caller, request->province_code(), *size, *offset, &more);
  if (!rounds.ok()) return ToGrpcStatus(rounds.status());
  for (const EvaluationRound& round : *rounds) *response->add_rounds() = ToProto(round);
  if (more) response->set_next_page_token(grpcutil::EncodePageToken(*offset + static_cast<int64_t>(rounds->size())));
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::ListDossiers(grpc::ServerContext* context, const v1::ListDossiersRequest* request,
                                                 v1::ListDossiersResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->state() < 0 || request->state() > kMaxDossierState) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "state: unknown value");
  }
  absl::StatusOr<std::vector<Dossier>> dossiers = evaluation_->ListDossiers(
      *caller, request->round(), static_cast<DossierState>(request->state()));
  if (!dossiers.ok()) return ToGrpcStatus(dossiers.status());
  for (const Dossier& dossier : *dossiers) *response->add_dossiers() = ToProto(dossier);
  return grpc::Status::OK;
}

grpc::Status EvaluationServiceImpl::SubmitScoreSheet(grpc::ServerContext* context,
                                                     const v1::SubmitScoreSheetRequest* request,
                                                     v1::ScoreSheet* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(evaluation_->SubmitScoreSheet(*caller, FromProto(request->sheet())), response);
}

grpc::Status EvaluationServiceImpl::CloseRound(grpc::ServerContext* context, const v1::CloseRoundRequest* request,
                                               v1::RoundResult* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(evaluation_->CloseRound(*caller, request->name(), request->decision_number(),
                                       request->decision_date()),
               response);
}

grpc::Status EvaluationServiceImpl::GetRoundResult(grpc::ServerContext* context,
                                                   const v1::GetRoundResultRequest* request,
                                                   v1::RoundResult* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(evaluation_->GetRoundResult(*caller, request->name()), response);
}

}  // namespace ocop::registry
