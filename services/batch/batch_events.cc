// Value-chain events: where each business step may be recorded, captures, queries, traces and
// chain verification.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/epcis/vocabulary.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"
#include "services/batch/batch_rules.h"
#include "services/batch/batches.h"
#include "services/batch/epcis_export.h"
#include "services/batch/event_chain.h"
#include "services/batch/proto_convert.h"

namespace ocop::batch {
namespace {

constexpr size_t kMaxDetails = 50;
constexpr size_t kMaxAttachments = 20;
// A trace's events: at most this many, and this many bytes on the wire (GetTrace).
constexpr int kMaxTraceEvents = 1000;
constexpr size_t kMaxTraceEventBytes = 3 << 20;
constexpr size_t kMaxEpcisDocumentBytes = 3 << 20;

// Keeps at most `max_events` events and `max_bytes` of them, taken from both ends in turn (the
// first steps say where the lot came from, the latest where it is now).
void KeepFirstAndLatest(Trace& trace, int max_events, size_t max_bytes) {
  const size_t count = trace.events.size();
  std::vector<size_t> sizes(count);
  size_t total = 0;
  for (size_t i = 0; i < count; ++i) total += sizes[i] = ToProto(trace.events[i]).ByteSizeLong();
  if (count <= static_cast<size_t>(max_events) && total <= max_bytes) return;
  std::vector<bool> keep(count, false);
  size_t used = 0, kept = 0, front = 0, back = count;
  for (bool from_front = true; front < back && kept < static_cast<size_t>(max_events); from_front = !from_front) {
    const size_t index = from_front ? front : back - 1;
    if (used + sizes[index] > max_bytes) break;
    keep[index] = true;
    used += sizes[index];
    ++kept;
    if (from_front) ++front; else --back;
  }
  std::vector<BatchEvent> events;
  events.reserve(kept);
  for (size_t i = 0; i < count; ++i) {
    if (keep[i]) events.push_back(std::move(trace.events[i]));
  }
  trace.events = std::move(events);
  trace.omitted_events += static_cast<int64_t>(count - kept);
}
// Clocks in the field are not exact; an event far in the future is a typo.
constexpr absl::Duration kFutureTolerance = absl::Hours(1);

// An absolute URI such as "urn:uuid:..." or "https://...": a scheme, ':', no spaces.
bool IsAbsoluteUri(absl::string_view uri) {
  size_t colon = uri.find(':');
  if (colon == absl::string_view::npos || colon == 0 || colon + 1 == uri.size() || uri.size() > 200) return false;
  if (!absl::ascii_isalpha(uri[0])) return false;
  for (size_t i = 0; i < colon; ++i) {
    char c = uri[i];
    if (!absl::ascii_isalnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : uri) {
    if (c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == '`' || static_cast<unsigned char>(c) >= 0x7f) {
      return false;
    }
  }
  return true;
}

absl::Status ValidateEvent(const BatchEvent& event, absl::Time now) {
  if (event.type == EventType::kUnspecified) return absl::InvalidArgumentError("event.type: must be set");
  if (epcis::FindStep(event.biz_step) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event.biz_step: '", event.biz_step,
        "' is not a CBV step (such as 'shipping') or one of ours (such as 'ocop:planting'); see docs/batches.md"));
  }
  if (event.event_time == absl::UnixEpoch()) return absl::InvalidArgumentError("event.event_time: must be set");
  if (event.event_time > now + kFutureTolerance) {
    return absl::InvalidArgumentError("event.event_time: must not be in the future");
  }
  if (!rules::IsZoneOffset(event.event_time_zone_offset)) {
    return absl::InvalidArgumentError("event.event_time_zone_offset: must look like +07:00");
  }
  OCOP_RETURN_IF_ERROR(rules::EventLocation("event.location", event.location));
  if (!event.disposition.empty() && !epcis::IsDisposition(event.disposition)) {
    return absl::InvalidArgumentError(
        absl::StrCat("event.disposition: '", event.disposition, "' is not a CBV disposition such as 'in_transit'"));
  }
  if (!event.event_id.empty() && !IsAbsoluteUri(event.event_id)) {
    return absl::InvalidArgumentError("event.event_id: must be an absolute URI such as urn:uuid:...");
  }
  if (event.details.size() > kMaxDetails) {
    return absl::InvalidArgumentError(absl::StrCat("event.details: at most ", kMaxDetails, " entries"));
  }
  for (const auto& [key, value] : event.details) {
    OCOP_RETURN_IF_ERROR(validate::Text("event.details key", key, 64, true));
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat("event.details[", key, "]"), value, 1000, false));
  }
  if (event.attachments.size() > kMaxAttachments) {
    return absl::InvalidArgumentError(absl::StrCat("event.attachments: at most ", kMaxAttachments));
  }
  for (size_t i = 0; i < event.attachments.size(); ++i) {
    std::string field = absl::StrCat("event.attachments[", i, "]");
    OCOP_RETURN_IF_ERROR(validate::HttpsUrl(absl::StrCat(field, ".uri"), event.attachments[i].uri));
    OCOP_RETURN_IF_ERROR(
        validate::Sha256Hex(absl::StrCat(field, ".sha256"), event.attachments[i].sha256, "document").status());
    OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".media_type"), event.attachments[i].media_type, 100, false));
  }
  if (event.corrects.empty() != event.correction_reason.empty()) {
    return absl::InvalidArgumentError(
        "event.correction_reason: a correction names the event it corrects and why (both or neither)");
  }
  OCOP_RETURN_IF_ERROR(validate::Text("event.correction_reason", event.correction_reason, 500, false));
  if (!event.inputs.empty() || !event.outputs.empty()) {
    return absl::InvalidArgumentError(
        "event.inputs: set by the service for harvests, splits and blends (CreateBatch, SplitBatch, MergeBatches)");
  }
  if (const rules::WaitingPeriodStep* waiting = rules::WaitingPeriodOf(event.biz_step)) {
    OCOP_RETURN_IF_ERROR(rules::WaitingPeriodDetails(*waiting, event.details));
  }
  return absl::OkStatus();
}

// Farm stages belong to seasons, before a lot exists; a lot's own life to lots.
absl::Status CheckStepPlace(const BatchEvent& event, bool on_season, const Batch* lot) {
  const epcis::StepInfo* step = epcis::FindStep(event.biz_step);
  switch (step->scope) {
    case epcis::StepScope::kServer:
      return absl::InvalidArgumentError(absl::StrCat(
          "event.biz_step: '", event.biz_step,
          "' is recorded by the service itself (SplitBatch, MergeBatches, RecallBatch)"));
    case epcis::StepScope::kSeason:
      if (!on_season) {
        return absl::FailedPreconditionError(absl::StrCat(
            "event.biz_step: '", event.biz_step,
            "' is a farm stage; record it on the season the lot is harvested from (growingAreas/{id}/seasons/{id})"));
      }
      return absl::OkStatus();
    case epcis::StepScope::kLot:
      if (on_season) {
        return absl::FailedPreconditionError(absl::StrCat(
            "event.biz_step: '", event.biz_step,
            "' belongs to a lot; a season takes farm stages, inspections and samples (harvest it into a lot "
            "with CreateBatch source_seasons)"));
      }
      if (event.biz_step == "ocop:harvesting" && lot != nullptr && !lot->source_seasons.empty()) {
        return absl::FailedPreconditionError(
            "event.biz_step: this lot's harvest from its seasons is already recorded (its first event)");
      }
      return absl::OkStatus();
    case epcis::StepScope::kEither:
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BatchEvent> Batches::AppendEvent(const Actor& actor, const std::string& parent, BatchEvent event,
                                                const WriteKey& key) {
  OCOP_RETURN_IF_ERROR(rules::ChainName("parent", parent));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", key.request_id, 100, false));
  absl::Time now = clock_();
  if (event.event_time_zone_offset.empty()) event.event_time_zone_offset = "+07:00";
  OCOP_RETURN_IF_ERROR(ValidateEvent(event, now));
  // Only the chain's producer (or its office) writes its public timeline.
  OCOP_ASSIGN_OR_RETURN(std::string producer, ProducerOfChain("parent", parent));
  OCOP_RETURN_IF_ERROR(CheckOwner(actor, parent, producer));
  bool on_season = absl::StartsWith(parent, "growingAreas/");
  // Only a manual harvest needs the lot itself (was it harvested from seasons?); otherwise the
  // chain's existence is checked inside the append's transaction.
  std::optional<Batch> lot;
  if (!on_season && event.biz_step == "ocop:harvesting") {
    absl::StatusOr<Batch> batch = repository_->GetBatch(parent);
    if (absl::IsNotFound(batch.status())) return absl::NotFoundError(absl::StrCat("parent: ", parent, " not found"));
    OCOP_RETURN_IF_ERROR(batch.status());
    lot = std::move(*batch);
  }
  OCOP_RETURN_IF_ERROR(CheckStepPlace(event, on_season, lot.has_value() ? &*lot : nullptr));
  std::sort(event.details.begin(), event.details.end());
  if (event.event_id.empty()) event.event_id = NewEventId();
  event.batch = parent;
  event.record_time = now;
  event.recorded_by = actor.subject;
  return repository_->AppendEvent(event, key.fingerprint,
                                  store::IdempotencyKey{actor.subject, "AppendEvent", key.request_id, key.fingerprint});
}

absl::StatusOr<Page<BatchEvent>> Batches::ListEvents(const Actor&, const std::string& parent, const PageRequest& page) {
  OCOP_RETURN_IF_ERROR(rules::ChainName("parent", parent));
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, 100, rules::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  absl::Status exists = absl::StartsWith(parent, "growingAreas/") ? repository_->GetSeason(parent).status()
                                                                  : repository_->GetBatch(parent).status();
  OCOP_RETURN_IF_ERROR(exists);
  return repository_->ListEvents(parent, after, size);
}

absl::StatusOr<Page<BatchEvent>> Batches::QueryEvents(const Actor&, const EventQuery& query, const PageRequest& page) {
  if (query.product.empty() && query.lot.empty() && query.season.empty()) {
    return absl::InvalidArgumentError("product: one of product, lot or season is required");
  }
  if (!query.product.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("product", query.product, "products"));
  if (!query.lot.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("lot", query.lot, "batches"));
  if (!query.season.empty()) OCOP_RETURN_IF_ERROR(rules::SeasonName("season", query.season));
  if (!query.biz_step.empty() && epcis::FindStep(query.biz_step) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("biz_step: '", query.biz_step, "' is not a step we record"));
  }
  if (!query.commune_code.empty()) OCOP_RETURN_IF_ERROR(validate::DigitCode("commune_code", query.commune_code, 5));
  if (query.start_time.has_value() && query.end_time.has_value() && *query.end_time <= *query.start_time) {
    return absl::InvalidArgumentError("end_time: must be after start_time");
  }
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, 100, rules::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  return repository_->QueryEvents(query, after, size);
}

absl::StatusOr<Trace> Batches::GetTrace(const Actor&, const std::string& name, int max_events) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "batches"));
  if (max_events < 0 || max_events > kMaxTraceEvents) {
    return absl::InvalidArgumentError(absl::StrCat("max_events: must be 0 to ", kMaxTraceEvents));
  }
  OCOP_ASSIGN_OR_RETURN(Trace trace, repository_->GetTrace(name));
  KeepFirstAndLatest(trace, max_events == 0 ? kMaxTraceEvents : max_events, kMaxTraceEventBytes);
  return trace;
}

absl::StatusOr<ChainVerification> Batches::VerifyChain(const Actor&, const std::string& chain,
                                                       const std::vector<Checkpoint>& published) {
  OCOP_RETURN_IF_ERROR(rules::ChainName("chain", chain));
  for (size_t i = 0; i < published.size(); ++i) {
    if (published[i].chain != chain) {
      return absl::InvalidArgumentError(absl::StrCat("published[", i, "].chain: ", published[i].chain, " is not ", chain));
    }
    absl::Status signed_by_us = signer_->Verify(published[i]);
    if (!signed_by_us.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("published[", i, "]: ", signed_by_us.message()));
    }
  }
  absl::StatusOr<std::vector<BatchEvent>> events = repository_->ChainEvents(chain);
  if (absl::IsNotFound(events.status())) return absl::NotFoundError(absl::StrCat("chain: ", chain, " not found"));
  OCOP_RETURN_IF_ERROR(events.status());
  ChainVerification result = WalkChain(*events);
  if (!result.intact) return result;
  // The stored chain is self-consistent; an insider could have rewritten it and recomputed every
  // hash, which only a checkpoint published earlier can reveal.
  for (const Checkpoint& checkpoint : published) {
    if (checkpoint.sequence > result.event_count) {
      result.intact = false;
      result.first_broken_sequence = result.event_count + 1;
      result.problem = absl::StrCat("a checkpoint was signed after ", checkpoint.sequence, " events but the chain has ",
                                    result.event_count, ": events were removed");
      return result;
    }
    if (checkpoint.sequence < 1) continue;
    const BatchEvent& event = (*events)[checkpoint.sequence - 1];
    if (event.chain_hash != checkpoint.head_hash) {
      result.intact = false;
      result.first_broken_sequence = checkpoint.sequence;
      result.problem = absl::StrCat("the chain does not match the checkpoint signed after event ", checkpoint.sequence,
                                    ": events up to it were rewritten (hashes recomputed)");
      return result;
    }
  }
  return result;
}

absl::StatusOr<std::string> Batches::ExportEpcis(const Actor&, const std::string& name, EpcisAudience audience) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "batches"));
  // The whole history: an EPCIS document leaves nothing out (unlike GetTrace's bounded answer).
  OCOP_ASSIGN_OR_RETURN(Trace trace, repository_->GetTrace(name));
  OCOP_ASSIGN_OR_RETURN(ProductInfo product, ProductOf("name", trace.batch.product));
  std::string document = EpcisDocument(trace, product.gtin, clock_(), audience);
  // One gRPC answer carries 4 MiB: a larger document would fail in the client with an opaque
  // error. Say so instead, and where the whole history can be read.
  if (document.size() > kMaxEpcisDocumentBytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "name: the EPCIS document of ", name, " would be ", document.size() >> 10, " KiB, over the ",
        kMaxEpcisDocumentBytes >> 10, " KiB one export carries; read its events page by page with ListEvents"));
  }
  return document;
}

}  // namespace ocop::batch
