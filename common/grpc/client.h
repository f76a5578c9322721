// Client-side gRPC helpers: channels to other services, and contexts with a deadline, so no call
// can hang. (Who calls travels as an access token: auth::AuthenticatedChannel.)
#pragma once

#include <memory>
#include <string>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/client_interceptor.h>

#include "absl/time/time.h"

namespace ocop::grpcutil {

// TLS for the channels this process opens (PEM text): the CA that signed our services'
// certificates, and this process's own certificate and key to present (mutual TLS), if any.
struct ClientTls {
  std::string root_ca;
  std::string certificate_chain;
  std::string private_key;
  bool enabled() const { return !root_ca.empty(); }
};
// Every channel MakeChannel opens after this uses `tls` (set once at start, before any channel).
void SetClientTls(ClientTls tls);

// A channel to `target` ("host:port") that reconnects quickly after the peer restarts: TLS when
// SetClientTls was given a CA, plaintext otherwise.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target);
// The same, with client interceptors every call passes (e.g. one that adds the caller's token).
std::shared_ptr<grpc::Channel> MakeChannel(
    const std::string& target,
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors);

// Sets a deadline `timeout` from now.
void PrepareContext(grpc::ClientContext& context, absl::Duration timeout);

}  // namespace ocop::grpcutil
