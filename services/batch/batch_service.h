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
  grpc::Status WatchChanges(grpc::ServerContext* context, const common::v1::WatchChangesRequest* request,
                            grpc::ServerWriter<common::v1::Change>* writer) override;

 private:
  Batches* batches_;
  feed::ChangeFeed* feed_;
};

}  // namespace ocop::batch
