#include "common/auth/ownership.h"

#include "absl/strings/str_cat.h"

namespace ocop::auth {

absl::StatusOr<std::string> ScopedProvince(const Actor& actor, const std::string& field,
                                           const std::string& requested) {
  if (SeesEverything(actor)) return requested;
  if ((actor.role == "office" || actor.role == "integrator") && !actor.province.empty()) {
    if (requested.empty() || requested == actor.province) return actor.province;
    return absl::PermissionDeniedError(absl::StrCat(field, ": ", requested, " is not your province (",
                                                    actor.province, ")"));
  }
  return absl::PermissionDeniedError(absl::StrCat(field, ": only an office or integrator of a province, or an admin, ",
                                                  "may ask about a province"));
}

std::function<bool(const std::string& entity, const std::string& name)> FeedScope(
    const Actor& actor, std::function<absl::StatusOr<std::string>(const std::string&, const std::string&)> producer_of,
    ProvinceLookup province_of) {
  if (actor.role != "integrator" || (actor.producer.empty() && actor.province.empty())) return {};
  // One stream runs on one thread: the cache needs no lock.
  auto provinces = std::make_shared<std::map<std::string, std::string>>();
  return [actor, producer_of = std::move(producer_of), province_of = std::move(province_of), provinces](
             const std::string& entity, const std::string& name) {
    absl::StatusOr<std::string> producer = producer_of(entity, name);
    if (!producer.ok()) return false;
    if (!actor.producer.empty()) return *producer == actor.producer;
    auto known = provinces->find(*producer);
    if (known == provinces->end()) {
      absl::StatusOr<std::string> province = province_of(*producer);
      if (!province.ok()) return false;
      known = provinces->emplace(*producer, *province).first;
    }
    return known->second == actor.province;
  };
}

bool SeesEverything(const Actor& actor) { return actor.role == "admin" || actor.role == "service"; }

absl::Status CheckOwner(const Actor& actor, const std::string& resource, const std::string& producer,
                        const ProvinceLookup& province_of) {
  if (SeesEverything(actor)) return absl::OkStatus();
  if (actor.role == "producer") {
    if (!actor.producer.empty() && actor.producer == producer) return absl::OkStatus();
    return absl::PermissionDeniedError(absl::StrCat(resource, " belongs to ", producer,
                                                    ": a producer acts only for itself (", actor.producer, ")"));
  }
  if (actor.role == "office") {
    absl::StatusOr<std::string> province = province_of(producer);
    if (!province.ok()) return province.status();
    return CheckProvince(actor, resource, *province);
  }
  return absl::PermissionDeniedError(absl::StrCat(resource, ": role ", actor.role.empty() ? "(none)" : actor.role,
                                                  " may not change it"));
}

absl::Status CheckProvince(const Actor& actor, const std::string& resource, const std::string& province) {
  if (SeesEverything(actor)) return absl::OkStatus();
  if (actor.role == "office" && !actor.province.empty() && actor.province == province) return absl::OkStatus();
  if (actor.role == "office") {
    return absl::PermissionDeniedError(absl::StrCat(resource, " is in province ", province,
                                                    ": an office acts only for its own province (", actor.province,
                                                    ")"));
  }
  return absl::PermissionDeniedError(absl::StrCat(resource, ": only an office of province ", province,
                                                  " or an admin may do this, not ",
                                                  actor.role.empty() ? "(no role)" : actor.role));
}

}  // namespace ocop::auth
