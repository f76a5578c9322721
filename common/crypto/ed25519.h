// Ed25519 keys, signatures and verification over OpenSSL 3 EVP.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace ocop::crypto {

inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// An Ed25519 private key. Never logged, never sent: only its public half leaves this object.
class Ed25519PrivateKey {
 public:
  // A fresh key from the OS random source.
  static absl::StatusOr<Ed25519PrivateKey> Generate();
  // Parses a PKCS#8 PEM private key; INVALID_ARGUMENT if it is not an Ed25519 key.
  static absl::StatusOr<Ed25519PrivateKey> FromPem(std::string_view pem);

  // PKCS#8 PEM, for writing to a 0600 key file.
  absl::StatusOr<std::string> ToPem() const;
  // The raw 32-byte public key.
  std::string PublicKey() const;
  // The 64-byte signature of `message` (deterministic, RFC 8032).
  absl::StatusOr<std::string> Sign(std::string_view message) const;

 private:
  explicit Ed25519PrivateKey(PkeyPtr key) : key_(std::move(key)) {}
  std::shared_ptr<EVP_PKEY> key_;
};

// Verifies signatures against one public key. Thread-safe.
class Ed25519Verifier {
 public:
  // INVALID_ARGUMENT unless `public_key` is 32 bytes.
  static absl::StatusOr<Ed25519Verifier> FromPublicKey(std::string_view public_key);
  // True only for a valid signature of `message`.
  bool Verify(std::string_view message, std::string_view signature) const;
  const std::string& public_key() const { return public_key_; }

 private:
  Ed25519Verifier(PkeyPtr key, std::string public_key)
      : key_(std::move(key)), public_key_(std::move(public_key)) {}
  std::shared_ptr<EVP_PKEY> key_;
  std::string public_key_;
};

}  // namespace ocop::crypto
