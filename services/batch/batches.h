// Batch domain logic: validates lots and events and keeps events append-only.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/actor/actor.h"
#include "services/batch/batch_repository.h"
#include "services/batch/product_directory.h"

namespace ocop::batch {

struct PageRequest {
  int page_size = 0;
  std::string page_token;
};

class Batches {
 public:
  // Nothing is owned. `issuer` prefixes new ids (may be empty).
  Batches(BatchRepository* repository, ProductDirectory* products, std::function<absl::Time()> clock,
          std::string issuer)
      : repository_(repository), products_(products), clock_(std::move(clock)), issuer_(std::move(issuer)) {}

  // INVALID_ARGUMENT naming the field; NOT_FOUND naming batch.product when the registry does not
  // know it; UNAVAILABLE when the registry cannot be asked; ALREADY_EXISTS for a duplicate lot
  // code or a request_id reused with another body.
  absl::StatusOr<Batch> CreateBatch(const Actor& actor, Batch batch, const std::string& request_id,
                                    const std::string& request_fingerprint);
  absl::StatusOr<Batch> GetBatch(const Actor& actor, const std::string& name);
  absl::StatusOr<Page<Batch>> ListBatches(const Actor& actor, const BatchFilter& filter, const PageRequest& page);

  // Appends an event to `parent`. A retry with the same request_id is stored once.
  absl::StatusOr<BatchEvent> AppendEvent(const Actor& actor, const std::string& parent, BatchEvent event,
                                         const std::string& request_id, const std::string& request_fingerprint);
  absl::StatusOr<Page<BatchEvent>> ListEvents(const Actor& actor, const std::string& parent,
                                              const PageRequest& page);

 private:
  BatchRepository* repository_;
  ProductDirectory* products_;
  std::function<absl::Time()> clock_;
  std::string issuer_;
};

}  // namespace ocop::batch
