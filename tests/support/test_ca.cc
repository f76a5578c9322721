#include "tests/support/test_ca.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ocop::testing {
namespace {

struct Free {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
  void operator()(X509* certificate) const { X509_free(certificate); }
  void operator()(BIO* bio) const { BIO_free(bio); }
};
using Key = std::unique_ptr<EVP_PKEY, Free>;
using Certificate = std::unique_ptr<X509, Free>;
using Bio = std::unique_ptr<BIO, Free>;

absl::Status Failed(const char* what) { return absl::InternalError(absl::StrCat("test CA: ", what, " failed")); }

std::string Text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

absl::StatusOr<std::string> KeyPem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)) return Failed("key PEM");
  return Text(bio.get());
}

absl::StatusOr<std::string> CertificatePem(X509* certificate) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_X509(bio.get(), certificate)) return Failed("certificate PEM");
  return Text(bio.get());
}

absl::StatusOr<Key> ReadKey(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return Failed("reading the CA key");
  return key;
}

absl::StatusOr<Certificate> ReadCertificate(const std::string& pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Certificate certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) return Failed("reading the CA certificate");
  return certificate;
}

bool AddExtension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str());
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(certificate, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

// A certificate for `subject_key`, signed by `issuer_key` (issuer: `issuer`, or itself when null).
absl::StatusOr<Certificate> Sign(EVP_PKEY* subject_key, const std::string& common_name, X509* issuer,
                                 EVP_PKEY* issuer_key, absl::Time not_before, absl::Time not_after, bool ca,
                                 const std::string& host) {
  static long serial = 1;
  Certificate certificate(X509_new());
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), absl::ToInt64Seconds(not_before - absl::Now()));
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), absl::ToInt64Seconds(not_after - absl::Now()));
  X509_set_pubkey(certificate.get(), subject_key);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(certificate.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509* signer = issuer != nullptr ? issuer : certificate.get();
  if (ca) {
    if (!AddExtension(certificate.get(), signer, NID_basic_constraints, "critical,CA:TRUE") ||
        !AddExtension(certificate.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign")) {
      return Failed("CA extensions");
    }
  } else {
    const bool address = host.find_first_not_of("0123456789.") == std::string::npos;
    if (!AddExtension(certificate.get(), signer, NID_subject_alt_name, absl::StrCat(address ? "IP:" : "DNS:", host)) ||
        !AddExtension(certificate.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth")) {
      return Failed("leaf extensions");
    }
  }
  if (X509_sign(certificate.get(), issuer_key, EVP_sha256()) == 0) return Failed("signing");
  return certificate;
}

}  // namespace

absl::StatusOr<TestCa> TestCa::Create(const std::string& name) {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return Failed("CA key");
  const absl::Time now = absl::Now();
  absl::StatusOr<Certificate> certificate =
      Sign(key.get(), name, nullptr, key.get(), now - absl::Hours(1), now + absl::Hours(24 * 365), true, "");
  if (!certificate.ok()) return certificate.status();
  TestCa ca;
  ca.name_ = name;
  absl::StatusOr<std::string> certificate_pem = CertificatePem(certificate->get());
  absl::StatusOr<std::string> key_pem = KeyPem(key.get());
  if (!certificate_pem.ok() || !key_pem.ok()) return Failed("CA PEM");
  ca.ca_ = PemPair{*certificate_pem, *key_pem};
  return ca;
}

absl::StatusOr<PemPair> TestCa::Issue(const std::string& host, absl::Time not_before, absl::Time not_after) const {
  absl::StatusOr<Key> ca_key = ReadKey(ca_.private_key);
  if (!ca_key.ok()) return ca_key.status();
  absl::StatusOr<Certificate> ca_certificate = ReadCertificate(ca_.certificate);
  if (!ca_certificate.ok()) return ca_certificate.status();
  Key key(EVP_EC_gen("P-256"));
  if (!key) return Failed("leaf key");
  absl::StatusOr<Certificate> certificate =
      Sign(key.get(), host, ca_certificate->get(), ca_key->get(), not_before, not_after, false, host);
  if (!certificate.ok()) return certificate.status();
  absl::StatusOr<std::string> certificate_pem = CertificatePem(certificate->get());
  absl::StatusOr<std::string> key_pem = KeyPem(key.get());
  if (!certificate_pem.ok() || !key_pem.ok()) return Failed("leaf PEM");
  return PemPair{*certificate_pem, *key_pem};
}

absl::StatusOr<PemPair> TestCa::Issue(const std::string& host) const {
  const absl::Time now = absl::Now();
  return Issue(host, now - absl::Hours(1), now + absl::Hours(24));
}

}  // namespace ocop::testing
