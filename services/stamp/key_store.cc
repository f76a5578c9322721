#include "services/stamp/key_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/crypto/digest.h"
#include "common/status/status_macros.h"
#include "common/token/token.h"

namespace ocop::stamp {
namespace {

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return absl::NotFoundError(absl::StrCat(path, ": cannot stat"));
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": key file must not be accessible by group or others (chmod 600)"));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) return absl::InternalError(absl::StrCat(path, ": cannot read"));
  return content.str();
}

// Creates `path` with mode 0600 from the start, so the key is never briefly world-readable.
absl::Status WriteSecretFile(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat(path, ": cannot create"));
  bool written = write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  written = fsync(fd) == 0 && written;
  close(fd);
  if (!written) return absl::InternalError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<KeyStore>> KeyStore::Open(const std::string& folder) {
  std::unique_ptr<KeyStore> store(new KeyStore(folder));
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) return absl::InternalError(absl::StrCat(folder, ": cannot create key folder: ", error.message()));
  std::filesystem::permissions(folder, std::filesystem::perms::owner_all, error);
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
  std::string path = folder_ + "/signing";
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << token::KeyIdToHex(key_id) << "\n";
    if (!out) return absl::InternalError(absl::StrCat(temporary, ": cannot write"));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat(path, ": cannot replace"));
  }
  return absl::OkStatus();
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

}  // namespace ocop::stamp
