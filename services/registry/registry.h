// Registry domain logic: validates producers and products and assigns their names.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "common/store/idempotency.h"
#include "services/registry/registry_repository.h"
#include "services/registry/registry_types.h"

namespace ocop::registry {

struct PageRequest {
  int page_size = 0;
  std::string page_token;
};

class Registry {
 public:
  // `repository` is not owned. `issuer` prefixes new ids (may be empty).
  Registry(RegistryRepository* repository, std::function<absl::Time()> clock, std::string issuer)
      : repository_(repository), clock_(std::move(clock)), issuer_(std::move(issuer)) {}

  // INVALID_ARGUMENT naming the field for a bad producer; ALREADY_EXISTS for a request_id reused
  // with another body. `request_fingerprint` identifies the request body.
  absl::StatusOr<Producer> CreateProducer(const Actor& actor, Producer producer,
                                          const std::string& request_id,
                                          const std::string& request_fingerprint);
  // Replaces the fields named in `field_paths` (all when empty) of producer `update.name`. ABORTED
  // when `etag` is set and no longer current. Writes nothing (and emits no change) when the result
  // equals the stored producer, so a retried or repeated update is harmless.
  absl::StatusOr<Producer> UpdateProducer(const Actor& actor, const Producer& update,
                                          const std::vector<std::string>& field_paths, const std::string& etag);
  absl::StatusOr<Producer> GetProducer(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<Producer>> ListProducers(const Actor& actor, const ProducerFilter& filter,
                                               const PageRequest& page);

  // As CreateProducer; NOT_FOUND when product.producer does not exist.
  absl::StatusOr<Product> CreateProduct(const Actor& actor, Product product,
                                        const std::string& request_id,
                                        const std::string& request_fingerprint);
  absl::StatusOr<Product> GetProduct(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<Product>> ListProducts(const Actor& actor, const ProductFilter& filter,
                                             const PageRequest& page);

 private:
  // Checks the address's codes against its unit table, fills the official names and today's units.
  absl::Status ResolveAddress(Address& address);

  RegistryRepository* repository_;
  std::function<absl::Time()> clock_;
  std::string issuer_;
};

// Stars for a council score by the official bands: under 30: 1; 30-49: 2; 50-69: 3; 70-89: 4;
// 90-100: 5.
int StarsForScore(int score);

// The producer's etag: opaque to callers, changes on every update.
std::string ProducerEtag(const Producer& producer);

}  // namespace ocop::registry
