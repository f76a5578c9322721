#include "services/registry/proto_convert.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"

#include "common/grpc/proto_time.h"
#include "common/grpc/text_proto.h"
#include "services/registry/producers.h"
#include "services/registry/products.h"

namespace ocop::registry {
namespace {

// What a caller may set of an address; names of today's units are output only.
Address AddressFromProto(const common::v1::Address& proto) {
  Address address;
  address.street = proto.street();
  address.commune_code = proto.commune_code();
  address.commune_name = proto.commune_name();
  address.district_name = proto.district_name();
  address.province_code = proto.province_code();
  address.province_name = proto.province_name();
  address.units_version = proto.units_version();
  return address;
}

void AddressToProto(const Address& address, common::v1::Address* proto) {
  proto->set_street(address.street);
  proto->set_commune_code(address.commune_code);
  proto->set_commune_name(address.commune_name);
  proto->set_district_name(address.district_name);
  proto->set_province_code(address.province_code);
  proto->set_province_name(address.province_name);
  proto->set_units_version(address.units_version);
  proto->set_current_province_code(address.current_province_code);
  proto->set_current_province_name(address.current_province_name);
  proto->set_current_commune_code(address.current_commune_code);
  proto->set_current_commune_name(address.current_commune_name);
}

}  // namespace

absl::StatusOr<Producer> FromProto(const v1::Producer& proto) {
  if (proto.kind() < 0 || proto.kind() > kMaxProducerKind) {
    return absl::InvalidArgumentError("producer.kind: unknown value");
  }
  if (proto.representative().gender() < 0 || proto.representative().gender() > kMaxGender) {
    return absl::InvalidArgumentError("producer.representative.gender: unknown value");
  }
  Producer producer;
  producer.name = proto.name();
  producer.display_name = proto.display_name();
  producer.kind = static_cast<ProducerKind>(proto.kind());
  producer.address = AddressFromProto(proto.address());
  producer.phone = proto.phone();
  producer.tax_code = proto.tax_code();
  producer.external_id = proto.external_id();
  const v1::Representative& representative = proto.representative();
  producer.representative = Representative{representative.full_name(),
                                           static_cast<Gender>(representative.gender()),
                                           representative.ethnic_minority(), representative.ethnicity()};
  if (proto.has_location()) {
    producer.location = GeoPoint{proto.location().latitude(), proto.location().longitude()};
  }
  for (int channel : proto.sales_channels()) {
    if (channel < 0 || channel > kMaxSalesChannel) {
      return absl::InvalidArgumentError("producer.sales_channels: unknown value");
    }
    producer.sales_channels.push_back(static_cast<SalesChannel>(channel));
  }
  producer.workforce = Workforce{proto.workforce().workers(), proto.workforce().trained_workers()};
  producer.value_chain = ValueChain{proto.value_chain().green_or_circular(),
                                    proto.value_chain().raw_material_hectares(),
                                    proto.value_chain().raw_material_area()};
  return producer;
}

absl::StatusOr<OcopRating> FromProto(const v1::OcopRating& proto, const std::string& field) {
  if (proto.council_level() < 0 || proto.council_level() > kMaxCouncilLevel) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".council_level: unknown value"));
  }
  if (proto.product_group() < 0 || proto.product_group() > kMaxProductGroup) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".product_group: unknown value"));
  }
  OcopRating rating;
  rating.stars = proto.stars();
  rating.score = proto.score();
  rating.council_level = static_cast<CouncilLevel>(proto.council_level());
  rating.certificate_number = proto.certificate_number();
  rating.decision_number = proto.decision_number();
  rating.decision_date = proto.decision_date();
  rating.valid_until = proto.valid_until();
  rating.product_group = static_cast<ProductGroup>(proto.product_group());
  rating.note = proto.note();
  return rating;
}

absl::StatusOr<Product> FromProto(const v1::Product& proto) {
  if (proto.group() < 0 || proto.group() > kMaxProductGroup) {
    return absl::InvalidArgumentError("product.group: unknown value");
  }
  if (proto.status() < 0 || proto.status() > kMaxProductStatus) {
    return absl::InvalidArgumentError("product.status: unknown value");
  }
  Product product;
  product.name = proto.name();
  product.producer = proto.producer();
  product.display_name = proto.display_name();
  product.group = static_cast<ProductGroup>(proto.group());
  product.description = proto.description();
  product.gtin = proto.gtin();
  product.sub_group = proto.sub_group();
  product.category = proto.category();
  product.ingredients = proto.ingredients();
  product.shelf_life_days = proto.shelf_life_days();
  product.storage = proto.storage();
  for (const v1::ProductImage& image : proto.images()) product.images.push_back({image.uri(), image.sha256()});
  for (int i = 0; i < proto.intellectual_property_size(); ++i) {
    const v1::IntellectualProperty& ip = proto.intellectual_property(i);
    if (ip.kind() < 0 || ip.kind() > kMaxIntellectualPropertyKind) {
      return absl::InvalidArgumentError(absl::StrCat("product.intellectual_property[", i, "].kind: unknown value"));
    }
    product.intellectual_property.push_back(
        {static_cast<IntellectualPropertyKind>(ip.kind()), ip.number(), ip.holder(), ip.grant_date()});
  }
  product.status = static_cast<ProductStatus>(proto.status());
  product.external_id = proto.external_id();
  if (proto.has_rating()) {
    OCOP_ASSIGN_OR_RETURN(OcopRating rating, FromProto(proto.rating(), "product.rating"));
    product.rating = std::move(rating);
  }
  return product;
}

v1::Producer ToProto(const Producer& producer) {
  v1::Producer proto;
  proto.set_name(producer.name);
  proto.set_display_name(producer.display_name);
  proto.set_kind(static_cast<v1::ProducerKind>(producer.kind));
  AddressToProto(producer.address, proto.mutable_address());
  proto.set_phone(producer.phone);
  proto.set_tax_code(producer.tax_code);
  proto.set_external_id(producer.external_id);
  v1::Representative* representative = proto.mutable_representative();
  representative->set_full_name(producer.representative.full_name);
  representative->set_gender(static_cast<v1::Gender>(producer.representative.gender));
  representative->set_ethnic_minority(producer.representative.ethnic_minority);
  representative->set_ethnicity(producer.representative.ethnicity);
  if (producer.location.has_value()) {
    proto.mutable_location()->set_latitude(producer.location->latitude);
    proto.mutable_location()->set_longitude(producer.location->longitude);
  }
  for (SalesChannel channel : producer.sales_channels) {
    proto.add_sales_channels(static_cast<v1::SalesChannel>(channel));
  }
  proto.mutable_workforce()->set_workers(producer.workforce.workers);
  proto.mutable_workforce()->set_trained_workers(producer.workforce.trained_workers);
  proto.mutable_value_chain()->set_green_or_circular(producer.value_chain.green_or_circular);
  proto.mutable_value_chain()->set_raw_material_hectares(producer.value_chain.raw_material_hectares);
  proto.mutable_value_chain()->set_raw_material_area(producer.value_chain.raw_material_area);
  proto.set_etag(ProducerEtag(producer));
  grpcutil::ToProtoTime(producer.create_time, proto.mutable_create_time());
  grpcutil::ToProtoTime(producer.update_time, proto.mutable_update_time());
  return proto;
}

v1::OcopRating ToProto(const OcopRating& rating) {
  v1::OcopRating proto;
  proto.set_name(rating.name);
  proto.set_stars(rating.stars);
  proto.set_score(rating.score);
  proto.set_council_level(static_cast<v1::CouncilLevel>(rating.council_level));
  proto.set_certificate_number(rating.certificate_number);
  proto.set_decision_number(rating.decision_number);
  proto.set_decision_date(rating.decision_date);
  proto.set_valid_until(rating.valid_until);
  proto.set_product_group(static_cast<v1::ProductGroup>(rating.product_group));
  proto.set_note(rating.note);
  proto.set_state(static_cast<v1::RatingState>(rating.state));
  proto.set_recorded_by(rating.recorded_by);
  if (rating.record_time != absl::Time()) grpcutil::ToProtoTime(rating.record_time, proto.mutable_record_time());
  proto.set_renews(rating.renews);
  return proto;
}

v1::Product ToProto(const Product& product) {
  v1::Product proto;
  proto.set_name(product.name);
  proto.set_producer(product.producer);
  proto.set_display_name(product.display_name);
  proto.set_group(static_cast<v1::ProductGroup>(product.group));
  proto.set_description(product.description);
  proto.set_gtin(product.gtin);
  proto.set_sub_group(product.sub_group);
  proto.set_category(product.category);
  proto.set_ingredients(product.ingredients);
  proto.set_shelf_life_days(product.shelf_life_days);
  proto.set_storage(product.storage);
  for (const ProductImage& image : product.images) {
    v1::ProductImage* out = proto.add_images();
    out->set_uri(image.uri);
    out->set_sha256(image.sha256);
  }
  for (const IntellectualProperty& ip : product.intellectual_property) {
    v1::IntellectualProperty* out = proto.add_intellectual_property();
    out->set_kind(static_cast<v1::IntellectualPropertyKind>(ip.kind));
    out->set_number(ip.number);
    out->set_holder(ip.holder);
    out->set_grant_date(ip.grant_date);
  }
  proto.set_status(static_cast<v1::ProductStatus>(product.status));
  proto.set_external_id(product.external_id);
  if (product.rating.has_value()) *proto.mutable_rating() = ToProto(*product.rating);
  proto.set_etag(ProductEtag(product));
  grpcutil::ToProtoTime(product.create_time, proto.mutable_create_time());
  grpcutil::ToProtoTime(product.update_time, proto.mutable_update_time());
  return proto;
}

v1::CouncilRuleSet ToProto(const std::vector<CouncilRule>& rules) {
  v1::CouncilRuleSet proto;
  for (const CouncilRule& rule : rules) {
    v1::CouncilRule* out = proto.add_rules();
    out->set_level(static_cast<v1::CouncilLevel>(rule.level));
    out->set_min_stars(rule.min_stars);
    out->set_max_stars(rule.max_stars);
    out->set_valid_from(rule.valid_from);
    out->set_valid_until(rule.valid_until);
    out->set_source(rule.source);
  }
  return proto;
}

UnitScope FromProto(const v1::UnitScope& proto) {
  UnitScope scope;
  scope.units_version = proto.units_version();
  scope.province_code = proto.province_code();
  scope.district_code = proto.district_code();
  scope.commune_code = proto.commune_code();
  return scope;
}

v1::UnitScope ToProto(const UnitScope& scope) {
  v1::UnitScope proto;
  proto.set_units_version(scope.units_version);
  proto.set_province_code(scope.province_code);
  proto.set_district_code(scope.district_code);
  proto.set_commune_code(scope.commune_code);
  proto.set_display_name(scope.display_name);
  proto.set_current_province_code(scope.current_province_code);
  return proto;
}

v1::CertifiedProductsReport ToProto(const CertifiedReport& report) {
  v1::CertifiedProductsReport proto;
  proto.set_as_of(report.as_of);
  *proto.mutable_scope() = ToProto(report.scope);
  proto.set_total(report.total);
  for (const CertifiedReportRow& row : report.rows) {
    v1::CertifiedProductsReport::Row* out = proto.add_rows();
    out->set_stars(row.stars);
    out->set_product_group(static_cast<v1::ProductGroup>(row.product_group));
    out->set_province_code(row.province_code);
    out->set_province_name(row.province_name);
    out->set_commune_code(row.commune_code);
    out->set_commune_name(row.commune_name);
    out->set_certification_year(row.certification_year);
    out->set_sub_group(row.sub_group);
    out->set_category(row.category);
    out->set_products(row.products);
  }
  return proto;
}

v1::ProducersReport ToProto(const ProducersReport& report) {
  v1::ProducersReport proto;
  proto.set_as_of(report.as_of);
  *proto.mutable_scope() = ToProto(report.scope);
  proto.set_total(report.total);
  for (const ProducerReportRow& row : report.rows) {
    v1::ProducersReport::Row* out = proto.add_rows();
    out->set_kind(static_cast<v1::ProducerKind>(row.kind));
    out->set_producers(row.producers);
    out->set_women_led(row.women_led);
    out->set_ethnic_minority_led(row.ethnic_minority_led);
    out->set_green_value_chains(row.green_value_chains);
    out->set_workers(row.workers);
    out->set_trained_workers(row.trained_workers);
    out->set_modern_channels(row.modern_channels);
  }
  return proto;
}

v1::CertificationCounts ToProto(const CertificationCounts& counts) {
  v1::CertificationCounts proto;
  proto.set_as_of(counts.as_of);
  proto.set_period_start(counts.period_start);
  proto.set_period_end(counts.period_end);
  *proto.mutable_scope() = ToProto(counts.scope);
  proto.set_ever_certified(counts.ever_certified);
  proto.set_certified_during_period(counts.certified_during_period);
  proto.set_first_certified_during_period(counts.first_certified_during_period);
  proto.set_decisions_during_period(counts.decisions_during_period);
  proto.set_valid_on_day(counts.valid_on_day);
  return proto;
}

v1::ExpiringCertificate ToProto(const ExpiringCertificate& certificate) {
  v1::ExpiringCertificate proto;
  *proto.mutable_product() = ToProto(certificate.product);
  proto.set_producer_display_name(certificate.producer_display_name);
  proto.set_province_code(certificate.province_code);
  proto.set_commune_code(certificate.commune_code);
  proto.set_commune_name(certificate.commune_name);
  proto.set_days_left(certificate.days_left);
  return proto;
}

absl::StatusOr<ProvincePlan> FromProto(const v1::ProvincePlan& proto) {
  ProvincePlan plan;
  plan.name = proto.name();
  plan.province_code = proto.province_code();
  plan.display_name = proto.display_name();
  plan.period_start = proto.period_start();
  plan.period_end = proto.period_end();
  plan.scope = FromProto(proto.scope());
  for (int i = 0; i < proto.targets_size(); ++i) {
    const v1::PlanTarget& target = proto.targets(i);
    if (target.metric() < 0 || target.metric() > kMaxPlanMetric) {
      return absl::InvalidArgumentError(absl::StrCat("plan.targets[", i, "].metric: unknown value"));
    }
    if (target.bound() < 0 || target.bound() > kMaxTargetBound) {
      return absl::InvalidArgumentError(absl::StrCat("plan.targets[", i, "].bound: unknown value"));
    }
    PlanTarget converted;
    converted.metric = static_cast<PlanMetric>(target.metric());
    converted.target = target.target();
    converted.description = target.description();
    converted.bound = target.bound() == v1::TARGET_BOUND_UNSPECIFIED ? TargetBound::kAtLeast
                                                                     : static_cast<TargetBound>(target.bound());
    converted.target_max = target.target_max();
    plan.targets.push_back(std::move(converted));
  }
  return plan;
}

absl::StatusOr<SalesPoint> FromProto(const v1::SalesPoint& proto) {
  if (proto.kind() < 0 || proto.kind() > kMaxSalesPointKind) {
    return absl::InvalidArgumentError("sales_point.kind: unknown value");
  }
  if (proto.tier() < 0 || proto.tier() > kMaxSalesPointTier) {
    return absl::InvalidArgumentError("sales_point.tier: unknown value");
  }
  SalesPoint point;
  point.name = proto.name();
  point.display_name = proto.display_name();
  point.kind = static_cast<SalesPointKind>(proto.kind());
  point.tier = static_cast<SalesPointTier>(proto.tier());
  point.address = AddressFromProto(proto.address());
  point.operator_name = proto.operator_name();
  point.producer = proto.producer();
  point.opened_date = proto.opened_date();
  point.upgrade_dates.assign(proto.upgrade_dates().begin(), proto.upgrade_dates().end());
  point.closed_date = proto.closed_date();
  return point;
}

v1::SalesPoint ToProto(const SalesPoint& point) {
  v1::SalesPoint proto;
  proto.set_name(point.name);
  proto.set_display_name(point.display_name);
  proto.set_kind(static_cast<v1::SalesPointKind>(point.kind));
  proto.set_tier(static_cast<v1::SalesPointTier>(point.tier));
  AddressToProto(point.address, proto.mutable_address());
  proto.set_operator_name(point.operator_name);
  proto.set_producer(point.producer);
  proto.set_opened_date(point.opened_date);
  for (const std::string& day : point.upgrade_dates) proto.add_upgrade_dates(day);
  proto.set_closed_date(point.closed_date);
  grpcutil::ToProtoTime(point.update_time, proto.mutable_update_time());
  return proto;
}

absl::StatusOr<ProductIdea> FromProto(const v1::ProductIdea& proto) {
  if (proto.group() < 0 || proto.group() > kMaxProductGroup) {
    return absl::InvalidArgumentError("product_idea.group: unknown value");
  }
  if (proto.stage() < 0 || proto.stage() > kMaxProductIdeaStage) {
    return absl::InvalidArgumentError("product_idea.stage: unknown value");
  }
  ProductIdea idea;
  idea.name = proto.name();
  idea.display_name = proto.display_name();
  idea.sector = proto.sector();
  idea.group = static_cast<ProductGroup>(proto.group());
  idea.sub_group = proto.sub_group();
  idea.category = proto.category();
  idea.address = AddressFromProto(proto.address());
  idea.producer = proto.producer();
  idea.proposer_name = proto.proposer_name();
  idea.registered_date = proto.registered_date();
  idea.stage = static_cast<ProductIdeaStage>(proto.stage());
  return idea;
}

v1::ProductIdea ToProto(const ProductIdea& idea) {
  v1::ProductIdea proto;
  proto.set_name(idea.name);
  proto.set_display_name(idea.display_name);
  proto.set_sector(idea.sector);
  proto.set_group(static_cast<v1::ProductGroup>(idea.group));
  proto.set_sub_group(idea.sub_group);
  proto.set_category(idea.category);
  AddressToProto(idea.address, proto.mutable_address());
  proto.set_producer(idea.producer);
  proto.set_proposer_name(idea.proposer_name);
  proto.set_registered_date(idea.registered_date);
  proto.set_stage(static_cast<v1::ProductIdeaStage>(idea.stage));
  grpcutil::ToProtoTime(idea.update_time, proto.mutable_update_time());
  proto.set_dossier(idea.dossier);
  return proto;
}

v1::PlanTarget ToProto(const PlanTarget& target) {
  v1::PlanTarget proto;
  proto.set_metric(static_cast<v1::PlanMetric>(target.metric));
  proto.set_target(target.target);
  proto.set_description(target.description);
  proto.set_bound(static_cast<v1::TargetBound>(target.bound));
  proto.set_target_max(target.target_max);
  return proto;
}

v1::ProvincePlan ToProto(const ProvincePlan& plan) {
  v1::ProvincePlan proto;
  proto.set_name(plan.name);
  proto.set_province_code(plan.province_code);
  proto.set_display_name(plan.display_name);
  proto.set_period_start(plan.period_start);
  proto.set_period_end(plan.period_end);
  *proto.mutable_scope() = ToProto(plan.scope);
  for (const PlanTarget& target : plan.targets) *proto.add_targets() = ToProto(target);
  return proto;
}

v1::PlanProgress ToProto(const PlanProgress& progress) {
  v1::PlanProgress proto;
  *proto.mutable_plan() = ToProto(progress.plan);
  proto.set_as_of(progress.as_of);
  for (const TargetProgress& item : progress.targets) {
    v1::PlanProgress::Target* out = proto.add_targets();
    *out->mutable_target() = ToProto(item.target);
    out->set_value(item.value);
    out->set_gap(item.gap);
    out->set_met(item.met);
    out->set_numerator(item.numerator);
    out->set_denominator(item.denominator);
  }
  return proto;
}

absl::StatusOr<CouncilRules> LoadCouncilRules(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("council rules: cannot read ", path));
  std::ostringstream content;
  content << in.rdbuf();
  return ParseCouncilRules(content.str(), path);
}

absl::StatusOr<CouncilRules> ParseCouncilRules(const std::string& text, const std::string& origin) {
  v1::CouncilRuleSet proto;
  if (absl::Status parsed = grpcutil::ParseTextProto(text, &proto); !parsed.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("council rules: ", origin, " is not a CouncilRuleSet in protobuf text format: ", parsed.message()));
  }
  std::vector<CouncilRule> rules;
  for (const v1::CouncilRule& rule : proto.rules()) {
    rules.push_back({static_cast<CouncilLevel>(rule.level()), rule.min_stars(), rule.max_stars(), rule.valid_from(),
                     rule.valid_until(), rule.source()});
  }
  return CouncilRules::Create(std::move(rules));
}

}  // namespace ocop::registry
