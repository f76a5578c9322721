// TLS on gRPC ports, with real handshakes against a CA made in the test: a client that trusts the
// CA connects; a client that trusts another CA, a plaintext client and a server whose certificate
// has expired are refused; with mutual TLS a client without a certificate from the CA is refused.
#include <gtest/gtest.h>

#include "common/grpc/client.h"
#include "common/grpc/server.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "tests/support/status_matchers.h"
#include "tests/support/test_ca.h"

namespace ocop::grpcutil {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::PemPair;
using ::ocop::testing::TestCa;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = TestCa::Create("ocop-trace test CA");
    ASSERT_THAT(ca, IsOk());
    ca_ = std::make_unique<TestCa>(std::move(*ca));
    auto other = TestCa::Create("someone else's CA");
    ASSERT_THAT(other, IsOk());
    other_ca_ = std::make_unique<TestCa>(std::move(*other));
  }
  void TearDown() override { SetClientTls({}); }
  registry::v1::RegistryService::Service placeholder_;

  // A server on loopback presenting `certificate`; clients must hold a certificate from
  // `client_ca` when it is not empty.
  std::unique_ptr<GrpcServer> Serve(const PemPair& certificate, const std::string& client_ca = "") {
    ServerOptions options;
    options.shutdown_grace = absl::Milliseconds(100);
    options.tls = ServerTls{certificate.certificate, certificate.private_key, client_ca};
    // A server needs a service; every method of this one is UNIMPLEMENTED, enough for a handshake.
    auto server = GrpcServer::Start(options, {&placeholder_});
    EXPECT_THAT(server, IsOk());
    return server.ok() ? std::move(*server) : nullptr;
  }

  // Whether a channel made with `tls` completes its handshake with `server`.
  static bool Connects(const GrpcServer& server, ClientTls tls) {
    SetClientTls(std::move(tls));
    auto channel = MakeChannel("127.0.0.1:" + std::to_string(server.port()));
    // Until the channel is ready, or its first handshake has failed.
    const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
    grpc_connectivity_state state = channel->GetState(/*try_to_connect=*/true);
    while (state != GRPC_CHANNEL_READY && state != GRPC_CHANNEL_TRANSIENT_FAILURE) {
      if (!channel->WaitForStateChange(state, deadline)) return false;
      state = channel->GetState(true);
    }
    return state == GRPC_CHANNEL_READY;
  }

  std::unique_ptr<TestCa> ca_;
  std::unique_ptr<TestCa> other_ca_;
};

TEST_F(TlsTest, OnlyAClientTrustingTheCaConnects) {
  auto certificate = ca_->Issue("127.0.0.1");
  ASSERT_THAT(certificate, IsOk());
  auto server = Serve(*certificate);
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(Connects(*server, ClientTls{ca_->certificate(), "", ""}));
  EXPECT_FALSE(Connects(*server, ClientTls{other_ca_->certificate(), "", ""}));
  EXPECT_FALSE(Connects(*server, ClientTls{}));  // plaintext
}

TEST_F(TlsTest, AnExpiredCertificateIsRefused) {
  const absl::Time now = absl::Now();
  auto expired = ca_->Issue("127.0.0.1", now - absl::Hours(48), now - absl::Hours(24));
  ASSERT_THAT(expired, IsOk());
  auto server = Serve(*expired);
  ASSERT_NE(server, nullptr);
  EXPECT_FALSE(Connects(*server, ClientTls{ca_->certificate(), "", ""}));
}

TEST_F(TlsTest, MutualTlsNeedsAClientCertificateFromTheCa) {
  auto server_certificate = ca_->Issue("127.0.0.1");
  auto batch_service = ca_->Issue("batch.ocop.internal");
  auto stranger = other_ca_->Issue("stranger.example");
  ASSERT_THAT(server_certificate, IsOk());
  ASSERT_THAT(batch_service, IsOk());
  ASSERT_THAT(stranger, IsOk());
  auto server = Serve(*server_certificate, ca_->certificate());
  ASSERT_NE(server, nullptr);
  EXPECT_FALSE(Connects(*server, ClientTls{ca_->certificate(), "", ""}));
  EXPECT_FALSE(Connects(*server, ClientTls{ca_->certificate(), stranger->certificate, stranger->private_key}));
  EXPECT_TRUE(
      Connects(*server, ClientTls{ca_->certificate(), batch_service->certificate, batch_service->private_key}));
}

}  // namespace
}  // namespace ocop::grpcutil
