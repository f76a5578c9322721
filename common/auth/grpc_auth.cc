#include "common/auth/grpc_auth.h"
#include "common/auth/verdict_keys.h"

#include <algorithm>
#include <deque>
#include <map>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace ocop::auth {
namespace {

// Sent by clients that want to find their call in the audit log; kept to 100 characters.
constexpr char kRequestId[] = "x-request-id";

class AuthInterceptor final : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(Authenticator* authenticator, const DeniedSink* denied, std::string method,
                  grpc::ServerContextBase* context)
      : authenticator_(authenticator), denied_(denied), method_(std::move(method)), context_(context) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      std::multimap<grpc::string_ref, grpc::string_ref>* metadata = methods->GetRecvInitialMetadata();
      std::string authorization;
      for (auto it = metadata->begin(); it != metadata->end();) {
        const absl::string_view key(it->first.data(), it->first.size());
        if (key == "authorization") authorization.assign(it->second.data(), it->second.size());
        if (key == kRequestId) request_id_.assign(it->second.data(), std::min<size_t>(it->second.size(), 100));
        it = absl::StartsWith(key, kPrefix) ? metadata->erase(it) : std::next(it);
      }
      absl::StatusOr<Actor> actor = authenticator_->Authenticate(absl::string_view(method_).substr(1), authorization);
      if (actor.ok()) {
        actor_ = *actor;
      } else if (absl::IsPermissionDenied(actor.status())) {
        // Refused by the role table: still a verified caller, named in the audit trail.
        if (absl::StatusOr<Actor> who = authenticator_->Identify(authorization); who.ok()) actor_ = *who;
      }
      // The strings live in this interceptor, which lives as long as the call.
      Add(*metadata, kMethod, method_.substr(1));
      if (actor.ok()) {
        Add(*metadata, kVerdict, "ok");
        Add(*metadata, kSubject, actor->subject);
        Add(*metadata, kRole, actor->role);
        Add(*metadata, kProducer, actor->producer);
        Add(*metadata, kProvince, actor->province);
        Add(*metadata, kPrinter, actor->printer);
        Add(*metadata, kCredential, actor->credential);
      } else {
        Add(*metadata, kVerdict, absl::StrCat(static_cast<int>(actor.status().code())));
        Add(*metadata, kMessage, std::string(actor.status().message()));
      }
    }
    if (denied_ != nullptr && *denied_ &&
        methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED ||
          status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
        store::AuditRecord record;
        record.time = absl::Now();
        record.who = store::AuditContext{actor_.subject == "anonymous" ? "" : actor_.subject, actor_.role,
                                         actor_.credential, method_.substr(1), context_->peer(), request_id_};
        record.outcome = absl::StrCat(status.error_code() == grpc::StatusCode::UNAUTHENTICATED ? "UNAUTHENTICATED"
                                                                                              : "PERMISSION_DENIED",
                                      ": ", status.error_message().substr(0, 300));
        (*denied_)(record);
      }
    }
    methods->Proceed();
  }

 private:
  void Add(std::multimap<grpc::string_ref, grpc::string_ref>& metadata, const char* key, std::string value) {
    values_.push_back(std::move(value));
    metadata.emplace(grpc::string_ref(key), grpc::string_ref(values_.back()));
  }

  Authenticator* authenticator_;
  const DeniedSink* denied_;
  std::string method_;
  grpc::ServerContextBase* context_;  // the call's, for its peer (known once the call runs)
  std::string request_id_;
  Actor actor_;  // as authenticated; the anonymous actor when not
  // Stable addresses for the string_refs handed to the metadata map.
  std::deque<std::string> values_;
};

std::string Value(const grpc::ServerContext& context, const char* key) {
  auto it = context.client_metadata().find(key);
  return it == context.client_metadata().end() ? "" : std::string(it->second.data(), it->second.size());
}

}  // namespace

grpc::experimental::Interceptor* AuthInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new AuthInterceptor(authenticator_, &denied_, info->method(), info->server_context());
}

absl::StatusOr<Actor> CallerOf(const grpc::ServerContext& context) {
  const std::string verdict = Value(context, kVerdict);
  if (verdict.empty()) return absl::InternalError("authentication is not configured on this server");
  if (verdict != "ok") {
    int code = static_cast<int>(absl::StatusCode::kUnauthenticated);
    (void)absl::SimpleAtoi(verdict, &code);
    return absl::Status(static_cast<absl::StatusCode>(code), Value(context, kMessage));
  }
  Actor actor;
  actor.subject = Value(context, kSubject);
  actor.role = Value(context, kRole);
  actor.producer = Value(context, kProducer);
  actor.province = Value(context, kProvince);
  actor.printer = Value(context, kPrinter);
  actor.credential = Value(context, kCredential);
  return actor;
}

Caller::Caller(const grpc::ServerContext& context) : actor_(CallerOf(context)) {
  if (!actor_.ok()) return;
  audit_.emplace(store::AuditContext{actor_->subject, actor_->role, actor_->credential, Value(context, kMethod),
                                     context.peer(), Value(context, kRequestId).substr(0, 100)});
}

}  // namespace ocop::auth
