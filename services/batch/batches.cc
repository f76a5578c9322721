// Growing areas, seasons, lots, genealogy (split and merge) and recalls.
#include "services/batch/batches.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/auth/ownership.h"
#include "common/crypto/digest.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"
#include "services/batch/batch_rules.h"

namespace ocop::batch {
namespace {

constexpr size_t kMaxBoundaryPoints = 500;
constexpr size_t kMaxChildren = 100;
constexpr size_t kMaxMergedLots = 50;
constexpr size_t kMaxSourceSeasons = 20;

// Whether the certificate was in force on `day` ("YYYY-MM-DD"; the dates compare as text).
bool CoversDay(const Certification& certification, const std::string& day) {
  return (certification.valid_from.empty() || certification.valid_from <= day) && day <= certification.valid_until;
}

// A lot's certifications must have been in force on its harvest day: a VietGAP certificate that
// lapsed before the harvest says nothing about how this lot was grown.
absl::Status ValidateCertifications(const std::vector<Certification>& certifications, const std::string& harvest_date) {
  if (certifications.size() > 10) return absl::InvalidArgumentError("batch.certifications: at most 10");
  for (size_t i = 0; i < certifications.size(); ++i) {
    const Certification& c = certifications[i];
    std::string field = absl::StrCat("batch.certifications[", i, "]");
    if (c.scheme == CertificationScheme::kUnspecified) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".scheme: must be VietGAP, GlobalGAP or organic"));
    }
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".certificate_number"), c.certificate_number, 64, true));
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".certifying_body"), c.certifying_body, 200, false));
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".standard"), c.standard, 100, false));
    OCOP_ASSIGN_OR_RETURN(absl::CivilDay until, validate::Date(absl::StrCat(field, ".valid_until"), c.valid_until));
    if (!c.valid_from.empty()) {
      OCOP_ASSIGN_OR_RETURN(absl::CivilDay from, validate::Date(absl::StrCat(field, ".valid_from"), c.valid_from));
      if (from > until) return absl::InvalidArgumentError(absl::StrCat(field, ".valid_from: after valid_until"));
      if (c.valid_from > harvest_date) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".valid_from: certificate ", c.certificate_number,
                                                       " is valid from ", c.valid_from, ", after the harvest on ",
                                                       harvest_date, "; it does not cover this lot"));
      }
    }
    if (c.valid_until < harvest_date) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".valid_until: certificate ", c.certificate_number,
                                                     " expired on ", c.valid_until, ", before the harvest on ",
                                                     harvest_date, "; it does not cover this lot"));
    }
  }
  return absl::OkStatus();
}

// The fields a caller sets on a new lot (not those the server derives).
absl::Status ValidateLotFields(const Batch& batch, absl::Time now) {
  OCOP_RETURN_IF_ERROR(rules::Code("batch.lot_code", batch.lot_code));
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay harvest, validate::Date("batch.harvest_date", batch.harvest_date));
  if (batch.harvest_date > rules::VietnamToday(now + absl::Hours(24))) {
    return absl::InvalidArgumentError("batch.harvest_date: must not be in the future");
  }
  if (!std::isfinite(batch.quantity) || batch.quantity <= 0) {
    return absl::InvalidArgumentError("batch.quantity: must be a positive number");
  }
  OCOP_RETURN_IF_ERROR(validate::Text("batch.unit", batch.unit, 20, true));
  if (batch.package_count < 0) return absl::InvalidArgumentError("batch.package_count: must not be negative");
  if (!batch.expiry_date.empty()) {
    OCOP_ASSIGN_OR_RETURN(absl::CivilDay expiry, validate::Date("batch.expiry_date", batch.expiry_date));
    if (expiry < harvest) return absl::InvalidArgumentError("batch.expiry_date: before harvest_date");
  }
  return ValidateCertifications(batch.certifications, batch.harvest_date);
}

absl::Status ValidateArea(const GrowingArea& area) {
  OCOP_RETURN_IF_ERROR(rules::Code("growing_area.code", area.code));
  OCOP_RETURN_IF_ERROR(validate::ResourceName("growing_area.producer", area.producer, "producers"));
  OCOP_RETURN_IF_ERROR(validate::DigitCode("growing_area.commune_code", area.commune_code, 5));
  if (area.point.has_value()) OCOP_RETURN_IF_ERROR(rules::Geo("growing_area.point", *area.point));
  if (!area.boundary.empty() && area.boundary.size() < 3) {
    return absl::InvalidArgumentError("growing_area.boundary: a polygon needs at least 3 points");
  }
  if (area.boundary.size() > kMaxBoundaryPoints) {
    return absl::InvalidArgumentError(absl::StrCat("growing_area.boundary: at most ", kMaxBoundaryPoints, " points"));
  }
  for (size_t i = 0; i < area.boundary.size(); ++i) {
    OCOP_RETURN_IF_ERROR(rules::Geo(absl::StrCat("growing_area.boundary[", i, "]"), area.boundary[i]));
  }
  if (!std::isfinite(area.area_hectares) || area.area_hectares <= 0) {
    return absl::InvalidArgumentError("growing_area.area_hectares: must be a positive number");
  }
  return validate::Text("growing_area.crop", area.crop, 100, true);
}

// Quantities are decimals entered by people; sums compare with a relative tolerance.
bool SameQuantity(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)}); }

std::string Quantity(double quantity, const std::string& unit) { return absl::StrFormat("%g %s", quantity, unit); }

std::string JoinedAreaCodes(const std::vector<Batch>& lots) {
  std::set<std::string> codes;
  for (const Batch& lot : lots) {
    if (!lot.growing_area_code.empty()) codes.insert(lot.growing_area_code);
  }
  return absl::StrJoin(codes, ", ");
}

}  // namespace

std::string NewEventId() {
  absl::StatusOr<std::string> random = crypto::RandomBytes(16);
  std::string bytes = random.ok() ? *random : crypto::Sha256(absl::StrCat(absl::ToUnixNanos(absl::Now()))).substr(0, 16);
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string hex = crypto::HexEncode(bytes);
  return absl::StrCat("urn:uuid:", hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

absl::StatusOr<ProductInfo> Batches::ProductOf(const std::string& field, const std::string& product) {
  absl::StatusOr<ProductInfo> info = products_->Product(product);
  if (absl::IsNotFound(info.status())) return absl::NotFoundError(absl::StrCat(field, ": ", product, " not found"));
  if (!info.ok()) return absl::UnavailableError(absl::StrCat("registry unavailable: ", info.status().message()));
  return info;
}

BatchEvent Batches::ServerEvent(const Actor& actor, const std::string& chain, absl::string_view step,
                                absl::Time time) const {
  BatchEvent event;
  event.batch = chain;
  event.event_id = NewEventId();
  event.type = EventType::kTransformation;
  event.biz_step = std::string(step);
  event.event_time = time;
  event.event_time_zone_offset = "+07:00";
  event.record_time = clock_();
  event.recorded_by = actor.subject;
  return event;
}

absl::Status Batches::CheckOwner(const Actor& actor, const std::string& resource, const std::string& producer) {
  return auth::CheckOwner(actor, resource, producer, [this](const std::string& owner) -> absl::StatusOr<std::string> {
    absl::StatusOr<std::string> province = products_->ProvinceOf(owner);
    if (!province.ok() && !absl::IsNotFound(province.status())) {
      return absl::UnavailableError(absl::StrCat("registry unavailable: ", province.status().message()));
    }
    return province;
  });
}

absl::StatusOr<std::string> Batches::ProducerOfChain(const std::string& field, const std::string& chain) {
  if (absl::StartsWith(chain, "growingAreas/")) {
    absl::StatusOr<GrowingArea> area = repository_->GetGrowingArea(chain.substr(0, chain.find("/seasons/")));
    if (absl::IsNotFound(area.status())) return absl::NotFoundError(absl::StrCat(field, ": ", chain, " not found"));
    OCOP_RETURN_IF_ERROR(area.status());
    return area->producer;
  }
  absl::StatusOr<Batch> lot = repository_->GetBatch(chain);
  if (absl::IsNotFound(lot.status())) return absl::NotFoundError(absl::StrCat(field, ": ", chain, " not found"));
  OCOP_RETURN_IF_ERROR(lot.status());
  return lot->producer;
}

absl::StatusOr<std::string> Batches::ProducerOfChange(const std::string& entity, const std::string& name) {
  if (entity == "batch" || entity == "season") return ProducerOfChain("name", name);
  if (entity == "growing_area") {
    OCOP_ASSIGN_OR_RETURN(GrowingArea area, repository_->GetGrowingArea(name));
    return area.producer;
  }
  return absl::NotFoundError(absl::StrCat(entity, " changes belong to no producer"));
}

absl::StatusOr<GrowingArea> Batches::CreateGrowingArea(const Actor& actor, GrowingArea area, const WriteKey& key) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", key.request_id, 100, false));
  OCOP_RETURN_IF_ERROR(ValidateArea(area));
  absl::StatusOr<std::string> province = products_->ProvinceOf(area.producer);
  if (absl::IsNotFound(province.status())) {
    return absl::NotFoundError(absl::StrCat("growing_area.producer: ", area.producer, " not found"));
  }
  if (!province.ok()) {
    return absl::UnavailableError(absl::StrCat("registry unavailable: ", province.status().message()));
  }
  OCOP_RETURN_IF_ERROR(auth::CheckOwner(actor, "growing_area.producer", area.producer,
                                        [&](const std::string&) { return province; }));
  area.name = absl::StrCat("growingAreas/", validate::NewId(issuer_));
  area.create_time = clock_();
  return repository_->CreateGrowingArea(
      area, store::IdempotencyKey{actor.subject, "CreateGrowingArea", key.request_id, key.fingerprint});
}

absl::StatusOr<GrowingArea> Batches::GetGrowingArea(const Actor&, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "growingAreas"));
  return repository_->GetGrowingArea(name);
}

absl::StatusOr<Page<GrowingArea>> Batches::ListGrowingAreas(const Actor&, const GrowingAreaFilter& filter,
                                                            const PageRequest& page) {
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, rules::kDefaultPageSize, rules::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  if (!filter.producer.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("producer", filter.producer, "producers"));
  return repository_->ListGrowingAreas(filter, after, size);
}

absl::StatusOr<Season> Batches::CreateSeason(const Actor& actor, const std::string& parent, Season season,
                                             const WriteKey& key) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("parent", parent, "growingAreas"));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", key.request_id, 100, false));
  OCOP_RETURN_IF_ERROR(validate::Text("season.label", season.label, 100, true));
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay start, validate::Date("season.start_date", season.start_date));
  if (!season.end_date.empty()) {
    OCOP_ASSIGN_OR_RETURN(absl::CivilDay end, validate::Date("season.end_date", season.end_date));
    if (end < start) return absl::InvalidArgumentError("season.end_date: before start_date");
  }
  absl::StatusOr<GrowingArea> area = repository_->GetGrowingArea(parent);
  if (absl::IsNotFound(area.status())) return absl::NotFoundError(absl::StrCat("parent: ", parent, " not found"));
  OCOP_RETURN_IF_ERROR(area.status());
  OCOP_RETURN_IF_ERROR(CheckOwner(actor, parent, area->producer));
  season.name = absl::StrCat(parent, "/seasons/", validate::NewId(issuer_));
  season.create_time = clock_();
  return repository_->CreateSeason(season,
                                   store::IdempotencyKey{actor.subject, "CreateSeason", key.request_id, key.fingerprint});
}

absl::StatusOr<Season> Batches::GetSeason(const Actor&, const std::string& name) {
  OCOP_RETURN_IF_ERROR(rules::SeasonName("name", name));
  return repository_->GetSeason(name);
}

absl::StatusOr<Page<Season>> Batches::ListSeasons(const Actor&, const std::string& parent, const PageRequest& page) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("parent", parent, "growingAreas"));
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, rules::kDefaultPageSize, rules::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  OCOP_RETURN_IF_ERROR(repository_->GetGrowingArea(parent).status());
  return repository_->ListSeasons(parent, after, size);
}

absl::Status Batches::CheckWaitingPeriods(const std::string& season, const std::string& harvest_date) {
  OCOP_ASSIGN_OR_RETURN(std::vector<BatchEvent> events, repository_->ChainEvents(season));
  for (const BatchEvent& event : events) {
    const rules::WaitingPeriodStep* waiting = rules::WaitingPeriodOf(event.biz_step);
    if (waiting == nullptr) continue;
    int days = 0;
    std::string applied;
    for (const auto& [key, value] : event.details) {
      if (key == waiting->days_key) (void)absl::SimpleAtoi(value, &days);
      if (key == waiting->product_key) applied = value;
    }
    absl::CivilDay day = absl::ToCivilDay(event.event_time, absl::FixedTimeZone(rules::kVietnamOffsetSeconds));
    std::string earliest = absl::FormatCivilTime(day + days);
    if (harvest_date < earliest) {
      return absl::FailedPreconditionError(absl::StrCat(
          "batch.harvest_date: ", harvest_date, " is inside the ", waiting->period, " of ", applied, " ",
          waiting->applied, " on ", absl::FormatCivilTime(day), " (", days, " days, ", event.name,
          "): harvest on or after ", earliest));
    }
  }
  return absl::OkStatus();
}

// The harvest: a transformation from the source seasons into the new lot, its first event.
absl::StatusOr<BatchEvent> Batches::HarvestEvent(const Actor& actor, Batch& batch) {
  std::set<std::string> seen;
  std::vector<std::string> area_codes;
  Location location;
  for (size_t i = 0; i < batch.source_seasons.size(); ++i) {
    const std::string& name = batch.source_seasons[i];
    std::string field = absl::StrCat("batch.source_seasons[", i, "]");
    OCOP_RETURN_IF_ERROR(rules::SeasonName(field, name));
    if (!seen.insert(name).second) return absl::InvalidArgumentError(absl::StrCat(field, ": listed twice"));
    absl::StatusOr<Season> season = repository_->GetSeason(name);
    if (absl::IsNotFound(season.status())) return absl::NotFoundError(absl::StrCat(field, ": ", name, " not found"));
    OCOP_RETURN_IF_ERROR(season.status());
    OCOP_ASSIGN_OR_RETURN(GrowingArea area, repository_->GetGrowingArea(name.substr(0, name.find("/seasons/"))));
    if (area.producer != batch.producer) {
      return absl::FailedPreconditionError(absl::StrCat(field, ": ", name, " is farmed by ", area.producer,
                                                        ", not by the product's producer ", batch.producer));
    }
    if (batch.harvest_date < season->start_date) {
      return absl::FailedPreconditionError(absl::StrCat("batch.harvest_date: before the start of ", name, " (",
                                                        season->start_date, ")"));
    }
    OCOP_RETURN_IF_ERROR(CheckWaitingPeriods(name, batch.harvest_date));
    if (std::find(area_codes.begin(), area_codes.end(), area.code) == area_codes.end()) area_codes.push_back(area.code);
    if (i == 0) {
      location.display_name = absl::StrCat("Vùng trồng ", area.code);
      location.commune_code = area.commune_code;
      location.geo = area.point;
    }
  }
  batch.growing_area_code = absl::StrJoin(area_codes, ", ");
  absl::CivilDay day;
  (void)absl::ParseCivilTime(batch.harvest_date, &day);
  absl::Time harvest_time =
      std::min(absl::FromCivil(absl::CivilSecond(day), absl::FixedTimeZone(rules::kVietnamOffsetSeconds)), clock_());
  BatchEvent event = ServerEvent(actor, batch.name, "ocop:harvesting", harvest_time);
  event.location = location;
  for (const std::string& season : batch.source_seasons) event.inputs.push_back(QuantityElement{season, 0, ""});
  event.outputs.push_back(QuantityElement{batch.name, batch.quantity, batch.unit});
  return event;
}

absl::StatusOr<Batch> Batches::CreateBatch(const Actor& actor, Batch batch, const WriteKey& key) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", key.request_id, 100, false));
  OCOP_RETURN_IF_ERROR(validate::ResourceName("batch.product", batch.product, "products"));
  OCOP_RETURN_IF_ERROR(ValidateLotFields(batch, clock_()));
  OCOP_RETURN_IF_ERROR(validate::Text("batch.growing_area_code", batch.growing_area_code, 64, false));
  if (batch.source_seasons.size() > kMaxSourceSeasons) {
    return absl::InvalidArgumentError(absl::StrCat("batch.source_seasons: at most ", kMaxSourceSeasons));
  }
  OCOP_ASSIGN_OR_RETURN(ProductInfo product, ProductOf("batch.product", batch.product));
  OCOP_RETURN_IF_ERROR(CheckOwner(actor, batch.product, product.producer));
  batch.producer = product.producer;
  batch.name = absl::StrCat("batches/", validate::NewId(issuer_));
  batch.event_count = 0;
  batch.create_time = clock_();
  batch.parents.clear();
  LotChange change;
  if (!batch.source_seasons.empty()) {
    OCOP_ASSIGN_OR_RETURN(BatchEvent harvest, HarvestEvent(actor, batch));
    change.events.push_back(std::move(harvest));
  }
  change.new_lots.push_back(batch);
  change.result_name = batch.name;
  OCOP_ASSIGN_OR_RETURN(std::string name, repository_->ApplyLotChange(
                                              change, store::IdempotencyKey{actor.subject, "CreateBatch",
                                                                            key.request_id, key.fingerprint}));
  return repository_->GetBatch(name);
}

absl::StatusOr<Batch> Batches::GetBatch(const Actor&, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "batches"));
  return repository_->GetBatch(name);
}

absl::StatusOr<Page<Batch>> Batches::ListBatches(const Actor&, const BatchFilter& filter, const PageRequest& page) {
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, rules::kDefaultPageSize, rules::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  if (!filter.product.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("product", filter.product, "products"));
  if (!filter.producer.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("producer", filter.producer, "producers"));
  return repository_->ListBatches(filter, after, size);
}

absl::StatusOr<SplitResult> Batches::SplitBatch(const Actor& actor, SplitRequest request, const WriteKey& key) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("parent", request.parent, "batches"));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", key.request_id, 100, false));
  OCOP_RETURN_IF_ERROR(rules::EventLocation("location", request.location));
  if (request.children.size() < 2 || request.children.size() > kMaxChildren) {
    return absl::InvalidArgumentError(absl::StrCat("children: between 2 and ", kMaxChildren, " lots"));
  }
  absl::StatusOr<Batch> parent = repository_->GetBatch(request.parent);
  if (absl::IsNotFound(parent.status())) return absl::NotFoundError(absl::StrCat("parent: ", request.parent, " not found"));
  OCOP_RETURN_IF_ERROR(parent.status());
  OCOP_RETURN_IF_ERROR(CheckOwner(actor, parent->name, parent->producer));
  absl::Time now = clock_();
  absl::Time when = request.event_time.value_or(now);
  if (when > now + absl::Hours(1)) return absl::InvalidArgumentError("event_time: must not be in the future");

  double total = 0;
  std::set<std::string> codes;
  LotChange change;
  BatchEvent event = ServerEvent(actor, parent->name, "ocop:splitting", when);
  event.location = request.location;
  event.inputs.push_back(QuantityElement{parent->name, parent->quantity, parent->unit});
  for (size_t i = 0; i < request.children.size(); ++i) {
    Batch child = std::move(request.children[i]);
    std::string field = absl::StrCat("children[", i, "]");
    OCOP_RETURN_IF_ERROR(rules::Code(absl::StrCat(field, ".lot_code"), child.lot_code));
    if (!codes.insert(child.lot_code).second || child.lot_code == parent->lot_code) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".lot_code: '", child.lot_code, "' is used twice"));
    }
    if (!std::isfinite(child.quantity) || child.quantity <= 0) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".quantity: must be a positive number"));
    }
    if (child.package_count < 0) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".package_count: must not be negative"));
    }
    if (child.expiry_date.empty()) {
      child.expiry_date = parent->expiry_date;
    } else {
      OCOP_RETURN_IF_ERROR(validate::Date(absl::StrCat(field, ".expiry_date"), child.expiry_date).status());
      if (child.expiry_date < parent->harvest_date) {
        return absl::InvalidArgumentError(absl::StrCat(field, ".expiry_date: before the lot's harvest_date"));
      }
    }
    total += child.quantity;
    child.name = absl::StrCat("batches/", validate::NewId(issuer_));
    child.product = parent->product;
    child.producer = parent->producer;
    child.harvest_date = parent->harvest_date;
    child.unit = parent->unit;
    child.growing_area_code = parent->growing_area_code;
    child.certifications = parent->certifications;
    child.source_seasons.clear();
    child.parents = {parent->name};
    child.create_time = now;
    event.outputs.push_back(QuantityElement{child.name, child.quantity, child.unit});
    change.new_lots.push_back(std::move(child));
  }
  if (!SameQuantity(total, parent->quantity)) {
    return absl::InvalidArgumentError(absl::StrCat("children: quantities add up to ", Quantity(total, parent->unit),
                                                   ", the lot has ", Quantity(parent->quantity, parent->unit)));
  }
  change.events.push_back(std::move(event));
  change.close.push_back(parent->name);
  change.result_name = parent->name;
  // A retry (same request_id and body) finds the earlier split in ApplyLotChange before the
  // closed-parent check and returns it, so the result below is read back from storage.
  OCOP_RETURN_IF_ERROR(
      repository_
          ->ApplyLotChange(change, store::IdempotencyKey{actor.subject, "SplitBatch", key.request_id, key.fingerprint})
          .status());
  SplitResult result;
  OCOP_ASSIGN_OR_RETURN(Batch split, repository_->GetBatch(parent->name));
  for (const std::string& child : split.children) {
    OCOP_ASSIGN_OR_RETURN(Batch lot, repository_->GetBatch(child));
    result.children.push_back(std::move(lot));
  }
  OCOP_ASSIGN_OR_RETURN(std::vector<BatchEvent> events, repository_->ChainEvents(parent->name));
  for (const BatchEvent& split_event : events) {
    if (split_event.biz_step == "ocop:splitting") result.event = split_event;
  }
  return result;
}

absl::StatusOr<MergeResult> Batches::MergeBatches(const Actor& actor, MergeRequest request, const WriteKey& key) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", key.request_id, 100, false));
  OCOP_RETURN_IF_ERROR(rules::EventLocation("location", request.location));
  if (request.parents.size() < 2 || request.parents.size() > kMaxMergedLots) {
    return absl::InvalidArgumentError(absl::StrCat("parents: between 2 and ", kMaxMergedLots, " lots"));
  }
  std::set<std::string> seen;
  std::vector<Batch> parents;
  for (size_t i = 0; i < request.parents.size(); ++i) {
    std::string field = absl::StrCat("parents[", i, "]");
    OCOP_RETURN_IF_ERROR(validate::ResourceName(field, request.parents[i], "batches"));
    if (!seen.insert(request.parents[i]).second) return absl::InvalidArgumentError(absl::StrCat(field, ": listed twice"));
    absl::StatusOr<Batch> parent = repository_->GetBatch(request.parents[i]);
    if (absl::IsNotFound(parent.status())) {
      return absl::NotFoundError(absl::StrCat(field, ": ", request.parents[i], " not found"));
    }
    OCOP_RETURN_IF_ERROR(parent.status());
    OCOP_RETURN_IF_ERROR(CheckOwner(actor, parent->name, parent->producer));
    if (!parents.empty() && parent->product != parents.front().product) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": a lot of ", parent->product, "; only lots of ",
                                                     parents.front().product, " can be blended together"));
    }
    if (!parents.empty() && parent->unit != parents.front().unit) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": measured in ", parent->unit, ", the others in ",
                                                     parents.front().unit));
    }
    parents.push_back(std::move(*parent));
  }
  absl::Time now = clock_();
  absl::Time when = request.event_time.value_or(now);
  if (when > now + absl::Hours(1)) return absl::InvalidArgumentError("event_time: must not be in the future");

  Batch merged = std::move(request.merged);
  double total = 0;
  std::string latest_harvest;
  std::string earliest_expiry;
  for (const Batch& parent : parents) {
    total += parent.quantity;
    latest_harvest = std::max(latest_harvest, parent.harvest_date);
    if (!parent.expiry_date.empty() && (earliest_expiry.empty() || parent.expiry_date < earliest_expiry)) {
      earliest_expiry = parent.expiry_date;
    }
  }
  if (merged.quantity != 0 && !SameQuantity(merged.quantity, total)) {
    return absl::InvalidArgumentError(absl::StrCat("merged.quantity: the lots add up to ",
                                                   Quantity(total, parents.front().unit), ", not ",
                                                   Quantity(merged.quantity, parents.front().unit)));
  }
  merged.quantity = total;
  merged.unit = parents.front().unit;
  merged.product = parents.front().product;
  merged.producer = parents.front().producer;
  if (merged.harvest_date.empty()) merged.harvest_date = latest_harvest;
  if (merged.expiry_date.empty()) merged.expiry_date = earliest_expiry;
  // A blend keeps only the certifications every one of its lots holds, in force on every lot's
  // harvest day.
  merged.certifications.clear();
  for (const Certification& certification : parents.front().certifications) {
    bool everywhere = std::all_of(parents.begin(), parents.end(), [&](const Batch& parent) {
      return std::find(parent.certifications.begin(), parent.certifications.end(), certification) !=
                 parent.certifications.end() &&
             CoversDay(certification, parent.harvest_date);
    });
    if (everywhere && CoversDay(certification, merged.harvest_date)) merged.certifications.push_back(certification);
  }
  merged.growing_area_code = JoinedAreaCodes(parents);
  if (merged.growing_area_code.size() > 64) merged.growing_area_code.clear();
  absl::Status valid = ValidateLotFields(merged, now);
  if (!valid.ok()) {
    return absl::Status(valid.code(), absl::StrCat("merged.", valid.message().substr(std::string("batch.").size())));
  }
  merged.name = absl::StrCat("batches/", validate::NewId(issuer_));
  merged.source_seasons.clear();
  merged.create_time = now;
  for (const Batch& parent : parents) merged.parents.push_back(parent.name);

  LotChange change;
  BatchEvent event = ServerEvent(actor, merged.name, "ocop:blending", when);
  event.location = request.location;
  for (const Batch& parent : parents) event.inputs.push_back(QuantityElement{parent.name, parent.quantity, parent.unit});
  event.outputs.push_back(QuantityElement{merged.name, merged.quantity, merged.unit});
  change.events.push_back(std::move(event));
  change.new_lots.push_back(merged);
  change.close = request.parents;
  change.result_name = merged.name;
  OCOP_ASSIGN_OR_RETURN(std::string name, repository_->ApplyLotChange(
                                              change, store::IdempotencyKey{actor.subject, "MergeBatches",
                                                                            key.request_id, key.fingerprint}));
  MergeResult result;
  OCOP_ASSIGN_OR_RETURN(result.merged, repository_->GetBatch(name));
  OCOP_ASSIGN_OR_RETURN(Page<BatchEvent> first, repository_->ListEvents(name, 0, 1));
  if (!first.items.empty()) result.event = first.items.front();
  return result;
}

absl::StatusOr<std::vector<Batch>> Batches::RecallBatch(const Actor& actor, const std::string& name,
                                                        const std::string& reason, const WriteKey& key) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "batches"));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", key.request_id, 100, false));
  OCOP_RETURN_IF_ERROR(validate::Text("reason", reason, 500, true));
  OCOP_ASSIGN_OR_RETURN(std::string producer, ProducerOfChain("name", name));
  OCOP_RETURN_IF_ERROR(CheckOwner(actor, name, producer));
  absl::Time now = clock_();
  Recall recall{name, reason, now, ServerEvent(actor, name, "ocop:recalling", now)};
  recall.event.type = EventType::kObject;
  recall.event.disposition = "recalled";
  recall.event.details = {{"reason", reason}, {"recalled_lot", name}};
  OCOP_ASSIGN_OR_RETURN(std::vector<std::string> recalled,
                        repository_->RecallLot(recall, store::IdempotencyKey{actor.subject, "RecallBatch",
                                                                              key.request_id, key.fingerprint}));
  std::vector<Batch> lots;
  for (const std::string& lot : recalled) {
    OCOP_ASSIGN_OR_RETURN(Batch batch, repository_->GetBatch(lot));
    lots.push_back(std::move(batch));
  }
  return lots;
}

}  // namespace ocop::batch
