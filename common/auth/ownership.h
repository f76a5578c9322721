// Whose resource is it: the ownership half of authorisation (the role half is access_policy.h).
// A domain calls this once it has loaded what a write touches, because only there is the owner
// known: a lot's, a roll's or a product's producer, and that producer's province.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/actor/actor.h"

namespace ocop::auth {

// The province code of a producer ("producers/{id}"), e.g. from the registry. NOT_FOUND or
// UNAVAILABLE as the registry answers.
using ProvinceLookup = std::function<absl::StatusOr<std::string>(const std::string& producer)>;

// OK when `actor` may change `resource`, which belongs to `producer`:
//   - admin and service (our own services): always;
//   - producer: only its own producer's resources;
//   - office: only resources of producers in its province (asks `province_of`, only for offices);
//   - anyone else: never.
// PERMISSION_DENIED naming the resource, its owner and the rule; the lookup's error when the
// owner's province cannot be found (UNAVAILABLE stays UNAVAILABLE: "cannot check now").
absl::Status CheckOwner(const Actor& actor, const std::string& resource, const std::string& producer,
                        const ProvinceLookup& province_of);

// The same when the province is already known (e.g. a product row being imported, a plan).
absl::Status CheckProvince(const Actor& actor, const std::string& resource, const std::string& province);

// The province a report or listing may cover: what was asked for an admin or a service; for an
// office or a province-scoped integrator its own province (when nothing or exactly that was asked).
// PERMISSION_DENIED naming `field` otherwise.
absl::StatusOr<std::string> ScopedProvince(const Actor& actor, const std::string& field, const std::string& requested);

// Which feed changes `actor` may see: all (an empty function) unless it is an integrator scoped to
// a producer or a province; then only changes about that producer, or about producers of that
// province. `producer_of` names the producer an (entity, name) change is about (an error hides
// the change); `province_of` is asked once per producer.
std::function<bool(const std::string& entity, const std::string& name)> FeedScope(
    const Actor& actor, std::function<absl::StatusOr<std::string>(const std::string&, const std::string&)> producer_of,
    ProvinceLookup province_of);

// True for callers that see every producer's private records (admin, service).
bool SeesEverything(const Actor& actor);

}  // namespace ocop::auth
