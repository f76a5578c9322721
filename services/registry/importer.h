// Bulk import of an office's register (producers, products, ratings): every row checked first,
// then all written in one transaction or none.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "services/registry/import_repository.h"
#include "services/registry/import_types.h"
#include "services/registry/ratings.h"
#include "services/registry/unit_repository.h"

namespace ocop::registry {

class Importer {
 public:
  // Repositories and rules are not owned. `issuer` prefixes new ids (may be empty).
  Importer(ImportRepository* repository, UnitRepository* units, const CouncilRules* rules,
           std::function<absl::Time()> clock, std::string issuer)
      : repository_(repository), units_(units), rules_(rules), clock_(std::move(clock)), issuer_(std::move(issuer)) {}

  // Checks every row first; when all are good (and not `validate_only`) writes them in one
  // transaction. Bad rows are listed in the result, which is then not applied; an error status is
  // for failures of the registry itself.
  absl::StatusOr<ImportResult> Import(const Actor& actor, std::vector<ImportProducerRow> producers,
                                      std::vector<ImportProductRow> products, const ImportOptions& options);

 private:
  ImportRepository* repository_;
  UnitRepository* units_;
  const CouncilRules* rules_;
  std::function<absl::Time()> clock_;
  std::string issuer_;
};

}  // namespace ocop::registry
