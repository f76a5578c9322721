// The caller of a domain operation. Every domain call takes one, even before authentication exists,
// so that ownership checks and audit fields have a place to land.
#pragma once

#include <string>
#include <utility>

#include <grpcpp/server_context.h>

namespace ocop {

struct Actor {
  Actor() = default;
  Actor(std::string subject, std::string role, std::string producer = "")
      : subject(std::move(subject)), role(std::move(role)), producer(std::move(producer)) {}

  // Who: a user or service id. "anonymous" when the caller did not say.
  std::string subject = "anonymous";
  // With which role, e.g. "producer", "office", "printer", "service".
  std::string role;
  // For which producer ("producers/{id}"), when acting for one.
  std::string producer;
  // For which province (a province code), for office staff and province-scoped integrators.
  std::string province;
  // Which printing house, for printers.
  std::string printer;
  // The session or API key the caller's access token was minted from (audit, revocation).
  std::string credential;
};

// Reads the actor from the call's metadata: x-ocop-actor, x-ocop-role, x-ocop-producer.
// Until authentication lands (a later issue) these headers are trusted as given.
Actor ActorFromContext(const grpc::ServerContext& context);

// Metadata keys, for clients.
inline constexpr char kActorHeader[] = "x-ocop-actor";
inline constexpr char kRoleHeader[] = "x-ocop-role";
inline constexpr char kProducerHeader[] = "x-ocop-producer";

}  // namespace ocop
