// gRPC handlers of ocop.stamp.v1.StampService: proto in, domain call, status out.
#pragma once

#include "common/feed/change_feed.h"
#include "common/grpc/held_calls.h"
#include "ocop/stamp/v1/stamp.grpc.pb.h"
#include "common/keys/key_store.h"
#include "services/stamp/scan_history.h"
#include "services/stamp/stamps.h"

namespace ocop::stamp {

class StampServiceImpl final : public v1::StampService::Service {
 public:
  // Nothing is owned. Background work runs on a thread of its own whose nice value is raised by
  // `background_nice` (0: not lowered): roll renders (StreamStamps: seconds of a core per roll of
  // PNG or PDF labels) and scan history (RecordScans: lookup sends it in batches of up to 5,000
  // and nobody waits for it). Neither may take the cores of the calls a scan waits for (GetStamp,
  // GetRoll).
  StampServiceImpl(Stamps* stamps, ScanHistory* scans, const keys::KeyStore* keys, feed::ChangeFeed* feed,
                   int background_nice = 10)
      : stamps_(stamps), scans_(scans), keys_(keys), feed_(feed), background_nice_(background_nice) {}

  grpc::Status IssueRoll(grpc::ServerContext* context, const v1::IssueRollRequest* request,
                         v1::Roll* response) override;
  grpc::Status GetRoll(grpc::ServerContext* context, const v1::GetRollRequest* request, v1::Roll* response) override;
  grpc::Status ListRolls(grpc::ServerContext* context, const v1::ListRollsRequest* request,
                         v1::ListRollsResponse* response) override;
  grpc::Status StreamStamps(grpc::ServerContext* context, const v1::StreamStampsRequest* request,
                            grpc::ServerWriter<v1::RenderedStamp>* writer) override;
  grpc::Status OrderReprint(grpc::ServerContext* context, const v1::OrderReprintRequest* request,
                            v1::ReprintOrder* response) override;
  grpc::Status VerifyPin(grpc::ServerContext* context, const v1::VerifyPinRequest* request,
                         v1::VerifyPinResponse* response) override;
  grpc::Status ClearCopyFlag(grpc::ServerContext* context, const v1::ClearCopyFlagRequest* request,
                             v1::Stamp* response) override;
  grpc::Status ListRangeOperations(grpc::ServerContext* context, const v1::ListRangeOperationsRequest* request,
                                   v1::ListRangeOperationsResponse* response) override;
  grpc::Status ListRenders(grpc::ServerContext* context, const v1::ListRendersRequest* request,
                           v1::ListRendersResponse* response) override;
  grpc::Status GetStamp(grpc::ServerContext* context, const v1::GetStampRequest* request,
                        v1::Stamp* response) override;
  grpc::Status ActivateStamps(grpc::ServerContext* context, const v1::ChangeStampsRequest* request,
                              v1::Roll* response) override;
  grpc::Status VoidStamps(grpc::ServerContext* context, const v1::ChangeStampsRequest* request,
                          v1::Roll* response) override;
  grpc::Status RevokeStamps(grpc::ServerContext* context, const v1::ChangeStampsRequest* request,
                            v1::Roll* response) override;
  grpc::Status ListPublicKeys(grpc::ServerContext* context, const v1::ListPublicKeysRequest* request,
                              v1::ListPublicKeysResponse* response) override;
  grpc::Status GetJwks(grpc::ServerContext* context, const v1::GetJwksRequest* request,
                       common::v1::Jwks* response) override;
  grpc::Status RecordScans(grpc::ServerContext* context, const v1::RecordScansRequest* request,
                           v1::RecordScansResponse* response) override;
  grpc::Status GetScanStats(grpc::ServerContext* context, const v1::GetScanStatsRequest* request,
                            v1::GetScanStatsResponse* response) override;
  grpc::Status WatchChanges(grpc::ServerContext* context, const common::v1::WatchChangesRequest* request,
                            grpc::ServerWriter<common::v1::Change>* writer) override;

 private:
  grpc::Status ChangeStamps(grpc::ServerContext* context, StampState target, const v1::ChangeStampsRequest* request,
                            v1::Roll* response);

  Stamps* stamps_;
  ScanHistory* scans_;
  const keys::KeyStore* keys_;
  feed::ChangeFeed* feed_;
  // A stream to a printer holds a thread while it runs: eight at once, cut after a minute in which
  // the printer took no stamp.
  const int background_nice_;
  grpcutil::HeldCalls streams_{"stamp streams", 8, absl::Seconds(60)};
};

// Domain -> proto.
v1::Roll ToProto(const Roll& roll);
v1::Stamp ToProto(const Stamp& stamp);

}  // namespace ocop::stamp
