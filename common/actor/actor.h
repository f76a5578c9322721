// The caller of a domain operation, as authentication found it (auth::CallerOf): every domain call
// takes one, compares it with the owner of what it touches, and records it in audit fields.
#pragma once

#include <string>
#include <utility>

namespace ocop {

struct Actor {
  Actor() = default;
  Actor(std::string subject, std::string role, std::string producer = "")
      : subject(std::move(subject)), role(std::move(role)), producer(std::move(producer)) {}

  // Who: a user ("users/{id}") or service. "anonymous" for the public side, which needs no credential.
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

}  // namespace ocop
