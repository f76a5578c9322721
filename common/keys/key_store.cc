#include "common/keys/key_store.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/crypto/digest.h"
#include "common/status/status_macros.h"
#include "common/token/token.h"
#include "common/keys/secret_files.h"

namespace ocop::keys {
absl::StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& folder) {
  std::unique_ptr<KeyStore> store(new KeyStore(folder));
  OCOP_RETURN_IF_ERROR(EnsureSecretFolder(folder));
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    std::string file = entry.path().filename().string();
    absl::string_view stem = file;
    if (!absl::ConsumeSuffix(&stem, ".pem")) continue;
    OCOP_ASSIGN_OR_RETURN(uint32_t key_id, token::KeyIdFromHex(stem));
    OCOP_ASSIGN_OR_RETURN(std::string pem, ReadSecretFile(entry.path().string()));
    OCOP_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, crypto::Ed25519PrivateKey::FromPem(pem));
    store->keys_.emplace(key_id, std::move(key));
  }
  std::string signing_path = folder + "/signing";
  if (store->keys_.empty()) {
    OCOP_RETURN_IF_ERROR(store->Rotate().status());
    return store;
  }
  std::ifstream in(signing_path);
  std::string line;
  std::getline(in, line);
  OCOP_ASSIGN_OR_RETURN(uint32_t signing, token::KeyIdFromHex(absl::StripAsciiWhitespace(line)));
  if (store->keys_.count(signing) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(signing_path, " names key ", line, " which is missing"));
  }
  store->signing_key_id_ = signing;
  return store;
}

absl::StatusOr<uint32_t> KeyStore::CreateKey() {
  OCOP_ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key, crypto::Ed25519PrivateKey::Generate());
  uint32_t key_id = 0;
  do {
    OCOP_ASSIGN_OR_RETURN(std::string random, crypto::RandomBytes(4));
    key_id = (static_cast<uint32_t>(static_cast<unsigned char>(random[0])) << 24) |
             (static_cast<uint32_t>(static_cast<unsigned char>(random[1])) << 16) |
             (static_cast<uint32_t>(static_cast<unsigned char>(random[2])) << 8) |
             static_cast<uint32_t>(static_cast<unsigned char>(random[3]));
  } while (keys_.count(key_id) > 0);
  OCOP_ASSIGN_OR_RETURN(std::string pem, key.ToPem());
  OCOP_RETURN_IF_ERROR(WriteSecretFile(absl::StrCat(folder_, "/", token::KeyIdToHex(key_id), ".pem"), pem));
  keys_.emplace(key_id, std::move(key));
  return key_id;
}

absl::Status KeyStore::WriteSigningId(uint32_t key_id) {
  return WriteSmallFile(folder_ + "/signing", token::KeyIdToHex(key_id));
}

absl::StatusOr<uint32_t> KeyStore::Rotate() {
  OCOP_ASSIGN_OR_RETURN(uint32_t key_id, CreateKey());
  OCOP_RETURN_IF_ERROR(WriteSigningId(key_id));
  signing_key_id_ = key_id;
  return key_id;
}

absl::StatusOr<const crypto::Ed25519PrivateKey*> KeyStore::Key(uint32_t key_id) const {
  auto it = keys_.find(key_id);
  if (it == keys_.end()) return absl::NotFoundError(absl::StrCat("key ", token::KeyIdToHex(key_id), " not held"));
  return &it->second;
}

std::vector<PublicKeyInfo> KeyStore::PublicKeys() const {
  std::vector<PublicKeyInfo> keys;
  for (const auto& [key_id, key] : keys_) {
    keys.push_back(PublicKeyInfo{key_id, key.PublicKey(), key_id == signing_key_id_});
  }
  return keys;
}

}  // namespace ocop::keys
