// Tamper evidence for event chains (docs/event-chain.md): a versioned canonical byte encoding of
// an event, the hash chain over it, and the checkpoint statement the batch service signs.
// Protobuf serialisation is not used because it is not canonical (map order, unknown fields).
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/batch/batch_types.h"

namespace ocop::batch {

// The encoding version written into every canonical event; a new encoding gets a new version and
// verifiers keep the old one for old events.
inline constexpr absl::string_view kEventEncodingVersion = "ocop-event-v1";

// The canonical bytes of `event` (every field but name and chain_hash), version 1.
std::string CanonicalEventBytes(const BatchEvent& event);

// Lower-case hex SHA-256(previous || SHA-256(CanonicalEventBytes(event))), where previous is the
// 32 raw bytes of `previous_hash_hex`, or 32 zero bytes for a chain's first event ("").
std::string NextChainHash(absl::string_view previous_hash_hex, const BatchEvent& event);

// The statement a checkpoint's signature covers.
std::string CheckpointStatement(absl::string_view chain, int64_t sequence, absl::string_view head_hash);

// Re-walks `events` (a whole chain, in sequence order): recomputes each hash from the previous
// one and reports the first event whose sequence or stored hash is wrong.
ChainVerification WalkChain(const std::vector<BatchEvent>& events);

}  // namespace ocop::batch
