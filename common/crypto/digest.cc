#include "common/crypto/digest.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

namespace ocop::crypto {

std::string Sha256(std::string_view data) {
  std::string digest(32, '\0');
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(digest.data()), &size,
             EVP_sha256(), nullptr);
  return digest;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  std::string mac(32, '\0');
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       reinterpret_cast<unsigned char*>(mac.data()), &size);
  return mac;
}

struct HmacSha256Key::Contexts {
  EVP_MD_CTX* inner = EVP_MD_CTX_new();
  EVP_MD_CTX* outer = EVP_MD_CTX_new();
};

HmacSha256Key::HmacSha256Key(std::string_view key) : contexts_(new Contexts) {
  // RFC 2104: a key longer than the block is hashed first; then H(K ^ opad, H(K ^ ipad, data)).
  constexpr size_t kBlock = 64;
  std::string block = key.size() > kBlock ? Sha256(key) : std::string(key);
  block.resize(kBlock, '\0');
  std::string inner_pad(kBlock, '\0');
  std::string outer_pad(kBlock, '\0');
  for (size_t i = 0; i < kBlock; ++i) {
    inner_pad[i] = static_cast<char>(block[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(block[i] ^ 0x5c);
  }
  EVP_DigestInit_ex(contexts_->inner, EVP_sha256(), nullptr);
  EVP_DigestUpdate(contexts_->inner, inner_pad.data(), kBlock);
  EVP_DigestInit_ex(contexts_->outer, EVP_sha256(), nullptr);
  EVP_DigestUpdate(contexts_->outer, outer_pad.data(), kBlock);
  OPENSSL_cleanse(block.data(), block.size());
  OPENSSL_cleanse(inner_pad.data(), inner_pad.size());
  OPENSSL_cleanse(outer_pad.data(), outer_pad.size());
}

HmacSha256Key::~HmacSha256Key() {
  EVP_MD_CTX_free(contexts_->inner);
  EVP_MD_CTX_free(contexts_->outer);
  delete contexts_;
}

std::string HmacSha256Key::Mac(std::string_view data) const {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  unsigned char inner[EVP_MAX_MD_SIZE];
  unsigned int inner_size = 0;
  std::string mac(32, '\0');
  unsigned int size = 0;
  EVP_MD_CTX_copy_ex(context, contexts_->inner);
  EVP_DigestUpdate(context, data.data(), data.size());
  EVP_DigestFinal_ex(context, inner, &inner_size);
  EVP_MD_CTX_copy_ex(context, contexts_->outer);
  EVP_DigestUpdate(context, inner, inner_size);
  EVP_DigestFinal_ex(context, reinterpret_cast<unsigned char*>(mac.data()), &size);
  EVP_MD_CTX_free(context);
  return mac;
}

absl::StatusOr<std::string> RandomBytes(size_t size) {
  std::string bytes(size, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(size)) != 1) {
    return absl::InternalError("random: CSPRNG failure");
  }
  return bytes;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char byte : bytes) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

}  // namespace ocop::crypto
