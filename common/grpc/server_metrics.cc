#include "common/grpc/server_metrics.h"

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/metrics/metrics.h"

namespace ocop::grpcutil {
namespace {

constexpr int kStatusCodes = 17;  // OK .. UNAUTHENTICATED

const char* CodeName(int code) {
  static constexpr std::array<const char*, kStatusCodes> kNames = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  return code >= 0 && code < kStatusCodes ? kNames[code] : "Unknown";
}

const char* TypeName(grpc::experimental::ServerRpcInfo::Type type) {
  switch (type) {
    case grpc::experimental::ServerRpcInfo::Type::UNARY:
      return "unary";
    case grpc::experimental::ServerRpcInfo::Type::CLIENT_STREAMING:
      return "client_stream";
    case grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING:
      return "server_stream";
    case grpc::experimental::ServerRpcInfo::Type::BIDI_STREAMING:
      return "bidi_stream";
  }
  return "unknown";
}

// One method's series, found once per call by its full name. The per-code counters are made on
// first use, so a scrape shows only the codes a method has answered with.
class MethodMetrics {
 public:
  MethodMetrics(const std::string& full_method, const char* type) {
    // "/ocop.stamp.v1.StampService/IssueRoll" -> service "ocop.stamp.v1.StampService", method "IssueRoll".
    const size_t slash = full_method.rfind('/');
    labels_ = {{"grpc_service", slash == std::string::npos ? "" : full_method.substr(1, slash - 1)},
               {"grpc_method", slash == std::string::npos ? full_method : full_method.substr(slash + 1)},
               {"grpc_type", type}};
    started_ = &metrics::CounterFamily("grpc_server_started_total", "RPCs started on the server.").Add(labels_);
    seconds_ =
        &metrics::HistogramFamily("grpc_server_handling_seconds", "Time from an RPC's start to its status, in seconds.")
             .Add(labels_, metrics::LatencyBuckets());
  }

  void Started() { started_->Increment(); }

  void Finished(int code, double seconds) {
    if (code < 0 || code >= kStatusCodes) code = 2;  // UNKNOWN
    prometheus::Counter* handled = handled_[code].load(std::memory_order_acquire);
    if (handled == nullptr) {
      prometheus::Labels labels = labels_;
      labels["grpc_code"] = CodeName(code);
      handled = &metrics::CounterFamily("grpc_server_handled_total", "RPCs completed on the server, by status code.")
                     .Add(labels);
      handled_[code].store(handled, std::memory_order_release);
    }
    handled->Increment();
    seconds_->Observe(seconds);
  }

 private:
  prometheus::Labels labels_;
  prometheus::Counter* started_;
  prometheus::Histogram* seconds_;
  std::array<std::atomic<prometheus::Counter*>, kStatusCodes> handled_{};
};

MethodMetrics& MetricsOf(const std::string& method, const char* type) {
  static std::mutex mutex;
  static auto* methods = new std::unordered_map<std::string, std::unique_ptr<MethodMetrics>>();
  std::lock_guard lock(mutex);
  std::unique_ptr<MethodMetrics>& found = (*methods)[method];
  if (found == nullptr) found = std::make_unique<MethodMetrics>(method, type);
  return *found;
}

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit MetricsInterceptor(MethodMetrics* metrics) : metrics_(metrics) { metrics_->Started(); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
      metrics_->Finished(static_cast<int>(methods->GetSendStatus().error_code()), elapsed.count());
    }
    methods->Proceed();
  }

 private:
  MethodMetrics* metrics_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(&MetricsOf(info->method(), TypeName(info->type())));
}

}  // namespace ocop::grpcutil
