// Signs and verifies chain checkpoints with the batch service's own Ed25519 keys (a key folder
// like the stamp service's; the private keys never leave this process).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/keys/key_store.h"
#include "services/batch/batch_types.h"

namespace ocop::batch {

class CheckpointSigner {
 public:
  // `keys` is not owned.
  explicit CheckpointSigner(const keys::KeyStore* keys) : keys_(keys) {}

  // A checkpoint of `chain` after `sequence` events with head `head_hash`, signed with the current
  // signing key.
  absl::StatusOr<Checkpoint> Sign(const std::string& chain, int64_t sequence, const std::string& head_hash) const;
  // OK when `checkpoint` carries a valid signature by one of our keys; INVALID_ARGUMENT naming what
  // is wrong otherwise.
  absl::Status Verify(const Checkpoint& checkpoint) const;
  std::vector<keys::PublicKeyInfo> PublicKeys() const { return keys_->PublicKeys(); }

 private:
  const keys::KeyStore* keys_;
};

}  // namespace ocop::batch
