#include "services/batch/product_directory.h"

#include "common/grpc/client.h"
#include "common/status/grpc_status.h"

namespace ocop::batch {

absl::StatusOr<ProductInfo> RegistryProductDirectory::Product(const std::string& product) {
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, deadline_);
  registry::v1::GetProductRequest request;
  request.set_name(product);
  registry::v1::Product response;
  grpc::Status status = stub_->GetProduct(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return ProductInfo{response.producer(), response.gtin()};
}

absl::StatusOr<std::string> RegistryProductDirectory::ProvinceOf(const std::string& producer) {
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

}  // namespace ocop::batch
