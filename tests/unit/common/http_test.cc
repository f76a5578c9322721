// A real HttpServer on a loopback port, spoken to over a plain socket.
#include "common/http/http_server.h"
#include "common/http/client_address.h"
#include "common/http/web.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/support/captured_logs.h"
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

// A connected loopback socket (-1 on failure).
int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Sends `request` on `fd` and reads until the server closes or 5 s pass.
std::string SendAndRead(int fd, const std::string& request) {
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (!request.empty()) send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) response.append(buffer, static_cast<size_t>(n));
  return response;
}

std::string StatusLine(const std::string& response) { return response.substr(0, response.find("\r\n")); }

// Waits until `condition` holds (at most 5 s): the server counts connections on its own thread.
bool Eventually(const std::function<bool()>& condition) {
  for (int i = 0; i < 500; ++i) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

const char kGetAndClose[] = "GET /s/x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";

TEST(HttpServer, OneClientsConnectionsAreCappedAndTheCapFreesWhenTheyClose) {
  HttpServerOptions options;
  options.max_connections_per_peer = 3;
  auto server = HttpServer::Start(options, [](const HttpRequest&) { return HttpResponse{200, {}, "ok"}; });
  ASSERT_THAT(server, IsOk());
  std::vector<int> held;
  for (int i = 0; i < 3; ++i) held.push_back(Connect((*server)->port()));
  ASSERT_TRUE(Eventually([&] { return (*server)->counters().open_connections == 3; }));
  const int fourth = Connect((*server)->port());
  ASSERT_GE(fourth, 0);
  const std::string refused = SendAndRead(fourth, kGetAndClose);
  close(fourth);
  EXPECT_EQ(StatusLine(refused), "HTTP/1.1 429 Too Many Requests") << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  EXPECT_EQ((*server)->counters().refused_per_peer_cap, 1);
  // The held connections are still served, and once they close the client may connect again.
  EXPECT_EQ(StatusLine(SendAndRead(held[0], kGetAndClose)), "HTTP/1.1 200 OK");
  for (int fd : held) close(fd);
  ASSERT_TRUE(Eventually([&] { return (*server)->counters().open_connections == 0; }));
  EXPECT_EQ(StatusLine(Exchange((*server)->port(), kGetAndClose)), "HTTP/1.1 200 OK");
}

TEST(HttpServer, TheTotalCapRefusesWith503AndTrustedProxiesAreNotCappedPerPeer) {
  HttpServerOptions options;
  options.max_connections = 4;
  options.max_connections_per_peer = 2;
  auto proxies = TrustedProxies::Parse({"127.0.0.1"});
  ASSERT_THAT(proxies, IsOk());
  options.uncapped_peers = *proxies;
  auto server = HttpServer::Start(options, [](const HttpRequest&) { return HttpResponse{200, {}, "ok"}; });
  ASSERT_THAT(server, IsOk());
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) held.push_back(Connect((*server)->port()));  // past the per-peer cap: a proxy
  ASSERT_TRUE(Eventually([&] { return (*server)->counters().open_connections == 4; }));
  const int fifth = Connect((*server)->port());
  const std::string refused = SendAndRead(fifth, kGetAndClose);
  close(fifth);
  EXPECT_EQ(StatusLine(refused), "HTTP/1.1 503 Service Unavailable") << refused;
  EXPECT_NE(refused.find("Hệ thống đang bận"), std::string::npos) << refused;
  EXPECT_EQ((*server)->counters().refused_total_cap, 1);
  EXPECT_EQ((*server)->counters().refused_per_peer_cap, 0);
  for (int fd : held) close(fd);
}

// One worker, busy: one request may wait, the next is told "busy" at once, and a request that
// waited past its deadline is answered 503 without its handler running.
TEST(HttpServer, TheWorkerQueueIsBoundedAndStaleRequestsAreShed) {
  HttpServerOptions options;
  options.worker_threads = 1;
  options.max_queued_requests = 1;
  options.queue_deadline = absl::Milliseconds(200);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> handled{0};
  auto server = HttpServer::Start(options, [&](const HttpRequest& request) {
    ++handled;
    if (request.target == "/slow") released.wait();
    return HttpResponse{200, {}, "ok"};
  });
  ASSERT_THAT(server, IsOk());
  const int port = (*server)->port();
  auto slow = std::async(std::launch::async, [&] {
    return Exchange(port, "GET /slow HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  });
  ASSERT_TRUE(Eventually([&] { return handled.load() == 1; }));
  auto waiting = std::async(std::launch::async, [&] { return Exchange(port, kGetAndClose); });
  ASSERT_TRUE(Eventually([&] { return (*server)->counters().queued_requests == 1; }));
  const std::string full = Exchange(port, kGetAndClose);
  EXPECT_EQ(StatusLine(full), "HTTP/1.1 503 Service Unavailable") << full;
  EXPECT_EQ((*server)->counters().refused_queue_full, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past the waiting request's deadline
  release.set_value();
  EXPECT_EQ(StatusLine(slow.get()), "HTTP/1.1 200 OK");
  EXPECT_EQ(StatusLine(waiting.get()), "HTTP/1.1 503 Service Unavailable");
  EXPECT_EQ((*server)->counters().shed_past_deadline, 1);
  EXPECT_EQ(handled.load(), 1);  // the shed request never reached the handler
  EXPECT_EQ(StatusLine(Exchange(port, kGetAndClose)), "HTTP/1.1 200 OK");
}

// With no descriptor left, accept() fails while the connection waits in the backlog. The server
// must back off rather than retry at once (which spins a core on the same error), and serve the
// connection once descriptors are free again.
TEST(HttpServer, AcceptBacksOffWhenOutOfDescriptorsAndRecovers) {
  HttpServerOptions options;
  options.accept_backoff = absl::Milliseconds(10);
  options.max_accept_backoff = absl::Milliseconds(100);
  auto server = HttpServer::Start(options, [](const HttpRequest&) { return HttpResponse{200, {}, "served"}; });
  ASSERT_THAT(server, IsOk());
  rlimit original{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &original), 0);
  rlimit lowered = original;
  lowered.rlim_cur = std::min<rlim_t>(original.rlim_cur, 4096);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  // Use up every descriptor but one, then connect with that one: the server cannot accept it.
  std::vector<int> fillers;
  for (int fd; (fd = open("/dev/null", O_RDONLY)) >= 0;) fillers.push_back(fd);
  close(fillers.back());
  fillers.pop_back();
  const int client = Connect((*server)->port());
  ASSERT_GE(client, 0);
  send(client, kGetAndClose, sizeof(kGetAndClose) - 1, MSG_NOSIGNAL);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const int64_t errors = (*server)->counters().accept_errors;
  for (int fd : fillers) close(fd);
  setrlimit(RLIMIT_NOFILE, &original);
  // 10, 20, 40, 80, 100, 100 ... ms: about 8 attempts in 500 ms; a spinning loop makes thousands.
  EXPECT_GE(errors, 1);
  EXPECT_LE(errors, 20);
  const std::string response = SendAndRead(client, "");
  close(client);
  EXPECT_EQ(StatusLine(response), "HTTP/1.1 200 OK") << response;
  EXPECT_NE(response.find("served"), std::string::npos);
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

// Every answer names its request (X-Request-Id), the handler runs with it as its thread's id (so
// backend calls carry it), and its access line has it. Only a trusted proxy may name the request.
TEST(HttpServer, EveryRequestHasAnIdOnlyATrustedProxyMayChoose) {
  ocop::testing::CapturedLogs captured;
  std::mutex mutex;
  std::vector<std::pair<std::string, std::string>> seen;  // request.request_id, logs::CurrentRequestId()
  auto handler = [&](const HttpRequest& request) {
    std::lock_guard lock(mutex);
    seen.emplace_back(request.request_id, logs::CurrentRequestId());
    return HttpResponse{200, {}, "ok"};
  };
  const std::string kGetWithId =
      "GET /s/abc?pin=12345678 HTTP/1.1\r\nHost: a\r\nX-Request-Id: from-proxy-1\r\nConnection: close\r\n\r\n";

  auto untrusting = HttpServer::Start({}, handler);
  ASSERT_THAT(untrusting, IsOk());
  const std::string refused_id = Exchange((*untrusting)->port(), kGetWithId);
  EXPECT_EQ(refused_id.find("from-proxy-1"), std::string::npos) << refused_id;
  HttpServerOptions options;
  auto proxies = TrustedProxies::Parse({"127.0.0.1"});
  ASSERT_THAT(proxies, IsOk());
  options.uncapped_peers = *proxies;
  auto trusting = HttpServer::Start(options, handler);
  ASSERT_THAT(trusting, IsOk());
  const std::string kept_id = Exchange((*trusting)->port(), kGetWithId);
  EXPECT_NE(kept_id.find("X-Request-Id: from-proxy-1\r\n"), std::string::npos) << kept_id;
  // A malformed id, even from a proxy, is replaced.
  const std::string bad_id = Exchange(
      (*trusting)->port(), "GET / HTTP/1.1\r\nHost: a\r\nX-Request-Id: two words\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(bad_id.find("two words"), std::string::npos) << bad_id;

  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 3u);
  for (const auto& [given, current] : seen) {
    EXPECT_TRUE(logs::IsValidRequestId(given)) << given;
    EXPECT_EQ(given, current);  // the handler ran under its request's id
  }
  EXPECT_NE(seen[0].first, "from-proxy-1");
  EXPECT_NE(refused_id.find("X-Request-Id: " + seen[0].first + "\r\n"), std::string::npos) << refused_id;
  EXPECT_EQ(seen[1].first, "from-proxy-1");
  // Access lines: one per request, with its id and status, and without the query (a PIN).
  std::vector<std::string> access;
  for (const std::string& line : captured.lines()) {
    if (line.find("\"msg\":\"http\"") != std::string::npos) access.push_back(line);
  }
  ASSERT_EQ(access.size(), 3u);
  EXPECT_NE(access[1].find("\"request_id\":\"from-proxy-1\""), std::string::npos) << access[1];
  EXPECT_NE(access[1].find("\"path\":\"/s/abc\""), std::string::npos) << access[1];
  EXPECT_NE(access[1].find("\"status\":200"), std::string::npos) << access[1];
  for (const std::string& line : access) EXPECT_EQ(line.find("12345678"), std::string::npos) << line;
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


// A form with file inputs as a browser sends it: each part by its name, a file's bytes unchanged
// (CR LF inside a CSV kept, bytes that are not UTF-8 too); broken bodies refused, never a crash.
TEST(Web, MultipartFormsGiveEachPartByNameAndFilesByteForByte) {
  const std::string type = "multipart/form-data; boundary=----WebKitFormBoundaryAbC123";
  const std::string csv = "name,commune\r\nHTX Chè,05503\r\n\xff\xfe raw\r\n";
  const std::string body =
      "------WebKitFormBoundaryAbC123\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nTOKEN\r\n"
      "------WebKitFormBoundaryAbC123\r\nContent-Disposition: form-data; name=\"producers\"; "
      "filename=\"producers.csv\"\r\nContent-Type: text/csv\r\n\r\n" + csv +
      "\r\n------WebKitFormBoundaryAbC123\r\nContent-Disposition: form-data; name=\"empty\"; filename=\"\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n\r\n------WebKitFormBoundaryAbC123--\r\n";
  auto fields = ParseMultipartForm(type, body);
  ASSERT_TRUE(fields.ok()) << fields.status();
  EXPECT_EQ((*fields)["csrf"], "TOKEN");
  EXPECT_EQ((*fields)["producers"], csv);
  EXPECT_EQ((*fields)["empty"], "");
  EXPECT_EQ(fields->size(), 3u);
  auto quoted = ParseMultipartForm("multipart/form-data; boundary=\"----WebKitFormBoundaryAbC123\"", body);
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ((*quoted)["csrf"], "TOKEN");

  EXPECT_FALSE(ParseMultipartForm("application/x-www-form-urlencoded", body).ok());
  EXPECT_FALSE(ParseMultipartForm("multipart/form-data", body).ok());
  EXPECT_FALSE(ParseMultipartForm(type, "").ok());
  EXPECT_FALSE(ParseMultipartForm(type, body.substr(0, body.size() / 2)).ok()) << "a part that does not end";
  EXPECT_FALSE(ParseMultipartForm(type, "------WebKitFormBoundaryAbC123\r\nContent-Type: text/plain\r\n\r\nx\r\n"
                                        "------WebKitFormBoundaryAbC123--").ok())
      << "a part without a name";
  // Every prefix of a good body is answered, never a crash.
  for (size_t length = 0; length < body.size(); ++length) (void)ParseMultipartForm(type, body.substr(0, length));
}

TEST(Web, FormsQueriesAndCookiesAreDecodedAndBrokenOnesRefused) {
  auto form = ParseForm("username=htx.t%C3%A2n&password=a+b%21%3D&empty=&flag&username=second");
  ASSERT_THAT(form, IsOk());
  EXPECT_EQ((*form)["username"], "htx.tân");  // the first of two
  EXPECT_EQ((*form)["password"], "a b!=");
  EXPECT_EQ((*form)["empty"], "");
  EXPECT_EQ(form->count("flag"), 1u);
  EXPECT_THAT(ParseForm("a=%zz"), ocop::testing::StatusIs(absl::StatusCode::kInvalidArgument, "%-escape"));
  EXPECT_THAT(ParseForm("a=%4"), ocop::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  for (const char* not_utf8 : {"a=%FF", "a=%C3", "a=%C0%AF", "a=%ED%A0%80"}) {  // a stray, cut, overlong, surrogate
    EXPECT_THAT(ParseForm(not_utf8), ocop::testing::StatusIs(absl::StatusCode::kInvalidArgument, "UTF-8")) << not_utf8;
  }
  auto query = ParseQuery("/producers?q=m%E1%BA%ADt+ong&page=abc");
  ASSERT_THAT(query, IsOk());
  EXPECT_EQ((*query)["q"], "mật ong");
  EXPECT_EQ((*query)["page"], "abc");
  EXPECT_TRUE(ParseQuery("/producers")->empty());
  EXPECT_EQ(PathOf("/producers?q=1"), "/producers");
  EXPECT_EQ(UrlEncode("mật ong&x=1"), "m%E1%BA%ADt%20ong%26x%3D1");
  EXPECT_EQ((*ParseForm("q=" + UrlEncode("mật ong&x=1")))["q"], "mật ong&x=1");  // round trip
  std::map<std::string, std::string> cookies = ParseCookies("a=1; __Host-x=v=w;b ; =z; a=2");
  EXPECT_EQ(cookies["a"], "1");
  EXPECT_EQ(cookies["__Host-x"], "v=w");
  EXPECT_EQ(cookies.count("b"), 0u);
  EXPECT_EQ(cookies.size(), 2u);
  EXPECT_EQ(HtmlEscape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
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
