// AuditService over gRPC: the audit trail of one service's database (common/store/audit.h),
// read-only, for admins (the role table enforces it).
#pragma once

#include "common/store/database.h"
#include "ocop/common/v1/common.grpc.pb.h"

namespace ocop::audit {

class AuditServiceImpl final : public common::v1::AuditService::Service {
 public:
  // `database` is not owned.
  explicit AuditServiceImpl(store::Database* database) : database_(database) {}

  grpc::Status ListAuditRecords(grpc::ServerContext* context, const common::v1::ListAuditRecordsRequest* request,
                                common::v1::ListAuditRecordsResponse* response) override;

 private:
  store::Database* database_;
};

}  // namespace ocop::audit
