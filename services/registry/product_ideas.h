// Product ideas and candidates: what communes register before evaluation rounds (the OCOP cycle's
// first steps), kept by the provinces' offices and counted the way their reports count them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/actor/actor.h"
#include "services/registry/producer_repository.h"
#include "services/registry/product_idea_repository.h"
#include "services/registry/registry_types.h"
#include "services/registry/unit_repository.h"

namespace ocop::registry {

struct ProductIdeasReportRequest {
  std::string province_code;    // today's code, required
  std::string registered_from;  // "YYYY-MM-DD" or empty
  std::string registered_to;
  bool exclude_dropped = false;
};

struct ProductIdeasReport {
  struct SectorCount {
    std::string sector;
    int64_t ideas = 0;
  };
  struct CommuneCount {
    std::string commune_code;
    std::string commune_name;
    int64_t ideas = 0;
  };
  struct StageCount {
    ProductIdeaStage stage = ProductIdeaStage::kUnspecified;
    int64_t ideas = 0;
  };
  std::string province_code;
  int64_t total = 0;
  std::vector<SectorCount> by_sector;    // most ideas first, then by sector
  std::vector<CommuneCount> by_commune;  // most ideas first, then by commune name
  std::vector<StageCount> by_stage;      // stage order
};

class ProductIdeas {
 public:
  // Repositories are not owned.
  ProductIdeas(ProductIdeaRepository* repository, UnitRepository* units, ProducerRepository* producers,
               std::function<absl::Time()> clock)
      : repository_(repository), units_(units), producers_(producers), clock_(std::move(clock)) {}

  // Creates or replaces the idea `idea.name`. INVALID_ARGUMENT naming the field; NOT_FOUND naming
  // product_idea.producer when it names no producer, FAILED_PRECONDITION when that producer is in
  // another province; PERMISSION_DENIED unless the caller is an admin or the office of its
  // province (and of the stored one's, when replacing). Setting what is stored writes nothing.
  absl::StatusOr<ProductIdea> SetProductIdea(const Actor& actor, ProductIdea idea);
  // Any signed-in caller.
  absl::StatusOr<ProductIdea> GetProductIdea(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<ProductIdea>> ListProductIdeas(const Actor& actor, const ProductIdeaFilter& filter,
                                                     const PageRequest& page);
  // Counts by sector (spellings that fold alike are one sector), today's commune and stage. An
  // office only its own province.
  absl::StatusOr<ProductIdeasReport> ReportProductIdeas(const Actor& actor, const ProductIdeasReportRequest& request);

 private:
  ProductIdeaRepository* repository_;
  UnitRepository* units_;
  ProducerRepository* producers_;
  std::function<absl::Time()> clock_;
};

}  // namespace ocop::registry
