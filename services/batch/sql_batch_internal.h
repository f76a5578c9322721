// Helpers shared by the batch repository's files (lots and areas; events and chains).
// Internal to sql_batch_*.cc.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/database.h"
#include "services/batch/batch_types.h"
#include "services/batch/checkpoint_signer.h"

namespace ocop::batch::sql {

// List-valued fields are stored as JSON text (both engines' JSON functions can read them too).
std::string EncodeDetails(const std::vector<std::pair<std::string, std::string>>& details);
std::vector<std::pair<std::string, std::string>> DecodeDetails(const std::string& json);
std::string EncodeAttachments(const std::vector<Attachment>& attachments);
std::vector<Attachment> DecodeAttachments(const std::string& json);
std::string EncodeQuantities(const std::vector<QuantityElement>& quantities);
std::vector<QuantityElement> DecodeQuantities(const std::string& json);

// The lot `name` with its links and a checkpoint of its chain signed now (none without `signer`
// or events); NOT_FOUND when absent.
absl::StatusOr<Batch> SelectBatch(store::Connection& connection, const CheckpointSigner* signer,
                                  const std::string& name);
// The season `name` with a checkpoint of its chain signed now; NOT_FOUND when absent.
absl::StatusOr<Season> SelectSeason(store::Connection& connection, const CheckpointSigner* signer,
                                    const std::string& name);
// The head of `chain` (event count, hash) and, with `signer` and events, a checkpoint of it
// signed now.
struct ChainHead {
  int64_t event_count = 0;
  std::string head_hash;
  std::optional<Checkpoint> checkpoint;
};
absl::StatusOr<ChainHead> SelectChainHead(store::Connection& connection, const CheckpointSigner* signer,
                                          const std::string& chain);
// Inserts the lot, its chain, its parent and season links and its first change-feed entry.
absl::Status InsertLot(store::Connection& connection, const Batch& batch);

// Appends `event` to its chain inside the caller's transaction: assigns sequence, name and chain
// hash, moves the chain's head, bumps the generation of the chain's lot (or the
// season and its lots), and, with `bump_descendants`, of every lot made from them.
absl::StatusOr<BatchEvent> AppendToChain(store::Connection& connection, BatchEvent event, const std::string& fingerprint, bool bump_descendants);

// `chain` is a season name ("growingAreas/.../seasons/...") rather than a lot.
bool IsSeasonName(const std::string& chain);

}  // namespace ocop::batch::sql
