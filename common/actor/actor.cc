#include "common/actor/actor.h"

namespace ocop {
namespace {

std::string Header(const grpc::ServerContext& context, const char* key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace

Actor ActorFromContext(const grpc::ServerContext& context) {
  Actor actor;
  std::string subject = Header(context, kActorHeader);
  if (!subject.empty()) actor.subject = std::move(subject);
  actor.role = Header(context, kRoleHeader);
  actor.producer = Header(context, kProducerHeader);
  return actor;
}

}  // namespace ocop
