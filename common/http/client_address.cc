#include "common/http/client_address.h"

#include <arpa/inet.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ocop::http {
namespace {

// The address as 4 (IPv4) or 16 (IPv6) bytes; IPv4-mapped IPv6 (::ffff:a.b.c.d) as IPv4. Empty
// when it is not an address.
std::string AddressBytes(absl::string_view text) {
  std::string address(absl::StripAsciiWhitespace(text));
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  unsigned char buffer[16];
  if (inet_pton(AF_INET, address.c_str(), buffer) == 1) return std::string(reinterpret_cast<char*>(buffer), 4);
  if (inet_pton(AF_INET6, address.c_str(), buffer) == 1) {
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(buffer, buffer + 12, kMapped)) return std::string(reinterpret_cast<char*>(buffer + 12), 4);
    return std::string(reinterpret_cast<char*>(buffer), 16);
  }
  return "";
}

}  // namespace

absl::StatusOr<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& cidrs) {
  TrustedProxies proxies;
  for (const std::string& cidr : cidrs) {
    if (absl::StripAsciiWhitespace(cidr).empty()) continue;
    std::pair<std::string, std::string> parts = absl::StrSplit(cidr, absl::MaxSplits('/', 1));
    Network network{AddressBytes(parts.first), 0};
    const int full = static_cast<int>(network.bytes.size()) * 8;
    network.prefix_bits = full;
    if (network.bytes.empty() ||
        (!parts.second.empty() && (!absl::SimpleAtoi(parts.second, &network.prefix_bits) ||
                                   network.prefix_bits < 0 || network.prefix_bits > full))) {
      return absl::InvalidArgumentError(
          absl::StrCat("trusted_proxies: '", cidr, "' is not an IP address or CIDR block"));
    }
    proxies.networks_.push_back(std::move(network));
  }
  return proxies;
}

bool TrustedProxies::Contains(absl::string_view address) const {
  const std::string bytes = AddressBytes(address);
  if (bytes.empty()) return false;
  for (const Network& network : networks_) {
    if (network.bytes.size() != bytes.size()) continue;
    int bits = network.prefix_bits;
    size_t i = 0;
    for (; bits >= 8; bits -= 8, ++i) {
      if (bytes[i] != network.bytes[i]) break;
    }
    if (bits >= 8) continue;
    if (bits == 0) return true;
    const unsigned char mask = static_cast<unsigned char>(0xff << (8 - bits));
    if ((static_cast<unsigned char>(bytes[i]) & mask) == (static_cast<unsigned char>(network.bytes[i]) & mask)) {
      return true;
    }
  }
  return false;
}

std::string ClientAddress(absl::string_view peer_address, absl::string_view forwarded_for,
                          const TrustedProxies& trusted) {
  std::string client(absl::StripAsciiWhitespace(peer_address));
  if (!trusted.Contains(client)) return client;
  std::vector<absl::string_view> hops = absl::StrSplit(forwarded_for, ',', absl::SkipWhitespace());
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    std::string address(absl::StripAsciiWhitespace(*hop));
    if (AddressBytes(address).empty()) return client;  // garbage: stop believing the header here
    if (address.front() == '[') address = address.substr(1, address.size() - 2);  // "[v6]" -> "v6"
    client = address;
    if (!trusted.Contains(address)) return client;
  }
  return client;
}

std::string AddressOfGrpcPeer(const std::string& peer) {
  if (absl::StartsWith(peer, "ipv4:")) {
    const std::string rest = peer.substr(5);
    return rest.substr(0, rest.rfind(':'));
  }
  if (absl::StartsWith(peer, "ipv6:")) {
    const std::string rest = peer.substr(5);
    const size_t close = rest.rfind(']');
    if (!rest.empty() && rest.front() == '[' && close != std::string::npos) return rest.substr(1, close - 1);
    return rest;
  }
  return peer;  // unix sockets and others: one bucket per peer string
}

std::string ClientNetwork(absl::string_view address) {
  std::string bytes = AddressBytes(address);
  char text[INET6_ADDRSTRLEN];
  if (bytes.size() == 4) {
    return inet_ntop(AF_INET, bytes.data(), text, sizeof(text)) != nullptr ? std::string(text) : std::string(address);
  }
  if (bytes.size() == 16) {
    std::fill(bytes.begin() + 8, bytes.end(), '\0');
    if (inet_ntop(AF_INET6, bytes.data(), text, sizeof(text)) == nullptr) return std::string(address);
    return absl::StrCat(text, "/64");
  }
  return std::string(address);
}

}  // namespace ocop::http
