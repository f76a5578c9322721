// Who a request comes from: trusted proxy lists, X-Forwarded-For, gRPC peers and client networks.
// Input: "proxies\npeer\nforwarded-for" (proxies comma-separated). Properties: the client is the
// peer or one of the forwarded addresses; it is never a trusted proxy unless everything is one.
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/http/client_address.h"
#include "tests/fuzz/fuzz_target.h"

namespace ocop::fuzz {
namespace {

int Run(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts = absl::StrSplit(input, absl::MaxSplits('\n', 2));
  parts.resize(3);
  std::vector<std::string> cidrs = absl::StrSplit(parts[0], ',', absl::SkipEmpty());
  absl::StatusOr<http::TrustedProxies> proxies = http::TrustedProxies::Parse(cidrs);
  const http::TrustedProxies trusted = proxies.ok() ? *proxies : http::TrustedProxies();
  const std::string client = http::ClientAddress(parts[1], parts[2], trusted);
  const std::string peer(absl::StripAsciiWhitespace(parts[1]));
  FUZZ_CHECK(client == peer || absl::StrContains(parts[2], client));
  if (client != peer) FUZZ_CHECK(trusted.Contains(peer) && !client.empty());
  (void)http::ClientNetwork(client);
  (void)http::ClientNetwork(parts[2]);
  (void)http::AddressOfGrpcPeer(parts[1]);
  return 0;
}

std::vector<std::string> Seeds() {
  return {"10.0.0.0/8,127.0.0.1\n127.0.0.1\n203.0.113.9, 10.1.2.3",
          "fd00::/8\nfd00::1\n2001:db8:1:2::77, fd00::2",
          "\n198.51.100.4\n1.2.3.4",
          "127.0.0.1\n127.0.0.1\n::ffff:192.0.2.1,  garbage , 127.0.0.1",
          "0.0.0.0/0,::/0\nipv6:[::1]:5678\n"};
}

}  // namespace

OCOP_FUZZ_TARGET(client_address, Run, Seeds);

}  // namespace ocop::fuzz
