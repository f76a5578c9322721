// gRPC handlers of ocop.registry.v1.EvaluationService: proto in, domain call, proto out.
#pragma once

#include "ocop/registry/v1/evaluation.grpc.pb.h"
#include "services/registry/evaluation.h"

namespace ocop::registry {

class EvaluationServiceImpl final : public v1::EvaluationService::Service {
 public:
  // Not owned.
  explicit EvaluationServiceImpl(Evaluation* evaluation) : evaluation_(evaluation) {}

  grpc::Status ListCriteriaSets(grpc::ServerContext* context, const v1::ListCriteriaSetsRequest* request,
                                v1::ListCriteriaSetsResponse* response) override;
  grpc::Status CreateRound(grpc::ServerContext* context, const v1::CreateRoundRequest* request,
                           v1::EvaluationRound* response) override;
  grpc::Status GetRound(grpc::ServerContext* context, const v1::GetRoundRequest* request,
                        v1::EvaluationRound* response) override;
  grpc::Status ListRounds(grpc::ServerContext* context, const v1::ListRoundsRequest* request,
                          v1::ListRoundsResponse* response) override;
  grpc::Status CreateDossier(grpc::ServerContext* context, const v1::CreateDossierRequest* request,
                             v1::Dossier* response) override;
  grpc::Status GetDossier(grpc::ServerContext* context, const v1::GetDossierRequest* request,
                          v1::Dossier* response) override;
  grpc::Status UpdateDossier(grpc::ServerContext* context, const v1::UpdateDossierRequest* request,
                             v1::Dossier* response) override;
  grpc::Status TransitionDossier(grpc::ServerContext* context, const v1::TransitionDossierRequest* request,
                                 v1::Dossier* response) override;
  grpc::Status ListDossiers(grpc::ServerContext* context, const v1::ListDossiersRequest* request,
                            v1::ListDossiersResponse* response) override;
  grpc::Status SubmitScoreSheet(grpc::ServerContext* context, const v1::SubmitScoreSheetRequest* request,
                                v1::ScoreSheet* response) override;
  grpc::Status CloseRound(grpc::ServerContext* context, const v1::CloseRoundRequest* request,
                          v1::RoundResult* response) override;
  grpc::Status GetRoundResult(grpc::ServerContext* context, const v1::GetRoundResultRequest* request,
                              v1::RoundResult* response) override;

 private:
  Evaluation* evaluation_;
};

}  // namespace ocop::registry
