#include "services/stamp/pin_secrets.h"

#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "common/crypto/digest.h"
#include "common/status/status_macros.h"
#include "common/keys/secret_files.h"

namespace ocop::stamp {
namespace {

constexpr absl::string_view kPinPrefix{"ocop-trace/pin/v1\0", 18};
constexpr size_t kSecretBytes = 32;

bool IsSecretId(absl::string_view id) {
  if (id.size() != 8) return false;
  for (char c : id) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
  }
  return true;
}

}  // namespace

std::string DerivePin(absl::string_view secret, uint64_t serial) {
  std::string message(kPinPrefix);
  for (int i = 7; i >= 0; --i) message.push_back(static_cast<char>((serial >> (8 * i)) & 0xff));
  std::string mac = crypto::HmacSha256(std::string_view(secret.data(), secret.size()), message);
  uint64_t number = 0;
  for (int i = 0; i < 8; ++i) number = (number << 8) | static_cast<unsigned char>(mac[static_cast<size_t>(i)]);
  return absl::StrFormat("%08u", number % 100'000'000u);
}

absl::StatusOr<std::unique_ptr<PinSecrets>> PinSecrets::Open(const std::string& folder) {
  auto store = std::make_unique<PinSecrets>();
  OCOP_RETURN_IF_ERROR(keys::EnsureSecretFolder(folder));
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    std::string file = entry.path().filename().string();
    absl::string_view id = file;
    if (!absl::ConsumeSuffix(&id, ".secret")) continue;
    if (!IsSecretId(id)) return absl::FailedPreconditionError(absl::StrCat(entry.path().string(), ": bad secret id"));
    OCOP_ASSIGN_OR_RETURN(std::string secret, keys::ReadSecretFile(entry.path().string()));
    if (secret.size() != kSecretBytes) {
      return absl::FailedPreconditionError(absl::StrCat(entry.path().string(), ": must hold 32 bytes"));
    }
    store->secrets_.emplace(std::string(id), std::move(secret));
  }
  std::string current_path = folder + "/current";
  if (store->secrets_.empty()) {
    OCOP_ASSIGN_OR_RETURN(std::string secret, crypto::RandomBytes(kSecretBytes));
    OCOP_ASSIGN_OR_RETURN(std::string raw_id, crypto::RandomBytes(4));
    std::string id = crypto::HexEncode(raw_id);
    OCOP_RETURN_IF_ERROR(keys::WriteSecretFile(absl::StrCat(folder, "/", id, ".secret"), secret));
    OCOP_RETURN_IF_ERROR(keys::WriteSmallFile(current_path, id));
    store->secrets_.emplace(id, std::move(secret));
    store->current_id_ = id;
    return store;
  }
  std::ifstream in(current_path);
  std::string line;
  std::getline(in, line);
  std::string current(absl::StripAsciiWhitespace(line));
  if (store->secrets_.count(current) == 0) {
    return absl::FailedPreconditionError(absl::StrCat(current_path, " names PIN secret '", current, "' which is missing"));
  }
  store->current_id_ = current;
  return store;
}

absl::StatusOr<std::string> PinSecrets::Pin(const std::string& secret_id, uint64_t serial) const {
  auto it = secrets_.find(secret_id);
  if (it == secrets_.end()) return absl::NotFoundError(absl::StrCat("PIN secret ", secret_id, " not held"));
  return DerivePin(it->second, serial);
}

}  // namespace ocop::stamp
