#include "services/registry/proto_convert.h"

#include "common/grpc/proto_time.h"
#include "services/registry/registry.h"

namespace ocop::registry {

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
  const common::v1::Address& address = proto.address();
  producer.address.street = address.street();
  producer.address.commune_code = address.commune_code();
  producer.address.commune_name = address.commune_name();
  producer.address.district_name = address.district_name();
  producer.address.province_code = address.province_code();
  producer.address.province_name = address.province_name();
  producer.address.units_version = address.units_version();
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
  return producer;
}

absl::StatusOr<Product> FromProto(const v1::Product& proto) {
  if (proto.group() < 0 || proto.group() > kMaxProductGroup) {
    return absl::InvalidArgumentError("product.group: unknown value");
  }
  Product product;
  product.producer = proto.producer();
  product.display_name = proto.display_name();
  product.group = static_cast<ProductGroup>(proto.group());
  product.description = proto.description();
  product.gtin = proto.gtin();
  if (proto.has_rating()) {
    const v1::OcopRating& rating = proto.rating();
    product.rating = OcopRating{rating.stars(), rating.score(), rating.certificate_number(), rating.valid_until()};
  }
  return product;
}

v1::Producer ToProto(const Producer& producer) {
  v1::Producer proto;
  proto.set_name(producer.name);
  proto.set_display_name(producer.display_name);
  proto.set_kind(static_cast<v1::ProducerKind>(producer.kind));
  common::v1::Address* address = proto.mutable_address();
  const Address& a = producer.address;
  address->set_street(a.street);
  address->set_commune_code(a.commune_code);
  address->set_commune_name(a.commune_name);
  address->set_district_name(a.district_name);
  address->set_province_code(a.province_code);
  address->set_province_name(a.province_name);
  address->set_units_version(a.units_version);
  address->set_current_province_code(a.current_province_code);
  address->set_current_province_name(a.current_province_name);
  address->set_current_commune_code(a.current_commune_code);
  address->set_current_commune_name(a.current_commune_name);
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
  proto.set_etag(ProducerEtag(producer));
  grpcutil::ToProtoTime(producer.create_time, proto.mutable_create_time());
  grpcutil::ToProtoTime(producer.update_time, proto.mutable_update_time());
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
  if (product.rating.has_value()) {
    v1::OcopRating* rating = proto.mutable_rating();
    rating->set_stars(product.rating->stars);
    rating->set_score(product.rating->score);
    rating->set_certificate_number(product.rating->certificate_number);
    rating->set_valid_until(product.rating->valid_until);
  }
  grpcutil::ToProtoTime(product.create_time, proto.mutable_create_time());
  return proto;
}

}  // namespace ocop::registry
