// The services lookup reads from. Calls block (with deadlines) and run on worker threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/token_source.h"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "ocop/lookup/v1/lookup.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "ocop/stamp/v1/stamp.grpc.pb.h"

namespace ocop::lookup {

class Backends {
 public:
  static constexpr size_t kMaxCatalogueRecords = 50'000;

  virtual ~Backends() = default;
  // Each returns NOT_FOUND when the entity does not exist and UNAVAILABLE (or DEADLINE_EXCEEDED)
  // when its service cannot answer in time.
  virtual absl::StatusOr<stamp::v1::Stamp> GetStamp(uint64_t serial) = 0;
  // The roll with its life-cycle operations.
  virtual absl::StatusOr<stamp::v1::Roll> GetRoll(const std::string& roll) = 0;
  virtual absl::StatusOr<v1::BatchView> GetBatchView(const std::string& batch) = 0;
  virtual absl::StatusOr<registry::v1::Product> GetProduct(const std::string& product) = 0;
  virtual absl::StatusOr<registry::v1::Producer> GetProducer(const std::string& producer) = 0;
  // Forwards a scratch-PIN check for `serial` to the stamp service, which decides.
  // `token`: the stamp's signed token; `client`: a pseudonym of who asks (wrong PINs are limited).
  virtual absl::StatusOr<stamp::v1::VerifyPinResponse> VerifyPin(const std::string& token, const std::string& pin,
                                                                 const std::string& client) = 0;
  // GS1 Digital Link walk-up: the product with `gtin` (14 digits), the lot of `product` with
  // `lot_code` (its name); NOT_FOUND when there is none.
  virtual absl::StatusOr<registry::v1::Product> FindProductByGtin(const std::string& gtin) = 0;
  virtual absl::StatusOr<std::string> FindBatch(const std::string& product, const std::string& lot_code) = 0;
  // Every product whose producer is in province `province_code` (today's code), and every
  // producer there, all pages: what the public catalogue is made of. FAILED_PRECONDITION when a
  // province holds more than kMaxCatalogueRecords of either (no province comes near it).
  virtual absl::StatusOr<std::vector<registry::v1::Product>> ListProductsIn(const std::string& province_code) = 0;
  virtual absl::StatusOr<std::vector<registry::v1::Producer>> ListProducersIn(const std::string& province_code) = 0;
  // The batch service's EPCIS 2.0 JSON-LD export of `batch`.
  virtual absl::StatusOr<std::string> ExportEpcis(const std::string& batch) = 0;
  // Sends scans to the stamp service's durable history (idempotent by scan id).
  virtual absl::Status RecordScans(const std::vector<stamp::v1::ScanRecord>& scans) = 0;
  // key id -> raw public key.
  virtual absl::StatusOr<std::map<uint32_t, std::string>> ListPublicKeys() = 0;
};

struct BackendAddresses {
  std::string registry;
  std::string batch;
  std::string stamp;
};

// Backends over gRPC, every call with `deadline` and lookup's service token from `tokens`.
std::unique_ptr<Backends> MakeGrpcBackends(const BackendAddresses& addresses, absl::Duration deadline,
                                           std::shared_ptr<auth::TokenSource> tokens);

}  // namespace ocop::lookup
