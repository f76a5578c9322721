// What the stamp domain needs to know about batches, which the batch service owns.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"

namespace ocop::stamp {

// What the stamp service needs to know about a batch.
struct BatchOwner {
  std::string producer;
  std::string product;
  int64_t package_count = 0;  // 0: not declared
  std::string lot_code;
  // Closed (split or blended into other lots) and recalled lots take no new or newly activated
  // stamps.
  bool closed = false;
  bool recalled = false;
  std::string recall_reason;
};

class BatchDirectory {
 public:
  virtual ~BatchDirectory() = default;
  // NOT_FOUND when the batch does not exist; UNAVAILABLE when the batch service cannot be asked.
  virtual absl::StatusOr<BatchOwner> OwnerOf(const std::string& batch) = 0;
};

// Asks the batch service over gRPC.
class GrpcBatchDirectory final : public BatchDirectory {
 public:
  GrpcBatchDirectory(std::unique_ptr<batch::v1::BatchService::StubInterface> stub, absl::Duration deadline)
      : stub_(std::move(stub)), deadline_(deadline) {}
  absl::StatusOr<BatchOwner> OwnerOf(const std::string& batch) override;

 private:
  std::unique_ptr<batch::v1::BatchService::StubInterface> stub_;
  absl::Duration deadline_;
};

// What a printed label says about the product, which the registry owns.
struct ProductLabel {
  std::string display_name;
  // OCOP stars the label may print on the day asked: 3-5 only when the product is OCOP-certified
  // that day (common/ocop_mark); 0 (no OCOP mark) otherwise.
  int stars = 0;
  std::string gtin;   // 14 digits, or empty
};

class ProductDirectory {
 public:
  virtual ~ProductDirectory() = default;
  // NOT_FOUND when the product does not exist; UNAVAILABLE when the registry cannot be asked.
  virtual absl::StatusOr<ProductLabel> LabelOf(const std::string& product, absl::CivilDay day) = 0;
  // The province code of `producer`, for an office's ownership checks. NOT_FOUND / UNAVAILABLE.
  virtual absl::StatusOr<std::string> ProvinceOf(const std::string& producer) = 0;
};

// Asks the registry over gRPC (only label formats need it).
class GrpcProductDirectory final : public ProductDirectory {
 public:
  GrpcProductDirectory(std::unique_ptr<registry::v1::RegistryService::StubInterface> stub, absl::Duration deadline)
      : stub_(std::move(stub)), deadline_(deadline) {}
  absl::StatusOr<ProductLabel> LabelOf(const std::string& product, absl::CivilDay day) override;
  absl::StatusOr<std::string> ProvinceOf(const std::string& producer) override;

 private:
  std::unique_ptr<registry::v1::RegistryService::StubInterface> stub_;
  absl::Duration deadline_;
};

}  // namespace ocop::stamp
