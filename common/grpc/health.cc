#include "common/grpc/health.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>

#include <condition_variable>
#include <mutex>
#include <vector>

#include "common/grpc/client.h"
#include "common/status/grpc_status.h"

namespace ocop::grpcutil {

absl::StatusOr<bool> CheckHealth(const std::shared_ptr<grpc::Channel>& channel, const std::string& service,
                                 absl::Duration deadline) {
  if (service.size() > 127) return absl::InvalidArgumentError("service: at most 127 characters");
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  PrepareContext(context, deadline);
  // HealthCheckRequest { string service = 1; }
  const std::string encoded =
      service.empty() ? "" : std::string("\x0a", 1) + static_cast<char>(service.size()) + service;
  grpc::Slice slice(encoded);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  grpc::Status status;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                 [&](grpc::Status result) {
                   std::lock_guard lock(mutex);
                   status = std::move(result);
                   done = true;
                   finished.notify_all();
                 });
  {
    std::unique_lock lock(mutex);
    finished.wait(lock, [&] { return done; });
  }
  if (!status.ok()) return FromGrpcStatus(status);
  std::vector<grpc::Slice> slices;
  std::string answer;
  if (!response.Dump(&slices).ok()) return absl::InternalError("health: unreadable answer");
  for (const grpc::Slice& part : slices) answer.append(reinterpret_cast<const char*>(part.begin()), part.size());
  // HealthCheckResponse { ServingStatus status = 1; } with SERVING = 1.
  return answer == std::string("\x08\x01", 2);
}

}  // namespace ocop::grpcutil
