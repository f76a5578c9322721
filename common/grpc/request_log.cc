#include "common/grpc/request_log.h"

#include <grpcpp/server.h>

#include <chrono>
#include <mutex>
#include <optional>

#include "absl/status/status.h"
#include "common/log/log.h"

namespace ocop::grpcutil {
namespace {

class RequestLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit RequestLogInterceptor(std::string method)
      : method_(std::move(method)), started_(std::chrono::steady_clock::now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      std::multimap<grpc::string_ref, grpc::string_ref>* metadata = methods->GetRecvInitialMetadata();
      auto sent = metadata->find(logs::kRequestIdMetadata);
      const std::string_view given = sent == metadata->end() ? "" : std::string_view(sent->second.data(), sent->second.size());
      request_id_ = logs::RequestIdOrNew(given);
      if (given != request_id_) {
        // Replaced: later interceptors and the handler read the id from the metadata. The strings
        // live in this interceptor, which lives as long as the call.
        if (sent != metadata->end()) metadata->erase(sent);
        metadata->emplace(grpc::string_ref(logs::kRequestIdMetadata), grpc::string_ref(request_id_));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const absl::Duration elapsed = absl::FromChrono(std::chrono::steady_clock::now() - started_);
      const bool failed = IsServerFailure(status.error_code());
      if (logs::ShouldLogAccess(request_id_, failed, elapsed)) {
        logs::RequestScope scope(request_id_);
        const std::string code = absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
        if (failed) {
          // The server's own message is for operators; it is what tells them why.
          logs::Warning("rpc", {{"method", method_}, {"code", code}, {"ms", elapsed},
                                {"error", status.error_message()}});
        } else {
          logs::Info("rpc", {{"method", method_}, {"code", code}, {"ms", elapsed}});
        }
      }
    }
    methods->Proceed();
  }

 private:
  std::string method_;
  std::chrono::steady_clock::time_point started_;
  std::string request_id_;
};

// gRPC calls these on the thread that runs each synchronous handler, around it.
class RequestScopes final : public grpc::Server::GlobalCallbacks {
 public:
  void PreSynchronousRequest(grpc::ServerContext* context) override { scope_.emplace(RequestIdOf(*context)); }
  void PostSynchronousRequest(grpc::ServerContext*) override { scope_.reset(); }

 private:
  static thread_local std::optional<logs::RequestScope> scope_;
};
thread_local std::optional<logs::RequestScope> RequestScopes::scope_;

}  // namespace

grpc::experimental::Interceptor* RequestLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new RequestLogInterceptor(info->method());
}

void InstallRequestScopes() {
  static std::once_flag once;
  std::call_once(once, [] { grpc::Server::SetGlobalCallbacks(new RequestScopes()); });
}

std::string RequestIdOf(const grpc::ServerContextBase& context) {
  auto found = context.client_metadata().find(logs::kRequestIdMetadata);
  return found == context.client_metadata().end() ? "" : std::string(found->second.data(), found->second.size());
}

bool IsServerFailure(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

}  // namespace ocop::grpcutil
