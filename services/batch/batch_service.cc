#include "services/batch/batch_service.h"

#include "common/actor/actor.h"
#include "common/auth/grpc_auth.h"
#include "common/auth/ownership.h"
#include "common/grpc/fingerprint.h"
#include "common/grpc/paging.h"
#include "common/grpc/proto_time.h"
#include "common/grpc/reply.h"
#include "common/status/grpc_status.h"
#include "common/token/token.h"
#include "services/batch/proto_convert.h"

namespace ocop::batch {
namespace {

using grpcutil::Reply;

WriteKey KeyOf(const google::protobuf::Message& request, const std::string& request_id) {
  return WriteKey{request_id, grpcutil::RequestFingerprint(request)};
}

template <typename Item, typename Response, typename Add>
grpc::Status ReplyPage(const absl::StatusOr<Page<Item>>& page, Response* response, Add add) {
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const Item& item : page->items) *add(response) = ToProto(item);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

std::optional<absl::Time> OptionalTime(bool present, const google::protobuf::Timestamp& time) {
  if (!present) return std::nullopt;
  return grpcutil::FromProtoTime(time);
}

}  // namespace

grpc::Status BatchServiceImpl::CreateGrowingArea(grpc::ServerContext* context,
                                                 const v1::CreateGrowingAreaRequest* request,
                                                 v1::GrowingArea* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(batches_->CreateGrowingArea(*caller, FromProto(request->growing_area()),
                                           KeyOf(*request, request->request_id())),
               response);
}

grpc::Status BatchServiceImpl::GetGrowingArea(grpc::ServerContext* context, const v1::GetGrowingAreaRequest* request,
                                              v1::GrowingArea* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(batches_->GetGrowingArea(*caller, request->name()), response);
}

grpc::Status BatchServiceImpl::ListGrowingAreas(grpc::ServerContext* context,
                                                const v1::ListGrowingAreasRequest* request,
                                                v1::ListGrowingAreasResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ReplyPage(batches_->ListGrowingAreas(*caller, GrowingAreaFilter{request->producer()},
                                              PageRequest{request->page_size(), request->page_token()}),
                   response, [](auto* r) { return r->add_growing_areas(); });
}

grpc::Status BatchServiceImpl::CreateSeason(grpc::ServerContext* context, const v1::CreateSeasonRequest* request,
                                            v1::Season* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(batches_->CreateSeason(*caller, request->parent(), FromProto(request->season()),
                                      KeyOf(*request, request->request_id())),
               response);
}

grpc::Status BatchServiceImpl::GetSeason(grpc::ServerContext* context, const v1::GetSeasonRequest* request,
                                         v1::Season* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(batches_->GetSeason(*caller, request->name()), response);
}

grpc::Status BatchServiceImpl::ListSeasons(grpc::ServerContext* context, const v1::ListSeasonsRequest* request,
                                           v1::ListSeasonsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ReplyPage(batches_->ListSeasons(*caller, request->parent(),
                                         PageRequest{request->page_size(), request->page_token()}),
                   response, [](auto* r) { return r->add_seasons(); });
}

grpc::Status BatchServiceImpl::CreateBatch(grpc::ServerContext* context, const v1::CreateBatchRequest* request,
                                           v1::Batch* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Batch> batch = FromProto(request->batch());
  if (batch.ok()) batch = batches_->CreateBatch(*caller, std::move(*batch),
                                                KeyOf(*request, request->request_id()));
  return Reply(batch, response);
}

grpc::Status BatchServiceImpl::GetBatch(grpc::ServerContext* context, const v1::GetBatchRequest* request,
                                        v1::Batch* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(batches_->GetBatch(*caller, request->name()), response);
}

grpc::Status BatchServiceImpl::ListBatches(grpc::ServerContext* context, const v1::ListBatchesRequest* request,
                                           v1::ListBatchesResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ReplyPage(batches_->ListBatches(*caller, BatchFilter{request->product(), request->producer(), request->lot_code()},
                                         PageRequest{request->page_size(), request->page_token()}),
                   response, [](auto* r) { return r->add_batches(); });
}

grpc::Status BatchServiceImpl::AppendEvent(grpc::ServerContext* context, const v1::AppendEventRequest* request,
                                           v1::BatchEvent* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<BatchEvent> event = FromProto(request->event());
  if (event.ok()) {
    // The fingerprint covers the parent and the whole event, so a retried capture under the same
    // event_id matches and another body under it does not.
    event = batches_->AppendEvent(*caller, request->parent(), std::move(*event),
                                  KeyOf(*request, request->request_id()));
  }
  return Reply(event, response);
}

grpc::Status BatchServiceImpl::ListEvents(grpc::ServerContext* context, const v1::ListEventsRequest* request,
                                          v1::ListEventsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ReplyPage(batches_->ListEvents(*caller, request->parent(),
                                        PageRequest{request->page_size(), request->page_token()}),
                   response, [](auto* r) { return r->add_events(); });
}

grpc::Status BatchServiceImpl::QueryEvents(grpc::ServerContext* context, const v1::QueryEventsRequest* request,
                                           v1::QueryEventsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  EventQuery query{request->product(),
                   request->lot(),
                   request->season(),
                   OptionalTime(request->has_start_time(), request->start_time()),
                   OptionalTime(request->has_end_time(), request->end_time()),
                   request->biz_step(),
                   request->commune_code()};
  return ReplyPage(batches_->QueryEvents(*caller, query,
                                         PageRequest{request->page_size(), request->page_token()}),
                   response, [](auto* r) { return r->add_events(); });
}

grpc::Status BatchServiceImpl::SplitBatch(grpc::ServerContext* context, const v1::SplitBatchRequest* request,
                                          v1::SplitBatchResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  SplitRequest split;
  split.parent = request->parent();
  for (const v1::Batch& child : request->children()) {
    absl::StatusOr<Batch> lot = FromProto(child);
    if (!lot.ok()) return ToGrpcStatus(lot.status());
    split.children.push_back(std::move(*lot));
  }
  split.event_time = OptionalTime(request->has_event_time(), request->event_time());
  split.location = FromProto(request->location());
  absl::StatusOr<SplitResult> result =
      batches_->SplitBatch(*caller, std::move(split), KeyOf(*request, request->request_id()));
  if (!result.ok()) return ToGrpcStatus(result.status());
  for (const Batch& child : result->children) *response->add_children() = ToProto(child);
  *response->mutable_event() = ToProto(result->event);
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::MergeBatches(grpc::ServerContext* context, const v1::MergeBatchesRequest* request,
                                            v1::MergeBatchesResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  MergeRequest merge;
  merge.parents.assign(request->parents().begin(), request->parents().end());
  absl::StatusOr<Batch> merged = FromProto(request->merged());
  if (!merged.ok()) return ToGrpcStatus(merged.status());
  merge.merged = std::move(*merged);
  merge.event_time = OptionalTime(request->has_event_time(), request->event_time());
  merge.location = FromProto(request->location());
  absl::StatusOr<MergeResult> result =
      batches_->MergeBatches(*caller, std::move(merge), KeyOf(*request, request->request_id()));
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response->mutable_merged() = ToProto(result->merged);
  *response->mutable_event() = ToProto(result->event);
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::RecallBatch(grpc::ServerContext* context, const v1::RecallBatchRequest* request,
                                           v1::RecallBatchResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::vector<Batch>> recalled = batches_->RecallBatch(
      *caller, request->name(), request->reason(), KeyOf(*request, request->request_id()));
  if (!recalled.ok()) return ToGrpcStatus(recalled.status());
  for (const Batch& lot : *recalled) *response->add_recalled() = ToProto(lot);
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::GetTrace(grpc::ServerContext* context, const v1::GetTraceRequest* request,
                                        v1::Trace* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(batches_->GetTrace(*caller, request->name(), request->max_events()), response);
}

grpc::Status BatchServiceImpl::VerifyChain(grpc::ServerContext* context, const v1::VerifyChainRequest* request,
                                           v1::VerifyChainResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::vector<Checkpoint> published;
  for (const v1::Checkpoint& checkpoint : request->published()) published.push_back(FromProto(checkpoint));
  absl::StatusOr<ChainVerification> result =
      batches_->VerifyChain(*caller, request->chain(), published);
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_intact(result->intact);
  response->set_event_count(result->event_count);
  response->set_first_broken_sequence(result->first_broken_sequence);
  response->set_problem(result->problem);
  response->set_head_hash(result->head_hash);
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::ListCheckpointKeys(grpc::ServerContext*, const v1::ListCheckpointKeysRequest*,
                                                  v1::ListCheckpointKeysResponse* response) {
  for (const keys::PublicKeyInfo& key : batches_->CheckpointKeys()) {
    v1::CheckpointKey* out = response->add_keys();
    out->set_key_id(token::KeyIdToHex(key.key_id));
    out->set_public_key(key.public_key);
  }
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::ExportEpcis(grpc::ServerContext* context, const v1::ExportEpcisRequest* request,
                                           v1::ExportEpcisResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::string> document = batches_->ExportEpcis(
      *caller, request->name(),
      request->public_view() ? EpcisAudience::kPublic : EpcisAudience::kInternal);
  if (!document.ok()) return ToGrpcStatus(document.status());
  response->set_document(std::move(*document));
  response->set_content_type("application/ld+json");
  return grpc::Status::OK;
}

grpc::Status BatchServiceImpl::WatchChanges(grpc::ServerContext* context,
                                            const common::v1::WatchChangesRequest* request,
                                            grpc::ServerWriter<common::v1::Change>* writer) {
  // Not public.
  absl::StatusOr<Actor> caller = auth::CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // A scoped integrator sees only changes about its producer or its province's producers.
  auto visible = auth::FeedScope(
      *caller,
      [this](const std::string& entity, const std::string& name) { return batches_->ProducerOfChange(entity, name); },
      [this](const std::string& producer) { return batches_->ProvinceOf(producer); });
  return feed_->Serve(context, *request, writer, visible);
}

}  // namespace ocop::batch
