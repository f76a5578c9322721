#include "common/auth/token_source.h"

#include <grpcpp/support/client_interceptor.h>

#include "common/grpc/client.h"

namespace ocop::auth {
namespace {

class BearerInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit BearerInterceptor(TokenSource* tokens) : tokens_(tokens) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      absl::StatusOr<std::string> token = tokens_->Token();
      if (token.ok()) methods->GetSendInitialMetadata()->emplace("authorization", "Bearer " + *token);
    }
    methods->Proceed();
  }

 private:
  TokenSource* tokens_;
};

class BearerInterceptorFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit BearerInterceptorFactory(std::shared_ptr<TokenSource> tokens) : tokens_(std::move(tokens)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo*) override {
    return new BearerInterceptor(tokens_.get());
  }

 private:
  // Shared: the channel (and so this factory) may outlive whoever made it.
  std::shared_ptr<TokenSource> tokens_;
};

}  // namespace

absl::StatusOr<std::string> TokenSource::Token() {
  std::lock_guard lock(mutex_);
  const absl::Time now = clock_();
  if (now < renew_at_) return current_.token;
  absl::StatusOr<MintedToken> minted = mint_();
  if (!minted.ok()) return minted.status();
  current_ = std::move(*minted);
  const absl::Duration margin = std::min(absl::Minutes(1), (current_.expire_time - now) / 4);
  renew_at_ = current_.expire_time - margin;
  return current_.token;
}

std::shared_ptr<TokenSource> FixedToken(std::string token) {
  return std::make_shared<TokenSource>(
      [token = std::move(token)]() -> absl::StatusOr<MintedToken> { return MintedToken{token, absl::InfiniteFuture()}; },
      [] { return absl::Now(); });
}

std::shared_ptr<grpc::Channel> AuthenticatedChannel(const std::string& target, std::shared_ptr<TokenSource> tokens) {
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<BearerInterceptorFactory>(std::move(tokens)));
  return grpcutil::MakeChannel(target, std::move(interceptors));
}

}  // namespace ocop::auth
