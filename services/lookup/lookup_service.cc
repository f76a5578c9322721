#include "services/lookup/lookup_service.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "common/grpc/request_log.h"
#include "common/http/client_address.h"
#include "common/log/log.h"
#include "common/status/grpc_status.h"

namespace ocop::lookup {
namespace {

// A public endpoint: input errors are explained, internals are only logged.
grpc::Status PublicStatus(const absl::Status& status, const char* method) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kResourceExhausted:
      return ToGrpcStatus(status);
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "cannot check now: a backend is temporarily unavailable; retry shortly");
    default:
      logs::Error("lookup failed", {{"method", method}, {"error", status}});
      return grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
  }
}

// Fills `response` from `result` (the views go out as the bytes they were cached as: views.h,
// WireFields) and says how the call ends.
grpc::Status Answer(const absl::StatusOr<Resolution>& result, v1::ResolveResponse* response) {
  if (!result.ok()) return PublicStatus(result.status(), "Resolve");
  result->ToWire(*response);
  return grpc::Status::OK;
}

}  // namespace

// A fixed pool of threads running queued tasks; a bounded queue.
class LookupServiceImpl::Workers {
 public:
  Workers(int threads, size_t max_waiting) : max_waiting_(max_waiting) {
    for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Run(); });
  }
  ~Workers() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) thread.join();  // the queue is drained first
  }
  // False when the queue is full.
  bool Post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      if (tasks_.size() >= max_waiting_) return false;
      tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
    return true;
  }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and nothing left
      std::function<void()> task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  const size_t max_waiting_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

LookupServiceImpl::LookupServiceImpl(Resolver* resolver, PublicLimits* limits, int workers, size_t max_waiting)
    : resolver_(resolver), limits_(limits), workers_(std::make_unique<Workers>(workers, max_waiting)) {}

LookupServiceImpl::~LookupServiceImpl() = default;

grpc::ServerUnaryReactor* LookupServiceImpl::Resolve(grpc::CallbackServerContext* context,
                                                     const v1::ResolveRequest* request,
                                                     v1::ResolveResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // A callback handler: gRPC's per-thread request scope covers synchronous handlers only.
  std::string request_id = grpcutil::RequestIdOf(*context);
  logs::RequestScope scope(request_id);
  const std::string client =
      limits_ != nullptr ? limits_->ClientOf(*context) : http::ClientNetwork(http::AddressOfGrpcPeer(context->peer()));
  if (limits_ != nullptr) {
    if (grpc::Status limited = limits_->CheckGrpcClient(client, absl::Now()); !limited.ok()) {
      reactor->Finish(limited);
      return reactor;
    }
  }
  // From memory, on this thread: it never waits.
  if (std::optional<absl::StatusOr<Resolution>> known = resolver_->ResolveFromMemory(request->code(), client)) {
    reactor->Finish(Answer(*known, response));
    return reactor;
  }
  // Redis or a backend is needed: a worker waits for it. The request and response live until
  // Finish, and the service outlives the server, hence the workers.
  const bool queued = workers_->Post([this, reactor, request, response, client, request_id = std::move(request_id)] {
    logs::RequestScope worker_scope(request_id);
    reactor->Finish(Answer(resolver_->ResolveViews(request->code(), client), response));
  });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "cannot check now: lookup is busy; retry shortly"));
  }
  return reactor;
}

grpc::Status LookupServiceImpl::VerifyPin(grpc::ServerContext* context, const v1::VerifyPinRequest* request,
                                          stamp::v1::VerifyPinResponse* response) {
  const std::string client =
      limits_ != nullptr ? limits_->ClientOf(*context) : http::ClientNetwork(http::AddressOfGrpcPeer(context->peer()));
  if (limits_ != nullptr) {
    if (grpc::Status limited = limits_->CheckGrpcClient(client, absl::Now()); !limited.ok()) return limited;
  }
  absl::StatusOr<stamp::v1::VerifyPinResponse> result = resolver_->VerifyPin(request->code(), request->pin(), client);
  if (!result.ok()) return PublicStatus(result.status(), "VerifyPin");
  *response = std::move(*result);
  return grpc::Status::OK;
}

}  // namespace ocop::lookup
