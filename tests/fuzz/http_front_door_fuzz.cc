// The public HTTP front door: raw request bytes through the server's own parser
// (http::ParseHttpRequest) and lookup's real router, fast path then worker path, with every
// backend unavailable (the fuzzer cannot sign stamps, so what it reaches is parsing, routing,
// signature checks and the "cannot check now" answers). The stamp key is real, so seeds signed
// with it reach the resolver.
// Properties: a status from 200 to 599 with a Content-Type; input is never reflected unescaped
// (seeds carry "<fuzz" in paths, queries and bodies); with the backends down a stamp signed by our
// key is never called counterfeit.
#include <map>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "common/crypto/ed25519.h"
#include "common/digital_link/digital_link.h"
#include "common/http/http_server.h"
#include "common/token/token.h"
#include "services/lookup/backends.h"
#include "services/lookup/entity_cache.h"
#include "services/lookup/http_routes.h"
#include "services/lookup/key_ring.h"
#include "services/lookup/page_cache.h"
#include "services/lookup/proof_cache.h"
#include "services/lookup/resolver.h"
#include "tests/fuzz/fuzz_target.h"

namespace ocop::fuzz {
namespace {

constexpr uint32_t kKeyId = 0x0c0b0a00;

absl::Status Down() { return absl::UnavailableError("fuzz: backend down"); }

class UnavailableBackends final : public lookup::Backends {
 public:
  explicit UnavailableBackends(std::string public_key) : public_key_(std::move(public_key)) {}
  absl::StatusOr<stamp::v1::Stamp> GetStamp(uint64_t) override { return Down(); }
  absl::StatusOr<stamp::v1::Roll> GetRoll(const std::string&) override { return Down(); }
  absl::StatusOr<lookup::v1::BatchView> GetBatchView(const std::string&) override { return Down(); }
  absl::StatusOr<registry::v1::Product> GetProduct(const std::string&) override { return Down(); }
  absl::StatusOr<registry::v1::Producer> GetProducer(const std::string&) override { return Down(); }
  absl::StatusOr<stamp::v1::VerifyPinResponse> VerifyPin(const std::string&, const std::string&,
                                                         const std::string&) override {
    return Down();
  }
  absl::StatusOr<registry::v1::Product> FindProductByGtin(const std::string&) override { return Down(); }
  absl::StatusOr<std::string> FindBatch(const std::string&, const std::string&) override { return Down(); }
  absl::StatusOr<std::string> ExportEpcis(const std::string&) override { return Down(); }
  absl::StatusOr<std::vector<registry::v1::Product>> ListProductsIn(const std::string&) override { return Down(); }
  absl::StatusOr<std::vector<registry::v1::Producer>> ListProducersIn(const std::string&) override { return Down(); }
  absl::Status RecordScans(const std::vector<stamp::v1::ScanRecord>&) override { return absl::OkStatus(); }
  absl::StatusOr<std::map<uint32_t, std::string>> ListPublicKeys() override {
    return std::map<uint32_t, std::string>{{kKeyId, public_key_}};
  }

 private:
  std::string public_key_;
};

absl::Time Clock() { return absl::FromCivil(absl::CivilSecond(2026, 6, 1, 9, 0, 0), absl::UTCTimeZone()); }

struct FrontDoor {
  crypto::Ed25519PrivateKey key = *crypto::Ed25519PrivateKey::Generate();
  UnavailableBackends backends{key.PublicKey()};
  lookup::KeyRing keys{[this] { return backends.ListPublicKeys(); }, Clock, absl::Seconds(10)};
  lookup::EntityCache views{nullptr, 4 << 20, Clock, "fuzz-cache-secret-0123456789"};
  lookup::ProofCache proofs{1 << 20, Clock};
  lookup::PageCache pages{1 << 20};
  lookup::Resolver resolver{&backends, &keys, &views, &proofs, lookup::ResolverConfig{}, Clock};
  http::HttpServerOptions limits;
  FrontDoor() { (void)keys.Refresh(); }
};

FrontDoor& Door() {
  static auto* door = new FrontDoor();
  return *door;
}

void CheckResponse(const http::HttpResponse& response) {
  FUZZ_CHECK(response.status >= 200 && response.status <= 599);
  bool typed = false;
  for (const auto& [name, value] : response.headers) typed |= absl::EqualsIgnoreCase(name, "Content-Type");
  FUZZ_CHECK(typed || response.status == 204);
  FUZZ_CHECK(!absl::StrContains(response.body, "<fuzz"));
}

int Run(const uint8_t* data, size_t size) {
  FrontDoor& door = Door();
  absl::StatusOr<http::HttpRequest> request =
      http::ParseHttpRequest(std::string_view(reinterpret_cast<const char*>(data), size), door.limits, "198.51.100.7");
  if (!request.ok()) return 0;
  std::optional<http::HttpResponse> fast = lookup::HandleHttpFromMemory(door.resolver, *request, "198.51.100.7",
                                                                       &door.pages);
  if (fast.has_value()) CheckResponse(*fast);
  http::HttpResponse response = lookup::HandleHttp(door.resolver, door.keys, *request, "198.51.100.7",
                                                   "https://ocop.example.vn", &door.pages);
  CheckResponse(response);
  // A stamp this key signed, with every backend down, is "cannot check now" (503), never counterfeit.
  absl::string_view path = request->target;
  path = path.substr(0, path.find_first_of("?#"));
  if (request->method == "GET" && (absl::ConsumePrefix(&path, "/s/") || absl::ConsumePrefix(&path, "/S/") ||
                                   absl::ConsumePrefix(&path, "/v1/resolve/"))) {
    absl::StatusOr<token::StampToken> decoded = token::DecodeToken(path);
    if (decoded.ok() && door.keys.Verify(*decoded) == lookup::KeyRing::Verification::kValid) {
      FUZZ_CHECK(response.status == 503);
    }
  }
  return 0;
}

std::string Get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: ocop.example.vn\r\nAccept-Language: vi\r\n" + extra + "\r\n";
}

std::vector<std::string> Seeds() {
  FrontDoor& door = Door();
  const std::string token = *token::EncodeToken(kKeyId, 1001, door.key);
  const std::string link = *digital_link::Encode("", kKeyId, "08930000000019", "TC-1", 77, door.key);
  return {Get("/s/" + token),
          Get("/S/" + token + "?lang=en&x=<fuzz>"),
          Get("/v1/resolve/" + token),
          Get(link),
          Get("/01/08930000000019/10/LOT%3Cfuzz%3E?linkType=linkset"),
          Get("/v1/resolve/01/08930000000019/10/LOT1"),
          Get("/v1/epcis/batches/<fuzz>"),
          Get("/.well-known/jwks.json"),
          Get("/healthz"),
          Get("/s/<fuzz>?lang=<fuzz>", "X-Forwarded-For: 1.2.3.4\r\n"),
          "POST /v1/pin/" + token + " HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n"
          "Content-Length: 12\r\n\r\npin=12345678",
          "HEAD /s/" + token + " HTTP/1.1\r\nHost: a\r\n\r\n",
          "GET /s/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n<fuzz\r\n0\r\n\r\n"};
}

}  // namespace

OCOP_FUZZ_TARGET(http_front_door, Run, Seeds);

}  // namespace ocop::fuzz
