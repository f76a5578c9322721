#include "common/auth/password.h"

#include <argon2.h>

#include <string_view>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/crypto/digest.h"
#include "common/status/status_macros.h"

namespace ocop::auth {
namespace {

constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

}  // namespace

absl::Status CheckPasswordRules(absl::string_view password) {
  if (password.size() < 10) return absl::InvalidArgumentError("password: must be at least 10 characters");
  if (password.size() > 256) return absl::InvalidArgumentError("password: must be at most 256 bytes");
  return absl::OkStatus();
}

absl::StatusOr<std::string> HashPassword(absl::string_view password, const PasswordParams& params) {
  OCOP_RETURN_IF_ERROR(CheckPasswordRules(password));
  OCOP_ASSIGN_OR_RETURN(std::string salt, crypto::RandomBytes(kSaltBytes));
  const size_t length = argon2_encodedlen(params.passes, params.memory_kib, params.lanes, kSaltBytes, kHashBytes,
                                          Argon2_id);
  std::vector<char> encoded(length);
  const int result = argon2id_hash_encoded(params.passes, params.memory_kib, params.lanes, password.data(),
                                           password.size(), salt.data(), salt.size(), kHashBytes, encoded.data(),
                                           encoded.size());
  if (result != ARGON2_OK) return absl::InternalError(absl::StrCat("argon2id: ", argon2_error_message(result)));
  return std::string(encoded.data());
}

bool VerifyPassword(absl::string_view encoded, absl::string_view password) {
  // argon2id_verify needs a NUL-terminated encoded hash.
  const std::string terminated(encoded);
  return argon2id_verify(terminated.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace ocop::auth
