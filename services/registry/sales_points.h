// The sales point register: OCOP centres, showrooms and counters, kept by the provinces' offices
// so plans can count the showrooms and sales points they promise.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "services/registry/producer_repository.h"
#include "services/registry/registry_types.h"
#include "services/registry/sales_point_repository.h"
#include "services/registry/unit_repository.h"

namespace ocop::registry {

class SalesPoints {
 public:
  // Repositories are not owned.
  SalesPoints(SalesPointRepository* repository, UnitRepository* units, ProducerRepository* producers,
              std::function<absl::Time()> clock)
      : repository_(repository), units_(units), producers_(producers), clock_(std::move(clock)) {}

  // Creates or replaces the sales point `point.name`. INVALID_ARGUMENT naming the field;
  // NOT_FOUND naming sales_point.producer when it names no producer; PERMISSION_DENIED unless the
  // caller is an admin or the office of its province (and of the stored one's, when replacing).
  // Setting what is already stored writes nothing.
  absl::StatusOr<SalesPoint> SetSalesPoint(const Actor& actor, SalesPoint point);
  // Any signed-in caller: the register is public (organisations and places, no person).
  absl::StatusOr<SalesPoint> GetSalesPoint(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<SalesPoint>> ListSalesPoints(const Actor& actor, const SalesPointFilter& filter,
                                                   const PageRequest& page);

 private:
  SalesPointRepository* repository_;
  UnitRepository* units_;
  ProducerRepository* producers_;
  std::function<absl::Time()> clock_;
};

}  // namespace ocop::registry
