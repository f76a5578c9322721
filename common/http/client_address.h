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

// "ipv4:1.2.3.4:5678" / "ipv6:[::1]:5678" (grpc::ServerContext::peer()) -> the address; anything
// else (a unix socket) as it is.
std::string AddressOfGrpcPeer(const std::string& peer);

// Who a client is, for rate limits and for counting distinct clients: its network, not its exact
// address. An IPv6 client is its /64 ("2001:db8:1:2::/64"): one subscriber or one host gets a whole
// /64 and can pick a new address from it for every request. An IPv4 client (IPv4-mapped IPv6
// included) is its full address: IPv4 addresses are scarce, and mobile carriers already put many
// phones behind one address (CGNAT), so grouping further would make strangers share a rate limit.
// Anything that is not an address (a unix socket peer) is returned as is.
std::string ClientNetwork(absl::string_view address);

}  // namespace ocop::http
