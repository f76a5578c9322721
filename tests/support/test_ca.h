// A certificate authority made in the test, for real TLS handshakes: a CA, and certificates it
// signs for a host name or address, valid (or expired) as asked. EC P-256 keys, PEM text.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ocop::testing {

struct PemPair {
  std::string certificate;  // PEM
  std::string private_key;  // PEM (PKCS #8)
};

class TestCa {
 public:
  // A self-signed CA named `name`, valid from an hour ago for a year.
  static absl::StatusOr<TestCa> Create(const std::string& name);

  // A leaf certificate for `host` (a DNS name, or an IP address such as 127.0.0.1, put in the
  // subject alternative names) valid from `not_before` to `not_after`.
  absl::StatusOr<PemPair> Issue(const std::string& host, absl::Time not_before, absl::Time not_after) const;
  // Valid from an hour ago for a day.
  absl::StatusOr<PemPair> Issue(const std::string& host) const;

  const std::string& certificate() const { return ca_.certificate; }

 private:
  PemPair ca_;
  std::string name_;
};

}  // namespace ocop::testing
