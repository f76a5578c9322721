#include "common/grpc/client.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "common/log/log.h"

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

// Sends the calling thread's request id (logs::CurrentRequestId) with every call, so the backend's
// log lines for it carry the id of the request that caused it. The id is taken when the call is
// created, on the caller's thread.
class RequestIdInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RequestIdInterceptor(std::string request_id) : request_id_(std::move(request_id)) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::multimap<std::string, std::string>* metadata = methods->GetSendInitialMetadata();
      // A caller that set its own id on the context keeps it.
      if (metadata->find(logs::kRequestIdMetadata) == metadata->end()) {
        metadata->emplace(logs::kRequestIdMetadata, request_id_);
      }
    }
    methods->Proceed();
  }

 private:
  std::string request_id_;
};

class RequestIdInterceptorFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo*) override {
    const std::string& id = logs::CurrentRequestId();
    return id.empty() ? nullptr : new RequestIdInterceptor(id);
  }
};

}  // namespace

void SetClientTls(ClientTls tls) { ProcessTls() = std::move(tls); }

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) { return MakeChannel(target, {}); }

std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& target,
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors) {
  interceptors.insert(interceptors.begin(), std::make_unique<RequestIdInterceptorFactory>());
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, Credentials(), Arguments(),
                                                                 std::move(interceptors));
}

void PrepareContext(grpc::ClientContext& context, absl::Duration timeout) {
  context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
}

}  // namespace ocop::grpcutil
