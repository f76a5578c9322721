// A service's Ed25519 signing keys (the stamp service signs tokens, the batch service signs chain
// checkpoints). Private keys live in PEM files with 0600 permissions in a key folder and in this
// object's memory; nothing else ever sees them (never logged, never sent).
//
// Layout of the key folder:
//   {key_id}.pem   PKCS#8 Ed25519 private key, one per key, key_id = 8 random hex digits
//   signing        the key id new signatures are made with
// Rotation adds a key and points `signing` at it; old keys stay for verification (and, in
// the stamp service, for re-rendering rolls issued under them).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/crypto/ed25519.h"

namespace ocop::keys {

struct PublicKeyInfo {
  uint32_t key_id = 0;
  std::string public_key;  // raw 32 bytes
  bool signing = false;
};

class KeyStore {
 public:
  // Loads every key in `folder`, creating the folder (0700) and a first signing key when there is
  // none. FAILED_PRECONDITION when a key file is readable by group or others, or when `signing`
  // names a key that is missing.
  static absl::StatusOr<std::unique_ptr<KeyStore>> Open(const std::string& folder);

  // Generates a new key, writes it, and makes it the signing key. Returns its id.
  absl::StatusOr<uint32_t> Rotate();

  uint32_t signing_key_id() const { return signing_key_id_; }
  // The private key with `key_id`; NOT_FOUND when this store does not hold it.
  absl::StatusOr<const crypto::Ed25519PrivateKey*> Key(uint32_t key_id) const;
  std::vector<PublicKeyInfo> PublicKeys() const;

 private:
  explicit KeyStore(std::string folder) : folder_(std::move(folder)) {}
  absl::StatusOr<uint32_t> CreateKey();
  absl::Status WriteSigningId(uint32_t key_id);

  std::string folder_;
  std::map<uint32_t, crypto::Ed25519PrivateKey> keys_;
  uint32_t signing_key_id_ = 0;
};

}  // namespace ocop::keys
