#include "services/batch/checkpoint_signer.h"

#include "absl/strings/str_cat.h"
#include "common/crypto/ed25519.h"
#include "common/status/status_macros.h"
#include "common/token/token.h"
#include "services/batch/event_chain.h"

namespace ocop::batch {

absl::StatusOr<Checkpoint> CheckpointSigner::Sign(const std::string& chain, int64_t sequence,
                                                  const std::string& head_hash) const {
  uint32_t key_id = keys_->signing_key_id();
  OCOP_ASSIGN_OR_RETURN(const crypto::Ed25519PrivateKey* key, keys_->Key(key_id));
  Checkpoint checkpoint{chain, sequence, head_hash, token::KeyIdToHex(key_id), ""};
  OCOP_ASSIGN_OR_RETURN(checkpoint.signature, key->Sign(CheckpointStatement(chain, sequence, head_hash)));
  return checkpoint;
}

absl::Status CheckpointSigner::Verify(const Checkpoint& checkpoint) const {
  absl::StatusOr<uint32_t> key_id = token::KeyIdFromHex(checkpoint.key_id);
  if (!key_id.ok()) return absl::InvalidArgumentError("checkpoint.key_id: must be 8 hex digits");
  absl::StatusOr<const crypto::Ed25519PrivateKey*> key = keys_->Key(*key_id);
  if (!key.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint.key_id: ", checkpoint.key_id,
                                                   " is not a batch service key"));
  }
  OCOP_ASSIGN_OR_RETURN(crypto::Ed25519Verifier verifier, crypto::Ed25519Verifier::FromPublicKey((*key)->PublicKey()));
  if (!verifier.Verify(CheckpointStatement(checkpoint.chain, checkpoint.sequence, checkpoint.head_hash),
                       checkpoint.signature)) {
    return absl::InvalidArgumentError(absl::StrCat("checkpoint of ", checkpoint.chain, " at ", checkpoint.sequence,
                                                   ": signature does not verify"));
  }
  return absl::OkStatus();
}

}  // namespace ocop::batch
