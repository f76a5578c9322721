// A real HttpServer on a loopback port, spoken to over a plain socket.
#include "common/http/http_server.h"
#include "common/http/client_address.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "tests/support/processes.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_ca.h"

namespace ocop::http {
namespace {

using ::ocop::testing::IsOk;

std::string Exchange(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) return "";
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  return response;
}

TEST(HttpServer, RunsTheHandlerOnAWorkerAndWritesItsResponse) {
  auto server = HttpServer::Start({}, [](const HttpRequest& request) {
    return HttpResponse{201, {{"Content-Type", "text/plain"}},
                        absl::StrCat(request.method, " ", request.target, " ", request.headers.at("x-test"),
                                     " ", request.peer_address)};
  });
  ASSERT_THAT(server, IsOk());
  std::string response = Exchange((*server)->port(),
                                  "GET /s/abc?x=1 HTTP/1.1\r\nHost: a\r\nX-Test: yes\r\nConnection: close\r\n\r\n");
  EXPECT_NE(response.find("HTTP/1.1 201"), std::string::npos) << response;
  EXPECT_NE(response.find("GET /s/abc?x=1 yes 127.0.0.1"), std::string::npos) << response;
}

// With a certificate the port speaks HTTPS only: curl trusting the CA gets the page; curl
// trusting another CA, and plain HTTP, get nothing.
TEST(HttpServer, ACertificateMakesThePortHttps) {
  auto ca = ocop::testing::TestCa::Create("ocop-trace test CA");
  auto other = ocop::testing::TestCa::Create("someone else's CA");
  ASSERT_THAT(ca, IsOk());
  ASSERT_THAT(other, IsOk());
  auto certificate = ca->Issue("127.0.0.1");
  ASSERT_THAT(certificate, IsOk());
  HttpServerOptions options;
  options.tls_certificate_chain = certificate->certificate;
  options.tls_private_key = certificate->private_key;
  auto server = HttpServer::Start(options, [](const HttpRequest& request) {
    return HttpResponse{200, {{"Content-Type", "text/plain"}}, "tem chính hãng " + request.target};
  });
  ASSERT_THAT(server, IsOk());
  ocop::testing::TempDir dir;
  std::ofstream(dir.File("ca.pem")) << ca->certificate();
  std::ofstream(dir.File("other.pem")) << other->certificate();
  const std::string url = absl::StrCat("https://127.0.0.1:", (*server)->port(), "/s/abc");
  std::string trusted = ocop::testing::RunCommand("curl -sS --max-time 5 --cacert " + dir.File("ca.pem") + " " + url +
                                                  " 2>&1; echo exit=$?");
  EXPECT_NE(trusted.find("tem chính hãng /s/abc"), std::string::npos) << trusted;
  EXPECT_NE(trusted.find("exit=0"), std::string::npos) << trusted;
  std::string untrusted = ocop::testing::RunCommand("curl -sS --max-time 5 --cacert " + dir.File("other.pem") + " " +
                                                    url + " 2>&1; echo exit=$?");
  EXPECT_EQ(untrusted.find("tem chính hãng"), std::string::npos) << untrusted;
  EXPECT_EQ(untrusted.find("exit=0"), std::string::npos) << untrusted;
  std::string plain = Exchange((*server)->port(), "GET /s/abc HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(plain.find("tem chính hãng"), std::string::npos) << plain;
}

TEST(HttpServer, HeadGetsTheHeadersWithoutTheBody) {
  auto server = HttpServer::Start({}, [](const HttpRequest&) {
    return HttpResponse{200, {{"Content-Type", "text/plain"}}, "twelve bytes"};
  });
  ASSERT_THAT(server, IsOk());
  std::string response = Exchange((*server)->port(), "HEAD / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_NE(response.find("Content-Length: 12"), std::string::npos) << response;
  EXPECT_EQ(response.find("twelve bytes"), std::string::npos) << response;
}

TEST(HttpServer, OversizedHeadersAreRefusedWith431) {
  HttpServerOptions options;
  options.header_limit_bytes = 512;
  auto server = HttpServer::Start(options, [](const HttpRequest&) { return HttpResponse{}; });
  ASSERT_THAT(server, IsOk());
  std::string response = Exchange(
      (*server)->port(), absl::StrCat("GET / HTTP/1.1\r\nHost: a\r\nX-Big: ", std::string(2048, 'x'), "\r\n\r\n"));
  EXPECT_NE(response.find("HTTP/1.1 431"), std::string::npos) << response;
}

TEST(HttpServer, AHandlerThatThrowsGivesA500WithoutDetails) {
  auto server = HttpServer::Start({}, [](const HttpRequest&) -> HttpResponse {
    throw std::runtime_error("secret internal detail");
  });
  ASSERT_THAT(server, IsOk());
  std::string response = Exchange((*server)->port(), "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  EXPECT_NE(response.find("HTTP/1.1 500"), std::string::npos);
  EXPECT_EQ(response.find("secret"), std::string::npos);
}


TEST(ClientAddress, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  absl::StatusOr<TrustedProxies> trusted = TrustedProxies::Parse({"10.0.0.0/8", "fd00::/8", "127.0.0.1"});
  ASSERT_TRUE(trusted.ok());
  EXPECT_TRUE(trusted->Contains("10.1.2.3"));
  EXPECT_TRUE(trusted->Contains("::ffff:10.1.2.3"));  // IPv4-mapped
  EXPECT_TRUE(trusted->Contains("fd12::1"));
  EXPECT_FALSE(trusted->Contains("11.0.0.1"));
  EXPECT_FALSE(trusted->Contains("127.0.0.2"));
  // A client talking directly cannot choose its identity.
  EXPECT_EQ(ClientAddress("203.0.113.9", "1.1.1.1", *trusted), "203.0.113.9");
  // Behind the ingress: the right-most address that is not a trusted proxy.
  EXPECT_EQ(ClientAddress("10.0.0.5", "198.51.100.7", *trusted), "198.51.100.7");
  EXPECT_EQ(ClientAddress("10.0.0.5", "6.6.6.6, 198.51.100.7, 10.0.0.9", *trusted), "198.51.100.7");
  EXPECT_EQ(ClientAddress("10.0.0.5", "", *trusted), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", "not-an-ip", *trusted), "10.0.0.5");
  EXPECT_EQ(ClientAddress("10.0.0.5", "[2001:db8::1]", *trusted), "2001:db8::1");
  EXPECT_EQ(TrustedProxies::Parse({"10.0.0.0/33"}).status().message(),
            "trusted_proxies: '10.0.0.0/33' is not an IP address or CIDR block");
  EXPECT_FALSE(TrustedProxies::Parse({"proxy.local"}).ok());
}

TEST(ClientAddress, AClientIsItsIpv6SlashSixtyFourOrItsIpv4Address) {
  // Every address of one /64 is one client: a host cannot become 20 clients by rotating addresses.
  EXPECT_EQ(ClientNetwork("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
  EXPECT_EQ(ClientNetwork("2001:db8:1:2:ffff:ffff:ffff:fffe"), "2001:db8:1:2::/64");
  EXPECT_NE(ClientNetwork("2001:db8:1:3::1"), ClientNetwork("2001:db8:1:2::1"));
  EXPECT_EQ(ClientNetwork("[2001:DB8:1:2::9]"), "2001:db8:1:2::/64");
  EXPECT_EQ(ClientNetwork("198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(ClientNetwork("::ffff:198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(ClientNetwork("unix:/tmp/s"), "unix:/tmp/s");
}

}  // namespace
}  // namespace ocop::http
