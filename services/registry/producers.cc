#include "services/registry/producers.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/auth/ownership.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/text/vietnamese.h"
#include "common/validate/validate.h"
#include "services/registry/registry_internal.h"

namespace ocop::registry {
namespace {

using registry_internal::IdempotencyKeyFor;
using registry_internal::Normalize;

bool IsDigits(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Vietnamese tax codes: 10 digits (enterprise, cooperative), 10 + "-" + 3 digits (a branch), or a
// 12-digit personal identification number, which serves as the tax code of individuals and
// household businesses since July 2025.
absl::Status ValidateTaxCode(const std::string& tax_code) {
  if (tax_code.empty()) return absl::OkStatus();
  const bool ten = tax_code.size() == 10 && IsDigits(tax_code);
  const bool branch = tax_code.size() == 14 && tax_code[10] == '-' && IsDigits(tax_code.substr(0, 10)) &&
                      IsDigits(tax_code.substr(11));
  const bool personal = tax_code.size() == 12 && IsDigits(tax_code);
  if (ten || branch || personal) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "producer.tax_code: must be 10 digits, 10 digits + '-' + 3 digits (branch), or a 12-digit personal id");
}

}  // namespace

bool IsModernChannel(SalesChannel channel) {
  return channel == SalesChannel::kSupermarket || channel == SalesChannel::kConvenienceStore ||
         channel == SalesChannel::kEcommerce || channel == SalesChannel::kSocialMedia;
}

bool Producer::SameContent(const Producer& other) const {
  // Today's unit names are looked up on read, so compare the address by what is stored.
  const Address& a = address;
  const Address& b = other.address;
  const bool same_address = a.street == b.street && a.commune_code == b.commune_code &&
                            a.commune_name == b.commune_name && a.district_name == b.district_name &&
                            a.province_code == b.province_code && a.province_name == b.province_name &&
                            a.units_version == b.units_version && a.current_province_code == b.current_province_code &&
                            a.current_commune_code == b.current_commune_code;
  return display_name == other.display_name && kind == other.kind && same_address &&
         phone == other.phone && tax_code == other.tax_code && external_id == other.external_id &&
         representative == other.representative && location == other.location &&
         sales_channels == other.sales_channels && workforce == other.workforce && value_chain == other.value_chain;
}

namespace registry_internal {

absl::Status ValidateAddress(Address& address, const std::string& field) {
  if (address.units_version.empty()) address.units_version = kUnitsCurrent;
  if (address.units_version != kUnitsCurrent && address.units_version != kUnitsBefore2025Merger) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".units_version: unknown unit table '",
                                                   address.units_version, "'; use ", kUnitsCurrent,
                                                   " (today's units) or ", kUnitsBefore2025Merger,
                                                   " (before the July 2025 merger)"));
  }
  OCOP_RETURN_IF_ERROR(validate::DigitCode(absl::StrCat(field, ".province_code"), address.province_code, 2));
  OCOP_RETURN_IF_ERROR(validate::DigitCode(absl::StrCat(field, ".commune_code"), address.commune_code, 5));
  OCOP_RETURN_IF_ERROR(Normalize(absl::StrCat(field, ".street"), &address.street));
  OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".street"), address.street, 300, false));
  OCOP_RETURN_IF_ERROR(Normalize(absl::StrCat(field, ".district_name"), &address.district_name));
  return validate::Text(absl::StrCat(field, ".district_name"), address.district_name, 200, false);
}

absl::Status ValidateProducer(Producer& producer) {
  OCOP_RETURN_IF_ERROR(Normalize("producer.display_name", &producer.display_name));
  OCOP_RETURN_IF_ERROR(validate::Text("producer.display_name", producer.display_name, 300, true));
  if (producer.kind == ProducerKind::kUnspecified) {
    return absl::InvalidArgumentError("producer.kind: must be set");
  }
  OCOP_RETURN_IF_ERROR(ValidateAddress(producer.address, "producer.address"));
  for (char c : producer.phone) {
    if (!(c >= '0' && c <= '9') && c != '+' && c != ' ' && c != '.' && c != '-') {
      return absl::InvalidArgumentError("producer.phone: only digits, '+', ' ', '.' and '-' are allowed");
    }
  }
  OCOP_RETURN_IF_ERROR(validate::Text("producer.phone", producer.phone, 20, false));
  OCOP_RETURN_IF_ERROR(ValidateTaxCode(producer.tax_code));
  OCOP_RETURN_IF_ERROR(Normalize("producer.external_id", &producer.external_id));
  OCOP_RETURN_IF_ERROR(validate::Text("producer.external_id", producer.external_id, 64, false));
  Representative& representative = producer.representative;
  OCOP_RETURN_IF_ERROR(Normalize("producer.representative.full_name", &representative.full_name));
  OCOP_RETURN_IF_ERROR(validate::Text("producer.representative.full_name", representative.full_name, 200, false));
  OCOP_RETURN_IF_ERROR(Normalize("producer.representative.ethnicity", &representative.ethnicity));
  OCOP_RETURN_IF_ERROR(validate::Text("producer.representative.ethnicity", representative.ethnicity, 100, false));
  if (producer.location.has_value()) {
    const GeoPoint& point = *producer.location;
    if (!(point.latitude >= -90 && point.latitude <= 90) || !(point.longitude >= -180 && point.longitude <= 180)) {
      return absl::InvalidArgumentError(
          "producer.location: latitude must be within [-90, 90] and longitude within [-180, 180]");
    }
  }
  std::vector<SalesChannel>& channels = producer.sales_channels;
  std::sort(channels.begin(), channels.end());
  if (std::adjacent_find(channels.begin(), channels.end()) != channels.end()) {
    return absl::InvalidArgumentError("producer.sales_channels: lists a channel twice");
  }
  if (!channels.empty() && channels.front() == SalesChannel::kUnspecified) {
    return absl::InvalidArgumentError("producer.sales_channels: SALES_CHANNEL_UNSPECIFIED is not a channel");
  }
  const Workforce& workforce = producer.workforce;
  if (workforce.workers < 0 || workforce.workers > kMaxWorkers) {
    return absl::InvalidArgumentError(absl::StrCat("producer.workforce.workers: must be within [0, ", kMaxWorkers, "]"));
  }
  if (workforce.trained_workers < 0 || workforce.trained_workers > workforce.workers) {
    return absl::InvalidArgumentError(
        absl::StrCat("producer.workforce.trained_workers: must be within [0, workers (", workforce.workers, ")]"));
  }
  ValueChain& chain = producer.value_chain;
  if (!(chain.raw_material_hectares >= 0 && chain.raw_material_hectares <= kMaxRawMaterialHectares)) {
    return absl::InvalidArgumentError(absl::StrCat("producer.value_chain.raw_material_hectares: must be within [0, ",
                                                   static_cast<int64_t>(kMaxRawMaterialHectares), "]"));
  }
  OCOP_RETURN_IF_ERROR(Normalize("producer.value_chain.raw_material_area", &chain.raw_material_area));
  OCOP_RETURN_IF_ERROR(
      validate::Text("producer.value_chain.raw_material_area", chain.raw_material_area, 300, false));
  return absl::OkStatus();
}

absl::Status ResolveAddress(UnitRepository& unit_tables, Address& address, const std::string& field) {
  OCOP_ASSIGN_OR_RETURN(UnitResolution units, unit_tables.ResolveUnits(address.units_version, address.province_code,
                                                                       address.commune_code));
  if (!units.province_found) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".province_code: ", address.province_code,
                                                   " is not a province in the ", address.units_version,
                                                   " unit table"));
  }
  if (!units.commune_found) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".commune_code: ", address.commune_code,
                                                   " is not a commune in the ", address.units_version,
                                                   " unit table"));
  }
  if (units.commune_province_code != address.province_code) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".commune_code: ", address.commune_code, " (",
                                                   units.commune_name, ") is in province ",
                                                   units.commune_province_code, ", not ", address.province_code));
  }
  // The official names of the recorded units, so reports and pages never show a misspelling.
  address.province_name = units.province_name;
  address.commune_name = units.commune_name;
  if (address.district_name.empty()) address.district_name = units.district_name;
  address.current_province_code = units.current_province_code;
  address.current_commune_code = units.current_commune_code;
  return absl::OkStatus();
}

absl::Status CheckOwner(ProducerRepository& producers, const Actor& actor, const std::string& resource,
                        const std::string& producer) {
  return auth::CheckOwner(actor, resource, producer, [&](const std::string& owner) -> absl::StatusOr<std::string> {
    OCOP_ASSIGN_OR_RETURN(Producer stored, producers.GetProducer(owner));
    return stored.address.TodaysProvinceCode();
  });
}

}  // namespace registry_internal

absl::StatusOr<std::string> Producers::ProvinceOf(const std::string& producer) {
  OCOP_ASSIGN_OR_RETURN(Producer stored, repository_->GetProducer(producer));
  return stored.address.TodaysProvinceCode();
}

absl::StatusOr<Producer> Producers::CreateProducer(const Actor& actor, Producer producer,
                                                  const std::string& request_id,
                                                  const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_RETURN_IF_ERROR(registry_internal::ValidateProducer(producer));
  OCOP_RETURN_IF_ERROR(registry_internal::ResolveAddress(*units_, producer.address));
  OCOP_RETURN_IF_ERROR(
      auth::CheckProvince(actor, "producer.address.province_code", producer.address.TodaysProvinceCode()));
  producer.name = absl::StrCat("producers/", validate::NewId(issuer_));
  producer.create_time = clock_();
  producer.update_time = producer.create_time;
  producer.generation = 1;
  return repository_->CreateProducer(producer, IdempotencyKeyFor(actor, "CreateProducer", request_id, request_fingerprint));
}

absl::StatusOr<Producer> Producers::UpdateProducer(const Actor& actor, const Producer& update,
                                                  const std::vector<std::string>& field_paths,
                                                  const std::string& etag) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("producer.name", update.name, "producers"));
  OCOP_ASSIGN_OR_RETURN(Producer current, repository_->GetProducer(update.name));
  OCOP_RETURN_IF_ERROR(auth::CheckOwner(actor, update.name, current.name,
                                        [&](const std::string&) { return current.address.TodaysProvinceCode(); }));
  if (!etag.empty() && etag != ProducerEtag(current)) {
    return absl::AbortedError(absl::StrCat("producer.etag: ", update.name,
                                           " changed since it was read; read it again and retry"));
  }
  Producer updated = current;
  const std::vector<std::string> all = {"display_name",   "kind",      "address",    "phone",
                                        "tax_code",       "external_id", "representative", "location",
                                        "sales_channels", "workforce", "value_chain"};
  for (const std::string& path : field_paths.empty() ? all : field_paths) {
    if (path == "display_name") updated.display_name = update.display_name;
    else if (path == "kind") updated.kind = update.kind;
    else if (path == "address") updated.address = update.address;
    else if (path == "phone") updated.phone = update.phone;
    else if (path == "tax_code") updated.tax_code = update.tax_code;
    else if (path == "external_id") updated.external_id = update.external_id;
    else if (path == "representative") updated.representative = update.representative;
    else if (path == "location") updated.location = update.location;
    else if (path == "sales_channels") updated.sales_channels = update.sales_channels;
    else if (path == "workforce") updated.workforce = update.workforce;
    else if (path == "value_chain") updated.value_chain = update.value_chain;
    else return absl::InvalidArgumentError(absl::StrCat("update_mask: '", path, "' is not an updatable field"));
  }
  OCOP_RETURN_IF_ERROR(registry_internal::ValidateProducer(updated));
  OCOP_RETURN_IF_ERROR(registry_internal::ResolveAddress(*units_, updated.address));
  // An office cannot move a producer out of its province (nor a producer itself elsewhere).
  if (updated.address.TodaysProvinceCode() != current.address.TodaysProvinceCode() && actor.role != "admin") {
    OCOP_RETURN_IF_ERROR(
        auth::CheckProvince(actor, "producer.address.province_code", updated.address.TodaysProvinceCode()));
  }
  // Compare after validation: it fills official unit names, so a resubmitted producer is unchanged.
  if (updated.SameContent(current)) return current;
  updated.generation = current.generation + 1;
  updated.update_time = clock_();
  return repository_->UpdateProducer(updated, current.generation);
}

std::string ProducerEtag(const Producer& producer) { return absl::StrCat(producer.generation); }

absl::StatusOr<Producer> Producers::GetProducer(const Actor& actor, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "producers"));
  OCOP_ASSIGN_OR_RETURN(Producer producer, repository_->GetProducer(name));
  // A producer's record holds its representative's phone and tax code: its own users, its
  // province's office and integrators scoped to it see it; the public sees lookup's public view.
  const bool allowed = auth::SeesEverything(actor) || (!actor.producer.empty() && actor.producer == name) ||
                       (actor.producer.empty() && !actor.province.empty() &&
                        actor.province == producer.address.TodaysProvinceCode() &&
                        (actor.role == "office" || actor.role == "integrator"));
  if (!allowed) {
    return absl::PermissionDeniedError(absl::StrCat(name, ": only the producer itself, its province's office or ",
                                                    "an integrator scoped to it may read its record"));
  }
  return producer;
}

absl::StatusOr<Page<Producer>> Producers::ListProducers(const Actor& actor, ProducerFilter filter,
                                                       const PageRequest& page) {
  OCOP_ASSIGN_OR_RETURN(filter.province_code, auth::ScopedProvince(actor, "province_code", filter.province_code));
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page.page_size, registry_internal::kDefaultPageSize, registry_internal::kMaxPageSize));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page.page_token));
  if (!filter.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("province_code", filter.province_code, 2));
  }
  if (!filter.commune_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("commune_code", filter.commune_code, 5));
  }
  return repository_->ListProducers(filter, after, size);
}

}  // namespace ocop::registry
