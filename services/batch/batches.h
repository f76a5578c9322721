// Batch domain logic: growing areas and seasons, lots and their genealogy, value-chain events on
// lots and seasons (where each business step may be recorded), recalls and chain verification.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/actor/actor.h"
#include "services/batch/batch_repository.h"
#include "services/batch/checkpoint_signer.h"
#include "services/batch/epcis_export.h"
#include "services/batch/product_directory.h"

namespace ocop::batch {

struct PageRequest {
  int page_size = 0;
  std::string page_token;
};

// An idempotent write's request_id and the fingerprint of its body.
struct WriteKey {
  std::string request_id;
  std::string fingerprint;
};

struct SplitRequest {
  std::string parent;
  std::vector<Batch> children;
  std::optional<absl::Time> event_time;
  Location location;
};

struct SplitResult {
  std::vector<Batch> children;
  BatchEvent event;
};

struct MergeRequest {
  std::vector<std::string> parents;
  Batch merged;
  std::optional<absl::Time> event_time;
  Location location;
};

struct MergeResult {
  Batch merged;
  BatchEvent event;
};

class Batches {
 public:
  // Nothing is owned. `issuer` prefixes new ids (may be empty).
  Batches(BatchRepository* repository, ProductDirectory* products, const CheckpointSigner* signer,
          std::function<absl::Time()> clock, std::string issuer)
      : repository_(repository),
        products_(products),
        signer_(signer),
        clock_(std::move(clock)),
        issuer_(std::move(issuer)) {}

  // INVALID_ARGUMENT naming the field; NOT_FOUND naming growing_area.producer when the registry
  // does not know it; ALREADY_EXISTS for a duplicate code.
  absl::StatusOr<GrowingArea> CreateGrowingArea(const Actor& actor, GrowingArea area, const WriteKey& key);
  absl::StatusOr<GrowingArea> GetGrowingArea(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<GrowingArea>> ListGrowingAreas(const Actor& actor, const GrowingAreaFilter& filter,
                                                     const PageRequest& page);
  absl::StatusOr<Season> CreateSeason(const Actor& actor, const std::string& parent, Season season,
                                      const WriteKey& key);
  absl::StatusOr<Season> GetSeason(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<Season>> ListSeasons(const Actor& actor, const std::string& parent, const PageRequest& page);

  // INVALID_ARGUMENT naming the field; NOT_FOUND naming batch.product (or a source season);
  // UNAVAILABLE when the registry cannot be asked; ALREADY_EXISTS for a duplicate lot code or a
  // request_id reused with another body; FAILED_PRECONDITION when a source season belongs to
  // another producer or the harvest falls inside a spraying's pre-harvest interval or a veterinary
  // drug's withdrawal period.
  absl::StatusOr<Batch> CreateBatch(const Actor& actor, Batch batch, const WriteKey& key);
  absl::StatusOr<Batch> GetBatch(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<Batch>> ListBatches(const Actor& actor, const BatchFilter& filter, const PageRequest& page);
  absl::StatusOr<SplitResult> SplitBatch(const Actor& actor, SplitRequest request, const WriteKey& key);
  absl::StatusOr<MergeResult> MergeBatches(const Actor& actor, MergeRequest request, const WriteKey& key);
  // The lot and its descendants recalled by this call (by the first call, on a retry).
  absl::StatusOr<std::vector<Batch>> RecallBatch(const Actor& actor, const std::string& name,
                                                 const std::string& reason, const WriteKey& key);

  // Appends an event to `parent` (a lot or a season). A retry with the same request_id or
  // event_id is stored once; `key.fingerprint` must cover the parent and the whole event.
  absl::StatusOr<BatchEvent> AppendEvent(const Actor& actor, const std::string& parent, BatchEvent event,
                                         const WriteKey& key);
  absl::StatusOr<Page<BatchEvent>> ListEvents(const Actor& actor, const std::string& parent,
                                              const PageRequest& page);
  absl::StatusOr<Page<BatchEvent>> QueryEvents(const Actor& actor, const EventQuery& query,
                                               const PageRequest& page);

  // The lot's trace; at most `max_events` events (1 to 1,000; 0: 1,000) and 3 MiB of them: the
  // first and the latest, with the number left out between (a gRPC answer must stay under 4 MB,
  // and a page shows only so much).
  absl::StatusOr<Trace> GetTrace(const Actor& actor, const std::string& name, int max_events = 0);
  // Re-walks `chain` and checks it against `published` checkpoints. INVALID_ARGUMENT when a
  // checkpoint is for another chain or is not signed by this service.
  absl::StatusOr<ChainVerification> VerifyChain(const Actor& actor, const std::string& chain,
                                                const std::vector<Checkpoint>& published);
  std::vector<keys::PublicKeyInfo> CheckpointKeys() const { return signer_->PublicKeys(); }
  // The lot's trace as an EPCIS 2.0 JSON-LD document, for `audience`.
  absl::StatusOr<std::string> ExportEpcis(const Actor& actor, const std::string& name,
                                          EpcisAudience audience = EpcisAudience::kInternal);

  // For feed scopes (auth::FeedScope): the producer a change is about (a lot, a growing area or a
  // season; NOT_FOUND for anything else), and a producer's province (from the registry).
  absl::StatusOr<std::string> ProducerOfChange(const std::string& entity, const std::string& name);
  absl::StatusOr<std::string> ProvinceOf(const std::string& producer) { return products_->ProvinceOf(producer); }

 private:
  absl::StatusOr<ProductInfo> ProductOf(const std::string& field, const std::string& product);
  // OK when `actor` may change `resource`, which belongs to `producer` (auth::CheckOwner; an
  // office's province comes from the registry).
  absl::Status CheckOwner(const Actor& actor, const std::string& resource, const std::string& producer);
  // The producer a lot ("batches/...") or a season's chain ("growingAreas/.../seasons/...") belongs to.
  absl::StatusOr<std::string> ProducerOfChain(const std::string& field, const std::string& chain);
  absl::StatusOr<BatchEvent> HarvestEvent(const Actor& actor, Batch& batch);
  absl::Status CheckWaitingPeriods(const std::string& season, const std::string& harvest_date);
  BatchEvent ServerEvent(const Actor& actor, const std::string& chain, absl::string_view step, absl::Time time) const;

  BatchRepository* repository_;
  ProductDirectory* products_;
  const CheckpointSigner* signer_;
  std::function<absl::Time()> clock_;
  std::string issuer_;
};

// A fresh EPCIS eventID: "urn:uuid:" and a random (version 4) UUID.
std::string NewEventId();

}  // namespace ocop::batch
