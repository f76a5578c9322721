#include "common/audit/audit_service.h"

#include "absl/strings/str_split.h"
#include "common/auth/grpc_auth.h"
#include "common/grpc/paging.h"
#include "common/grpc/proto_time.h"
#include "common/status/grpc_status.h"
#include "common/store/audit.h"

namespace ocop::audit {

grpc::Status AuditServiceImpl::ListAuditRecords(grpc::ServerContext* context,
                                                const common::v1::ListAuditRecordsRequest* request,
                                                common::v1::ListAuditRecordsResponse* response) {
  if (absl::StatusOr<Actor> caller = auth::CallerOf(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<int> size = grpcutil::PageSize(request->page_size(), 100, 1000);
  if (!size.ok()) return ToGrpcStatus(size.status());
  absl::StatusOr<int64_t> after = grpcutil::DecodePageToken(request->page_token());
  if (!after.ok()) return ToGrpcStatus(after.status());
  store::AuditFilter filter;
  filter.subject = request->subject();
  filter.method = request->method();
  filter.resource = request->resource();
  filter.denied_only = request->denied_only();
  if (request->has_since()) filter.since = grpcutil::FromProtoTime(request->since());
  absl::StatusOr<std::vector<store::AuditRecord>> records =
      store::ReadAuditRecords(*database_, filter, *after, *size + 1);
  if (!records.ok()) return ToGrpcStatus(records.status());
  for (int i = 0; i < static_cast<int>(records->size()) && i < *size; ++i) {
    const store::AuditRecord& record = (*records)[i];
    common::v1::AuditRecord* out = response->add_records();
    out->set_position(record.position);
    grpcutil::ToProtoTime(record.time, out->mutable_time());
    out->set_subject(record.who.subject);
    out->set_role(record.who.role);
    out->set_credential(record.who.credential);
    out->set_method(record.who.method);
    for (absl::string_view resource : absl::StrSplit(record.resources, ',', absl::SkipEmpty())) {
      out->add_resources(std::string(resource));
    }
    out->set_peer(record.who.peer);
    out->set_request_id(record.who.request_id);
    out->set_outcome(record.outcome);
  }
  if (static_cast<int>(records->size()) > *size) {
    response->set_next_page_token(grpcutil::EncodePageToken((*records)[*size - 1].position));
  }
  return grpc::Status::OK;
}

}  // namespace ocop::audit
