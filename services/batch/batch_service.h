// gRPC handlers of ocop.batch.v1.BatchService: proto in, domain call, status out.
#pragma once

#include "common/feed/change_feed.h"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "services/batch/batches.h"

namespace ocop::batch {

class BatchServiceImpl final : public v1::BatchService::Service {
 public:
  // Neither argument is owned.
  BatchServiceImpl(Batches* batches, feed::ChangeFeed* feed) : batches_(batches), feed_(feed) {}

  grpc::Status CreateGrowingArea(grpc::ServerContext* context, const v1::CreateGrowingAreaRequest* request,
                                 v1::GrowingArea* response) override;
  grpc::Status GetGrowingArea(grpc::ServerContext* context, const v1::GetGrowingAreaRequest* request,
                              v1::GrowingArea* response) override;
  grpc::Status ListGrowingAreas(grpc::ServerContext* context, const v1::ListGrowingAreasRequest* request,
                                v1::ListGrowingAreasResponse* response) override;
  grpc::Status CreateSeason(grpc::ServerContext* context, const v1::CreateSeasonRequest* request,
                            v1::Season* response) override;
  grpc::Status GetSeason(grpc::ServerContext* context, const v1::GetSeasonRequest* request,
                         v1::Season* response) override;
  grpc::Status ListSeasons(grpc::ServerContext* context, const v1::ListSeasonsRequest* request,
                           v1::ListSeasonsResponse* response) override;
  grpc::Status CreateBatch(grpc::ServerContext* context, const v1::CreateBatchRequest* request,
                           v1::Batch* response) override;
  grpc::Status GetBatch(grpc::ServerContext* context, const v1::GetBatchRequest* request,
                        v1::Batch* response) override;
  grpc::Status ListBatches(grpc::ServerContext* context, const v1::ListBatchesRequest* request,
                           v1::ListBatchesResponse* response) override;
  grpc::Status AppendEvent(grpc::ServerContext* context, const v1::AppendEventRequest* request,
                           v1::BatchEvent* response) override;
  grpc::Status ListEvents(grpc::ServerContext* context, const v1::ListEventsRequest* request,
                          v1::ListEventsResponse* response) override;
  grpc::Status QueryEvents(grpc::ServerContext* context, const v1::QueryEventsRequest* request,
                           v1::QueryEventsResponse* response) override;
  grpc::Status SplitBatch(grpc::ServerContext* context, const v1::SplitBatchRequest* request,
                          v1::SplitBatchResponse* response) override;
  grpc::Status MergeBatches(grpc::ServerContext* context, const v1::MergeBatchesRequest* request,
                            v1::MergeBatchesResponse* response) override;
  grpc::Status RecallBatch(grpc::ServerContext* context, const v1::RecallBatchRequest* request,
                           v1::RecallBatchResponse* response) override;
  grpc::Status GetTrace(grpc::ServerContext* context, const v1::GetTraceRequest* request, v1::Trace* response) override;
  grpc::Status VerifyChain(grpc::ServerContext* context, const v1::VerifyChainRequest* request,
                           v1::VerifyChainResponse* response) override;
  grpc::Status ListCheckpointKeys(grpc::ServerContext* context, const v1::ListCheckpointKeysRequest* request,
                                  v1::ListCheckpointKeysResponse* response) override;
  grpc::Status ExportEpcis(grpc::ServerContext* context, const v1::ExportEpcisRequest* request,
                           v1::ExportEpcisResponse* response) override;
  grpc::Status WatchChanges(grpc::ServerContext* context, const common::v1::WatchChangesRequest* request,
                            grpc::ServerWriter<common::v1::Change>* writer) override;

 private:
  Batches* batches_;
  feed::ChangeFeed* feed_;
};

}  // namespace ocop::batch
