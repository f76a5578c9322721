#include "services/stamp/batch_directory.h"

#include "common/grpc/client.h"
#include "common/ocop_mark/ocop_mark.h"
#include "common/status/grpc_status.h"

namespace ocop::stamp {

absl::StatusOr<BatchOwner> GrpcBatchDirectory::OwnerOf(const std::string& batch) {
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, deadline_);
  batch::v1::GetBatchRequest request;
  request.set_name(batch);
  batch::v1::Batch response;
  grpc::Status status = stub_->GetBatch(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return BatchOwner{response.producer(),
                    response.product(),
                    response.package_count(),
                    response.lot_code(),
                    response.status() == batch::v1::BATCH_STATUS_CLOSED,
                    response.status() == batch::v1::BATCH_STATUS_RECALLED,
                    response.recall_reason()};
}

absl::StatusOr<ProductLabel> GrpcProductDirectory::LabelOf(const std::string& product, absl::CivilDay day) {
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, deadline_);
  registry::v1::GetProductRequest request;
  request.set_name(product);
  registry::v1::Product response;
  grpc::Status status = stub_->GetProduct(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return ProductLabel{response.display_name(), ocop_mark::MarkOn(response, day).stars, response.gtin()};
}

absl::StatusOr<std::string> GrpcProductDirectory::ProvinceOf(const std::string& producer) {
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, deadline_);
  registry::v1::GetProducerRequest request;
  request.set_name(producer);
  registry::v1::Producer response;
  grpc::Status status = stub_->GetProducer(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  // The province that holds the producer today: one recorded with the codes before the July 2025
  // merger belongs to its successor's office.
  const common::v1::Address& address = response.address();
  return address.current_province_code().empty() ? address.province_code() : address.current_province_code();
}

}  // namespace ocop::stamp
