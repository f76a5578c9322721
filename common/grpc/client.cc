#include "common/grpc/client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

namespace ocop::grpcutil {

namespace {

grpc::ChannelArguments Arguments() {
  grpc::ChannelArguments arguments;
  // A peer that went away should be retried within a second, not after gRPC's default backoff
  // (up to two minutes), so lookup recovers promptly when a backend returns.
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return arguments;
}

ClientTls& ProcessTls() {
  static auto* tls = new ClientTls();
  return *tls;
}

std::shared_ptr<grpc::ChannelCredentials> Credentials() {
  const ClientTls& tls = ProcessTls();
  if (!tls.enabled()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = tls.root_ca;
  ssl.pem_cert_chain = tls.certificate_chain;
  ssl.pem_private_key = tls.private_key;
  return grpc::SslCredentials(ssl);
}

}  // namespace

void SetClientTls(ClientTls tls) { ProcessTls() = std::move(tls); }

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  return grpc::CreateCustomChannel(target, Credentials(), Arguments());
}

std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& target,
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors) {
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, Credentials(), Arguments(),
                                                                 std::move(interceptors));
}

void PrepareContext(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
}

}  // namespace ocop::grpcutil
