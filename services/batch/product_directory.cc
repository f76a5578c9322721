#include "services/batch/product_directory.h"

#include "common/grpc/client.h"
#include "common/status/grpc_status.h"

namespace ocop::batch {

absl::StatusOr<std::string> RegistryProductDirectory::ProducerOf(const std::string& product) {
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, deadline_, "service:batch");
  registry::v1::GetProductRequest request;
  request.set_name(product);
  registry::v1::Product response;
  grpc::Status status = stub_->GetProduct(&context, request, &response);
  if (!status.ok()) return FromGrpcStatus(status);
  return response.producer();
}

}  // namespace ocop::batch
