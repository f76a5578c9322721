#include "services/registry/product_ideas.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/auth/ownership.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/text/vietnamese.h"
#include "common/validate/validate.h"
#include "services/registry/ratings.h"
#include "services/registry/registry_internal.h"

namespace ocop::registry {
namespace {

// Ideas read per repository call while reporting.
constexpr int kReportBatch = 1000;

absl::Status ValidateProductIdea(ProductIdea& idea, const std::string& today) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("product_idea.name", idea.name, "productIdeas"));
  OCOP_RETURN_IF_ERROR(registry_internal::Normalize("product_idea.display_name", &idea.display_name));
  OCOP_RETURN_IF_ERROR(validate::Text("product_idea.display_name", idea.display_name, 300, true));
  OCOP_RETURN_IF_ERROR(registry_internal::Normalize("product_idea.sector", &idea.sector));
  OCOP_RETURN_IF_ERROR(validate::Text("product_idea.sector", idea.sector, 100, true));
  if (text::FoldForSearch(idea.sector).empty()) {
    return absl::InvalidArgumentError("product_idea.sector: must hold a letter or a digit");
  }
  OCOP_RETURN_IF_ERROR(registry_internal::ValidateCategory("product_idea.category", idea.category, idea.group));
  if (idea.group == ProductGroup::kUnspecified) {
    return absl::InvalidArgumentError("product_idea.group: required (Decision 148's product group)");
  }
  OCOP_RETURN_IF_ERROR(registry_internal::Normalize("product_idea.sub_group", &idea.sub_group));
  OCOP_RETURN_IF_ERROR(validate::Text("product_idea.sub_group", idea.sub_group, 200, false));
  OCOP_RETURN_IF_ERROR(registry_internal::ValidateAddress(idea.address, "product_idea.address"));
  if (!idea.producer.empty()) {
    OCOP_RETURN_IF_ERROR(validate::ResourceName("product_idea.producer", idea.producer, "producers"));
  }
  OCOP_RETURN_IF_ERROR(registry_internal::Normalize("product_idea.proposer_name", &idea.proposer_name));
  OCOP_RETURN_IF_ERROR(validate::Text("product_idea.proposer_name", idea.proposer_name, 300, false));
  OCOP_RETURN_IF_ERROR(validate::Date("product_idea.registered_date", idea.registered_date).status());
  if (idea.registered_date > today) {
    return absl::InvalidArgumentError(
        absl::StrCat("product_idea.registered_date: ", idea.registered_date, " is in the future"));
  }
  if (idea.stage == ProductIdeaStage::kUnspecified) {
    return absl::InvalidArgumentError("product_idea.stage: required (idea, business plan, candidate or dropped)");
  }
  if (idea.stage == ProductIdeaStage::kDossier) {
    return absl::InvalidArgumentError("product_idea.stage: the dossier stage is set when a dossier names the idea");
  }
  idea.dossier.clear();  // output only
  return absl::OkStatus();
}

absl::Status OptionalDate(const std::string& field, const std::string& value) {
  if (value.empty()) return absl::OkStatus();
  return validate::Date(field, value).status();
}

}  // namespace

absl::StatusOr<ProductIdea> ProductIdeas::SetProductIdea(const Actor& actor, ProductIdea idea) {
  OCOP_RETURN_IF_ERROR(ValidateProductIdea(idea, absl::FormatCivilTime(VietnamDay(clock_()))));
  OCOP_RETURN_IF_ERROR(registry_internal::ResolveAddress(*units_, idea.address, "product_idea.address"));
  const std::string& province = idea.address.TodaysProvinceCode();
  OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, idea.name, province));
  absl::StatusOr<ProductIdea> stored = repository_->GetProductIdea(idea.name);
  if (stored.ok()) {
    // An office may not take over (or overwrite) another province's idea by reusing its name.
    OCOP_RETURN_IF_ERROR(auth::CheckProvince(actor, idea.name, stored->address.TodaysProvinceCode()));
    // Once in a dossier, an idea stays there: its other fields may still be corrected.
    if (!stored->dossier.empty()) {
      idea.dossier = stored->dossier;
      idea.stage = ProductIdeaStage::kDossier;
    }
    // Names of today's units are read back with the idea; compare what the caller sets.
    ProductIdea comparable = idea;
    comparable.address.current_province_name = stored->address.current_province_name;
    comparable.address.current_commune_name = stored->address.current_commune_name;
    if (stored->SameContent(comparable)) return *stored;
  } else if (!absl::IsNotFound(stored.status())) {
    return stored.status();
  }
  if (!idea.producer.empty()) {
    absl::StatusOr<Producer> producer = producers_->GetProducer(idea.producer);
    if (absl::IsNotFound(producer.status())) {
      return absl::NotFoundError(absl::StrCat("product_idea.producer: ", idea.producer, " not found"));
    }
    OCOP_RETURN_IF_ERROR(producer.status());
    if (producer->address.TodaysProvinceCode() != province) {
      return absl::FailedPreconditionError(absl::StrCat("product_idea.producer: ", idea.producer, " is in province ",
                                                        producer->address.TodaysProvinceCode(),
                                                        ", the idea's commune in ", province));
    }
  }
  idea.update_time = clock_();
  return repository_->SaveProductIdea(idea);
}

absl::StatusOr<ProductIdea> ProductIdeas::GetProductIdea(const Actor&, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "productIdeas"));
  return repository_->GetProductIdea(name);
}

absl::StatusOr<Page<ProductIdea>> ProductIdeas::ListProductIdeas(const Actor&, const ProductIdeaFilter& filter,
                                                                 const PageRequest& page) {
  if (!filter.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("province_code", filter.province_code, 2));
  }
  if (!filter.commune_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("commune_code", filter.commune_code, 5));
  }
  if (static_cast<int>(filter.stage) < 0 || static_cast<int>(filter.stage) > kMaxProductIdeaStage) {
    return absl::InvalidArgumentError("stage: unknown value");
  }
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, registry_internal::kDefaultPageSize,
                                                     registry_internal::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t offset, grpcutil::DecodePageToken(page.page_token));
  return repository_->ListProductIdeas(filter, offset, size);
}

absl::StatusOr<ProductIdeasReport> ProductIdeas::ReportProductIdeas(const Actor& actor,
                                                                    const ProductIdeasReportRequest& request) {
  OCOP_RETURN_IF_ERROR(validate::DigitCode("province_code", request.province_code, 2));
  OCOP_RETURN_IF_ERROR(auth::ScopedProvince(actor, "province_code", request.province_code).status());
  OCOP_RETURN_IF_ERROR(OptionalDate("registered_from", request.registered_from));
  OCOP_RETURN_IF_ERROR(OptionalDate("registered_to", request.registered_to));
  if (!request.registered_to.empty() && request.registered_to < request.registered_from) {
    return absl::InvalidArgumentError("registered_to: is before registered_from");
  }
  ProductIdeasReport report;
  report.province_code = request.province_code;
  // Sector spellings by folded form: how often each was used, and in which order first seen.
  struct Sector {
    std::map<std::string, std::pair<int64_t, int64_t>> spellings;  // spelling -> (uses, first seen)
    int64_t ideas = 0;
  };
  std::map<std::string, Sector> sectors;
  std::map<std::string, ProductIdeasReport::CommuneCount> communes;
  std::map<ProductIdeaStage, int64_t> stages;
  ProductIdeaFilter filter;
  filter.province_code = request.province_code;
  int64_t seen = 0;
  for (int64_t offset = 0;;) {
    OCOP_ASSIGN_OR_RETURN(Page<ProductIdea> page, repository_->ListProductIdeas(filter, offset, kReportBatch));
    for (const ProductIdea& idea : page.items) {
      if (!request.registered_from.empty() && idea.registered_date < request.registered_from) continue;
      if (!request.registered_to.empty() && idea.registered_date > request.registered_to) continue;
      if (request.exclude_dropped && idea.stage == ProductIdeaStage::kDropped) continue;
      ++report.total;
      Sector& sector = sectors[text::FoldForSearch(idea.sector)];
      ++sector.ideas;
      auto [spelling, added] = sector.spellings.try_emplace(idea.sector, 0, seen++);
      ++spelling->second.first;
      const Address& address = idea.address;
      const std::string& code = address.current_commune_code.empty() ? address.commune_code : address.current_commune_code;
      ProductIdeasReport::CommuneCount& commune = communes[code];
      commune.commune_code = code;
      commune.commune_name = address.current_commune_name.empty() ? address.commune_name : address.current_commune_name;
      ++commune.ideas;
      ++stages[idea.stage];
    }
    if (page.next_position == 0) break;
    offset = page.next_position;
  }
  for (const auto& [folded, sector] : sectors) {
    // The spelling used most names the sector; on a tie, the one registered first.
    auto best = std::min_element(sector.spellings.begin(), sector.spellings.end(), [](const auto& a, const auto& b) {
      return std::make_tuple(-a.second.first, a.second.second) < std::make_tuple(-b.second.first, b.second.second);
    });
    report.by_sector.push_back({best->first, sector.ideas});
  }
  std::sort(report.by_sector.begin(), report.by_sector.end(), [](const auto& a, const auto& b) {
    return std::tie(b.ideas, a.sector) < std::tie(a.ideas, b.sector);
  });
  for (auto& [code, commune] : communes) report.by_commune.push_back(std::move(commune));
  std::sort(report.by_commune.begin(), report.by_commune.end(), [](const auto& a, const auto& b) {
    return std::tie(b.ideas, a.commune_name, a.commune_code) < std::tie(a.ideas, b.commune_name, b.commune_code);
  });
  for (const auto& [stage, ideas] : stages) report.by_stage.push_back({stage, ideas});
  return report;
}

}  // namespace ocop::registry
