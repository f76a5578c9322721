#include "services/stamp/stamp_service.h"

#include "absl/strings/str_cat.h"
#include "common/actor/actor.h"
#include "common/auth/grpc_auth.h"
#include "common/auth/ownership.h"
#include "common/grpc/fingerprint.h"
#include "common/grpc/paging.h"
#include "common/grpc/proto_time.h"
#include "common/jwks/jwks.h"
#include "common/threads/lower_priority.h"
#include "common/status/grpc_status.h"
#include "common/http/client_address.h"
#include "common/token/token.h"

namespace ocop::stamp {

namespace {

void ToProto(const RangeOperation& operation, v1::RangeOperation* out) {
  out->set_first_serial(operation.first_serial);
  out->set_last_serial(operation.last_serial);
  out->set_state(static_cast<v1::StampState>(operation.state));
  out->set_reason(operation.reason);
  out->set_actor(operation.actor);
  grpcutil::ToProtoTime(operation.time, out->mutable_time());
}

}  // namespace

v1::Roll ToProto(const Roll& roll) {
  v1::Roll proto;
  proto.set_name(roll.name);
  proto.set_batch(roll.batch);
  proto.set_producer(roll.producer);
  proto.set_product(roll.product);
  proto.set_count(roll.count);
  proto.set_first_serial(roll.first_serial);
  proto.set_key_id(token::KeyIdToHex(roll.key_id));
  proto.set_issued_by(roll.issued_by);
  proto.set_scratch_pins(!roll.pin_secret_id.empty());
  proto.set_pin_secret_id(roll.pin_secret_id);
  proto.set_printer_profile(roll.printer_profile);
  proto.set_printer(roll.printer);
  proto.set_digital_link(!roll.gtin.empty());
  proto.set_gtin(roll.gtin);
  proto.set_lot_code(roll.lot_code);
  grpcutil::ToProtoTime(roll.create_time, proto.mutable_create_time());
  for (const RangeOperation& operation : roll.operations) ToProto(operation, proto.add_operations());
  for (const StampStates::Range& range : roll.states.ranges()) {
    v1::StateRange* out = proto.add_states();
    out->set_first_serial(range.first);
    out->set_last_serial(range.last);
    out->set_state(static_cast<v1::StampState>(range.value));
  }
  proto.set_operation_count(roll.operation_count);
  proto.set_active_count(roll.active_count);
  for (const auto& [serial, day] : roll.copy_flags_cleared_through) {
    v1::CopyFlagClearance* clearance = proto.add_copy_flag_clearances();
    clearance->set_serial(serial);
    clearance->set_cleared_through(day);
  }
  return proto;
}

v1::Stamp ToProto(const Stamp& stamp) {
  v1::Stamp proto;
  proto.set_name(absl::StrCat("stamps/", stamp.serial));
  proto.set_serial(stamp.serial);
  proto.set_roll(stamp.roll.name);
  proto.set_batch(stamp.roll.batch);
  proto.set_product(stamp.roll.product);
  proto.set_producer(stamp.roll.producer);
  proto.set_key_id(token::KeyIdToHex(stamp.roll.key_id));
  proto.set_state(static_cast<v1::StampState>(stamp.state));
  proto.set_token(stamp.token);
  proto.set_url(stamp.url);
  proto.set_copy_flag_cleared_through(stamp.copy_flag_cleared_through);
  return proto;
}

namespace {

qr::ErrorCorrection ErrorCorrectionFromProto(v1::ErrorCorrection level) {
  switch (level) {
    case v1::ERROR_CORRECTION_L: return qr::ErrorCorrection::kLow;
    case v1::ERROR_CORRECTION_Q: return qr::ErrorCorrection::kQuartile;
    case v1::ERROR_CORRECTION_H: return qr::ErrorCorrection::kHigh;
    default: return qr::ErrorCorrection::kMedium;
  }
}

}  // namespace

grpc::Status StampServiceImpl::IssueRoll(grpc::ServerContext* context, const v1::IssueRollRequest* request,
                                         v1::Roll* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  Stamps::IssueOptions options{request->roll().scratch_pins(), request->roll().digital_link(),
                               request->roll().printer_profile(), request->roll().printer()};
  absl::StatusOr<Roll> roll =
      stamps_->IssueRoll(*caller, request->roll().batch(), request->roll().count(), options,
                         request->request_id(), grpcutil::RequestFingerprint(*request));
  if (!roll.ok()) return ToGrpcStatus(roll.status());
  *response = ToProto(*roll);
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::GetRoll(grpc::ServerContext* context, const v1::GetRollRequest* request,
                                       v1::Roll* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Roll> roll = stamps_->GetRoll(*caller, request->name());
  if (!roll.ok()) return ToGrpcStatus(roll.status());
  *response = ToProto(*roll);
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::ListRolls(grpc::ServerContext* context, const v1::ListRollsRequest* request,
                                         v1::ListRollsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<store::Page<Roll>> page =
      stamps_->ListRolls(*caller, request->batch(), request->page_size(), request->page_token());
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const Roll& roll : page->items) *response->add_rolls() = ToProto(roll);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::ListRangeOperations(grpc::ServerContext* context,
                                                   const v1::ListRangeOperationsRequest* request,
                                                   v1::ListRangeOperationsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<store::Page<RangeOperation>> page =
      stamps_->ListRangeOperations(*caller, request->roll(), request->page_size(), request->page_token());
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const RangeOperation& operation : page->items) ToProto(operation, response->add_operations());
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::StreamStamps(grpc::ServerContext* context, const v1::StreamStampsRequest* request,
                                            grpc::ServerWriter<v1::RenderedStamp>* writer) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  RenderRequest render{request->roll(),
                       request->first_serial(),
                       request->count(),
                       static_cast<ImageFormat>(request->format()),
                       request->module_pixels(),
                       request->printer(),
                       request->resume_render(),
                       request->last_received_serial(),
                       request->reprint_order(),
                       request->dpi(),
                       ErrorCorrectionFromProto(request->error_correction()),
                       request->quiet_zone(),
                       request->labels_per_document()};
  absl::StatusOr<grpcutil::HeldCalls::Hold> hold = streams_.Enter(context);
  if (!hold.ok()) return ToGrpcStatus(hold.status());
  v1::RenderedStamp message;
  absl::Status status;
  // Batch work: a printer waits for a roll by the second, a scan by the millisecond.
  threads::RunAtLowerPriority(background_nice_, [&] {
    status = stamps_->RenderStamps(*caller, render, [&](const RenderedStamp& stamp) {
      if (context->IsCancelled()) return false;
      hold->Progress();
      message.set_serial(stamp.serial);
      message.set_last_serial(stamp.last_serial);
      message.set_token(stamp.token);
      message.set_url(stamp.url);
      message.set_content_type(stamp.content_type);
      message.set_image(stamp.image);
      message.set_render(stamp.render);
      message.set_pin(stamp.pin);
      return writer->Write(message);
    });
  });
  return ToGrpcStatus(status);
}

grpc::Status StampServiceImpl::OrderReprint(grpc::ServerContext* context, const v1::OrderReprintRequest* request,
                                            v1::ReprintOrder* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<ReprintOrder> order =
      stamps_->OrderReprint(*caller, request->roll(), request->first_serial(), request->count(),
                            request->reason(), request->request_id(), grpcutil::RequestFingerprint(*request));
  if (!order.ok()) return ToGrpcStatus(order.status());
  response->set_name(order->name);
  response->set_roll(order->roll);
  response->set_first_serial(order->first_serial);
  response->set_last_serial(order->last_serial);
  response->set_reason(order->reason);
  response->set_actor(order->actor);
  grpcutil::ToProtoTime(order->create_time, response->mutable_create_time());
  response->set_used_by(order->used_by);
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::VerifyPin(grpc::ServerContext* context, const v1::VerifyPinRequest* request,
                                         v1::VerifyPinResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  VerifyPinRequest pin_request{request->token(), request->stamp(), request->pin(), request->client()};
  // Without a client named by lookup, the caller's own network is the client.
  if (pin_request.client.empty()) {
    pin_request.client = "peer:" + http::ClientNetwork(http::AddressOfGrpcPeer(context->peer()));
  }
  absl::StatusOr<PinOutcome> outcome = stamps_->VerifyPin(*caller, pin_request);
  if (!outcome.ok()) return ToGrpcStatus(outcome.status());
  response->set_result(static_cast<v1::PinResult>(outcome->result));
  if (outcome->first_verified_time != absl::InfinitePast()) {
    grpcutil::ToProtoTime(outcome->first_verified_time, response->mutable_first_verified_time());
  }
  response->set_tries_left(outcome->tries_left);
  if (outcome->locked_until != absl::InfinitePast()) {
    grpcutil::ToProtoTime(outcome->locked_until, response->mutable_locked_until());
  }
  response->set_stamp_state(static_cast<v1::StampState>(outcome->stamp_state));
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::ListRenders(grpc::ServerContext* context, const v1::ListRendersRequest* request,
                                           v1::ListRendersResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::vector<Render>> renders = stamps_->ListRenders(*caller, request->roll());
  if (!renders.ok()) return ToGrpcStatus(renders.status());
  for (const Render& render : *renders) {
    v1::Render* out = response->add_renders();
    out->set_name(render.name);
    out->set_roll(render.roll);
    out->set_first_serial(render.first_serial);
    out->set_last_serial(render.last_serial);
    out->set_last_sent_serial(render.last_sent_serial);
    out->set_printer(render.printer);
    out->set_actor(render.actor);
    out->set_reprint_order(render.reprint_order);
    out->set_reprint_reason(render.reprint_reason);
    grpcutil::ToProtoTime(render.start_time, out->mutable_start_time());
    grpcutil::ToProtoTime(render.update_time, out->mutable_update_time());
    for (const auto& [first, last] : render.resent) {
      out->add_resent_serials(first);
      out->add_resent_serials(last);
    }
  }
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::GetStamp(grpc::ServerContext* context, const v1::GetStampRequest* request,
                                        v1::Stamp* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Stamp> stamp = stamps_->GetStamp(*caller, request->name());
  if (!stamp.ok()) return ToGrpcStatus(stamp.status());
  *response = ToProto(*stamp);
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::ClearCopyFlag(grpc::ServerContext* context, const v1::ClearCopyFlagRequest* request,
                                             v1::Stamp* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Stamp> stamp = stamps_->ClearCopyFlag(*caller, request->stamp(), request->reason(),
                                                       request->request_id(), grpcutil::RequestFingerprint(*request));
  if (!stamp.ok()) return ToGrpcStatus(stamp.status());
  *response = ToProto(*stamp);
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::ChangeStamps(grpc::ServerContext* context, StampState target,
                                            const v1::ChangeStampsRequest* request, v1::Roll* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  ChangeStampsRequest change{request->roll(),   request->first_serial(),           request->count(),
                             request->reason(), request->override_package_limit(), request->request_id()};
  absl::StatusOr<Roll> roll =
      stamps_->ChangeStamps(*caller, target, change, grpcutil::RequestFingerprint(*request));
  if (!roll.ok()) return ToGrpcStatus(roll.status());
  *response = ToProto(*roll);
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::ActivateStamps(grpc::ServerContext* context, const v1::ChangeStampsRequest* request,
                                              v1::Roll* response) {
  return ChangeStamps(context, StampState::kActive, request, response);
}

grpc::Status StampServiceImpl::VoidStamps(grpc::ServerContext* context, const v1::ChangeStampsRequest* request,
                                          v1::Roll* response) {
  return ChangeStamps(context, StampState::kVoid, request, response);
}

grpc::Status StampServiceImpl::RevokeStamps(grpc::ServerContext* context, const v1::ChangeStampsRequest* request,
                                            v1::Roll* response) {
  return ChangeStamps(context, StampState::kRevoked, request, response);
}

grpc::Status StampServiceImpl::ListPublicKeys(grpc::ServerContext*, const v1::ListPublicKeysRequest*,
                                              v1::ListPublicKeysResponse* response) {
  for (const keys::PublicKeyInfo& key : keys_->PublicKeys()) {
    v1::PublicKey* proto = response->add_keys();
    proto->set_key_id(token::KeyIdToHex(key.key_id));
    proto->set_algorithm("Ed25519");
    proto->set_public_key(key.public_key);
    proto->set_signing(key.signing);
  }
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::GetJwks(grpc::ServerContext*, const v1::GetJwksRequest*,
                                       common::v1::Jwks* response) {
  std::map<uint32_t, std::string> keys;
  for (const keys::PublicKeyInfo& key : keys_->PublicKeys()) keys[key.key_id] = key.public_key;
  *response = jwks::MakeJwks(keys);
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::WatchChanges(grpc::ServerContext* context,
                                            const common::v1::WatchChangesRequest* request,
                                            grpc::ServerWriter<common::v1::Change>* writer) {
  // Not public.
  absl::StatusOr<Actor> caller = auth::CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // A scoped integrator sees only changes about its producer or its province's producers.
  auto visible = auth::FeedScope(
      *caller,
      [this](const std::string& entity, const std::string& name) { return stamps_->ProducerOfChange(entity, name); },
      [this](const std::string& producer) { return stamps_->ProvinceOf(producer); });
  return feed_->Serve(context, *request, writer, visible);
}

grpc::Status StampServiceImpl::RecordScans(grpc::ServerContext* context, const v1::RecordScansRequest* request,
                                           v1::RecordScansResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::vector<ScanRecord> scans;
  scans.reserve(request->scans_size());
  for (const v1::ScanRecord& scan : request->scans()) {
    scans.push_back(ScanRecord{scan.scan_id(), scan.serial(),
                               scan.has_scan_time() ? grpcutil::FromProtoTime(scan.scan_time()) : absl::UnixEpoch(),
                               "", scan.client_hash(), scan.verdict(), scan.batch(), scan.product(), scan.producer(),
                               scan.province_code(), scan.count() == 0 ? 1 : scan.count()});
  }
  absl::StatusOr<int64_t> recorded = absl::UnknownError("not run");
  threads::RunAtLowerPriority(background_nice_, [&] { recorded = scans_->RecordScans(*caller, std::move(scans)); });
  if (!recorded.ok()) return ToGrpcStatus(recorded.status());
  response->set_recorded(*recorded);
  return grpc::Status::OK;
}

grpc::Status StampServiceImpl::GetScanStats(grpc::ServerContext* context, const v1::GetScanStatsRequest* request,
                                            v1::GetScanStatsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  ScanQuery query{request->producer(),  request->product(), request->batch(),
                  request->serial(),    request->province_code(), request->from_day(),
                  request->to_day(),    static_cast<ScanGroupBy>(request->group_by())};
  absl::StatusOr<store::Page<ScanStatsRow>> page =
      scans_->Stats(*caller, query, request->page_size(), request->page_token());
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const ScanStatsRow& row : page->items) {
    v1::ScanStatsRow* out = response->add_rows();
    out->set_key(row.key);
    out->set_scans(row.scans);
    out->set_distinct_clients(row.distinct_clients);
    out->set_distinct_days(row.distinct_days);
    out->set_possible_copy_scans(row.possible_copy_scans);
  }
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

}  // namespace ocop::stamp
