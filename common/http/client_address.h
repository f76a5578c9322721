// Which client a request comes from, behind an ingress or not.
//
// X-Forwarded-For is believed only when the TCP peer is a trusted proxy: otherwise any client could
// claim to be anyone (and get a fresh rate-limit bucket per request). Behind trusted proxies the
// client is the right-most address in X-Forwarded-For that is not itself a trusted proxy (each
// proxy appends the address it saw; entries further left were written by the client and are not
// evidence).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ocop::http {

// A set of trusted proxy networks ("10.0.0.0/8", "127.0.0.1", "fd00::/8").
class TrustedProxies {
 public:
  // INVALID_ARGUMENT naming the entry when one is not an IPv4/IPv6 address or CIDR block.
  static absl::StatusOr<TrustedProxies> Parse(const std::vector<std::string>& cidrs);

  bool Contains(absl::string_view address) const;
  bool empty() const { return networks_.empty(); }

 private:
  struct Network {
    std::string bytes;  // 4 or 16 bytes
    int prefix_bits = 0;
  };
  std::vector<Network> networks_;
};

// The client's address: `peer_address` unless it is a trusted proxy, then as described above.
std::string ClientAddress(absl::string_view peer_address, absl::string_view forwarded_for,
                          const TrustedProxies& trusted);

}  // namespace ocop::http
