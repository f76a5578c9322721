#include "services/batch/batches.h"

#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"

namespace ocop::batch {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr size_t kMaxDetails = 50;
// Clocks in the field are not exact; an event far in the future is a typo.
constexpr absl::Duration kFutureTolerance = absl::Hours(1);

// Lower-case word characters with at most one "prefix:" (CBV steps and our own "ocop:" steps).
bool IsVocabularyTerm(absl::string_view term) {
  if (term.empty() || term.size() > 64) return false;
  int colons = 0;
  for (char c : term) {
    if (c == ':') {
      ++colons;
    } else if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '_') {
      return false;
    }
  }
  return colons <= 1 && term.front() != ':' && term.back() != ':';
}

bool IsZoneOffset(absl::string_view offset) {
  return offset.size() == 6 && (offset[0] == '+' || offset[0] == '-') && absl::ascii_isdigit(offset[1]) &&
         absl::ascii_isdigit(offset[2]) && offset[3] == ':' && absl::ascii_isdigit(offset[4]) &&
         absl::ascii_isdigit(offset[5]) && offset.substr(1, 2) <= "14" && offset.substr(4, 2) < "60";
}

absl::Status ValidateBatch(const Batch& batch) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("batch.product", batch.product, "products"));
  OCOP_RETURN_IF_ERROR(validate::Text("batch.lot_code", batch.lot_code, 64, true));
  for (char c : batch.lot_code) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_' && c != '.' && c != '/') {
      return absl::InvalidArgumentError("batch.lot_code: only letters, digits, '-', '_', '.' and '/'");
    }
  }
  OCOP_RETURN_IF_ERROR(validate::Date("batch.harvest_date", batch.harvest_date).status());
  if (!std::isfinite(batch.quantity) || batch.quantity <= 0) {
    return absl::InvalidArgumentError("batch.quantity: must be a positive number");
  }
  OCOP_RETURN_IF_ERROR(validate::Text("batch.unit", batch.unit, 20, true));
  if (batch.package_count < 0) return absl::InvalidArgumentError("batch.package_count: must not be negative");
  return validate::Text("batch.growing_area_code", batch.growing_area_code, 64, false);
}

absl::Status ValidateEvent(const BatchEvent& event, absl::Time now) {
  if (event.type == EventType::kUnspecified) return absl::InvalidArgumentError("event.type: must be set");
  if (!IsVocabularyTerm(event.biz_step)) {
    return absl::InvalidArgumentError(
        "event.biz_step: must be a CBV step such as 'shipping' or a term of ours such as 'ocop:planting'");
  }
  if (event.event_time == absl::UnixEpoch()) return absl::InvalidArgumentError("event.event_time: must be set");
  if (event.event_time > now + kFutureTolerance) {
    return absl::InvalidArgumentError("event.event_time: must not be in the future");
  }
  if (!IsZoneOffset(event.event_time_zone_offset)) {
    return absl::InvalidArgumentError("event.event_time_zone_offset: must look like +07:00");
  }
  OCOP_RETURN_IF_ERROR(validate::Text("event.location.display_name", event.location.display_name, 200, false));
  if (!event.location.commune_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("event.location.commune_code", event.location.commune_code, 5));
  }
  if (!event.location.gln.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("event.location.gln", event.location.gln, 13));
  }
  if (event.location.geo.has_value()) {
    const GeoPoint& geo = *event.location.geo;
    if (!(geo.latitude >= -90 && geo.latitude <= 90) || !(geo.longitude >= -180 && geo.longitude <= 180)) {
      return absl::InvalidArgumentError("event.location.geo: latitude must be in [-90, 90], longitude in [-180, 180]");
    }
  }
  if (!event.disposition.empty() && !IsVocabularyTerm(event.disposition)) {
    return absl::InvalidArgumentError("event.disposition: must be a CBV disposition such as 'in_transit'");
  }
  if (event.details.size() > kMaxDetails) {
    return absl::InvalidArgumentError(absl::StrCat("event.details: at most ", kMaxDetails, " entries"));
  }
  for (const auto& [key, value] : event.details) {
    OCOP_RETURN_IF_ERROR(validate::Text("event.details key", key, 64, true));
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat("event.details[", key, "]"), value, 1000, false));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Batch> Batches::CreateBatch(const Actor& actor, Batch batch, const std::string& request_id,
                                           const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_RETURN_IF_ERROR(ValidateBatch(batch));
  absl::StatusOr<std::string> producer = products_->ProducerOf(batch.product);
  if (absl::IsNotFound(producer.status())) {
    return absl::NotFoundError(absl::StrCat("batch.product: ", batch.product, " not found"));
  }
  if (!producer.ok()) {
    return absl::UnavailableError(absl::StrCat("registry unavailable: ", producer.status().message()));
  }
  batch.producer = *producer;
  batch.name = absl::StrCat("batches/", validate::NewId(issuer_));
  batch.event_count = 0;
  batch.create_time = clock_();
  return repository_->CreateBatch(batch, store::IdempotencyKey{actor.subject, "CreateBatch", request_id,
                                                               request_fingerprint});
}

absl::StatusOr<Batch> Batches::GetBatch(const Actor&, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "batches"));
  return repository_->GetBatch(name);
}

absl::StatusOr<Page<Batch>> Batches::ListBatches(const Actor&, const BatchFilter& filter,
                                                 const PageRequest& page) {
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, kDefaultPageSize, kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  if (!filter.product.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("product", filter.product, "products"));
  if (!filter.producer.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("producer", filter.producer, "producers"));
  return repository_->ListBatches(filter, after, size);
}

absl::StatusOr<BatchEvent> Batches::AppendEvent(const Actor& actor, const std::string& parent, BatchEvent event,
                                                const std::string& request_id,
                                                const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("parent", parent, "batches"));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  absl::Time now = clock_();
  if (event.event_time_zone_offset.empty()) event.event_time_zone_offset = "+07:00";
  OCOP_RETURN_IF_ERROR(ValidateEvent(event, now));
  std::sort(event.details.begin(), event.details.end());
  event.batch = parent;
  event.record_time = now;
  event.recorded_by = actor.subject;
  return repository_->AppendEvent(event, store::IdempotencyKey{actor.subject, "AppendEvent", request_id,
                                                               request_fingerprint});
}

absl::StatusOr<Page<BatchEvent>> Batches::ListEvents(const Actor&, const std::string& parent,
                                                     const PageRequest& page) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("parent", parent, "batches"));
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, 100, kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  OCOP_RETURN_IF_ERROR(repository_->GetBatch(parent).status());
  return repository_->ListEvents(parent, after, size);
}

}  // namespace ocop::batch
