// What the batch domain needs to know about products, which the registry owns.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ocop/registry/v1/registry.grpc.pb.h"

namespace ocop::batch {

struct ProductInfo {
  std::string producer;  // producers/{id}
  std::string gtin;      // 14 digits, or empty when the product has none
};

class ProductDirectory {
 public:
  virtual ~ProductDirectory() = default;
  // What the batch service needs of `product`. NOT_FOUND when the product does not exist;
  // UNAVAILABLE when the registry cannot be reached within the deadline.
  virtual absl::StatusOr<ProductInfo> Product(const std::string& product) = 0;
  // The province code of `producer` (so an office's writes can be checked against its province);
  // NOT_FOUND when the producer does not exist, UNAVAILABLE as above.
  virtual absl::StatusOr<std::string> ProvinceOf(const std::string& producer) = 0;
};

// Asks the registry service over gRPC.
class RegistryProductDirectory final : public ProductDirectory {
 public:
  RegistryProductDirectory(std::unique_ptr<registry::v1::RegistryService::StubInterface> stub,
                           absl::Duration deadline)
      : stub_(std::move(stub)), deadline_(deadline) {}
  absl::StatusOr<ProductInfo> Product(const std::string& product) override;
  absl::StatusOr<std::string> ProvinceOf(const std::string& producer) override;

 private:
  std::unique_ptr<registry::v1::RegistryService::StubInterface> stub_;
  absl::Duration deadline_;
};

}  // namespace ocop::batch
