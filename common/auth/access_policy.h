// Who may call which RPC: the written role x method table (docs/identity.md, "Roles and methods").
//
// This is the coarse gate every call passes once it is authenticated: the caller's role must be
// one the method allows (default deny: a method without a rule is refused). It does not know
// owners: whether a producer may touch *this* lot, or an office *this* province, is checked by the
// domain, where the owner is known; `ownership` says what the domain checks.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ocop::auth {

// The roles of access tokens: people (admin, office, council, producer, printer), machines
// (integrator, service: our own services calling each other).
inline constexpr const char* kRoles[] = {"admin", "office", "council", "producer", "printer", "integrator", "service"};

struct MethodRule {
  // "ocop.registry.v1.RegistryService/AddRating" (service full name, '/', method).
  std::string method;
  // No credential needed (the public scan side, sign-in, published keys).
  bool anonymous = false;
  // Roles allowed to call it at all; ignored when `anonymous`.
  std::vector<std::string> roles;
  // What the domain checks beyond the role, in words (for the docs table).
  std::string ownership;
};

// Every rule, in the order of the docs table.
const std::vector<MethodRule>& AccessPolicy();
// The rule of `method` ("pkg.Service/Method", a leading '/' allowed), or null when it has none.
const MethodRule* RuleFor(absl::string_view method);
// OK when `role` may call `method`; PERMISSION_DENIED naming the rule otherwise (also for a method
// without a rule: default deny). `role` empty means an anonymous caller.
absl::Status CheckRole(absl::string_view method, absl::string_view role);

}  // namespace ocop::auth
