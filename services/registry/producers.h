// Producers: validates them against the unit tables and keeps each one's record to its own
// users, its province's office and integrators scoped to it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "services/registry/producer_repository.h"
#include "services/registry/registry_types.h"
#include "services/registry/unit_repository.h"

namespace ocop::registry {

class Producers {
 public:
  // Repositories are not owned. `issuer` prefixes new ids (may be empty).
  Producers(ProducerRepository* repository, UnitRepository* units, std::function<absl::Time()> clock,
            std::string issuer)
      : repository_(repository), units_(units), clock_(std::move(clock)), issuer_(std::move(issuer)) {}

  // INVALID_ARGUMENT naming the field for a bad producer; ALREADY_EXISTS for a request_id reused
  // with another body. `request_fingerprint` identifies the request body.
  absl::StatusOr<Producer> CreateProducer(const Actor& actor, Producer producer, const std::string& request_id,
                                          const std::string& request_fingerprint);
  // Replaces the fields named in `field_paths` (all when empty) of producer `update.name`. ABORTED
  // when `etag` is set and no longer current. Writes nothing (and emits no change) when the result
  // equals the stored producer, so a retried or repeated update is harmless.
  absl::StatusOr<Producer> UpdateProducer(const Actor& actor, const Producer& update,
                                          const std::vector<std::string>& field_paths, const std::string& etag);
  absl::StatusOr<Producer> GetProducer(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<Producer>> ListProducers(const Actor& actor, ProducerFilter filter, const PageRequest& page);

  // A producer's province, for feed scopes (auth::FeedScope).
  absl::StatusOr<std::string> ProvinceOf(const std::string& producer);

 private:
  ProducerRepository* repository_;
  UnitRepository* units_;
  std::function<absl::Time()> clock_;
  std::string issuer_;
};

// The producer's etag: opaque to callers, changes on every update.
std::string ProducerEtag(const Producer& producer);

}  // namespace ocop::registry
