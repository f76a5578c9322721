#include "services/batch/batch_service.h"

#include "common/actor/actor.h"
#include "common/grpc/fingerprint.h"
#include "common/grpc/paging.h"
#include "common/status/grpc_status.h"
#include "services/batch/proto_convert.h"

namespace ocop::batch {

grpc::Status BatchServiceImpl::CreateBatch(grpc::ServerContext* context, const v1::CreateBatchRequest* request,
                                           v1::Batch* response) {
  absl::StatusOr<Batch> batch = batches_->CreateBatch(ActorFromContext(*context), FromProto(request->batch()),
                                                      request->request_id(), grpcutil::RequestFingerprint(*request));
  if (!batch.ok()) return ToGrpcStatus(batch.status());
  *response = ToProto(*batch);
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::GetBatch(grpc::ServerContext* context, const v1::GetBatchRequest* request,
                                        v1::Batch* response) {
  absl::StatusOr<Batch> batch = batches_->GetBatch(ActorFromContext(*context), request->name());
  if (!batch.ok()) return ToGrpcStatus(batch.status());
  *response = ToProto(*batch);
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::ListBatches(grpc::ServerContext* context, const v1::ListBatchesRequest* request,
                                           v1::ListBatchesResponse* response) {
  absl::StatusOr<Page<Batch>> page =
      batches_->ListBatches(ActorFromContext(*context), BatchFilter{request->product(), request->producer()},
                            PageRequest{request->page_size(), request->page_token()});
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const Batch& batch : page->items) *response->add_batches() = ToProto(batch);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::AppendEvent(grpc::ServerContext* context, const v1::AppendEventRequest* request,
                                           v1::BatchEvent* response) {
  absl::StatusOr<BatchEvent> event = FromProto(request->event());
  if (event.ok()) {
    event = batches_->AppendEvent(ActorFromContext(*context), request->parent(), std::move(*event),
                                  request->request_id(), grpcutil::RequestFingerprint(*request));
  }
  if (!event.ok()) return ToGrpcStatus(event.status());
  *response = ToProto(*event);
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::ListEvents(grpc::ServerContext* context, const v1::ListEventsRequest* request,
                                          v1::ListEventsResponse* response) {
  absl::StatusOr<Page<BatchEvent>> page = batches_->ListEvents(
      ActorFromContext(*context), request->parent(), PageRequest{request->page_size(), request->page_token()});
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const BatchEvent& event : page->items) *response->add_events() = ToProto(event);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::WatchChanges(grpc::ServerContext* context,
                                            const common::v1::WatchChangesRequest* request,
                                            grpc::ServerWriter<common::v1::Change>* writer) {
  return feed_->Serve(context, *request, writer);
}

}  // namespace ocop::batch
