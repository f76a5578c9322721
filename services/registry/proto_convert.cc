#include "services/registry/proto_convert.h"

#include "common/grpc/proto_time.h"

namespace ocop::registry {

absl::StatusOr<Producer> FromProto(const v1::Producer& proto) {
  if (proto.kind() < 0 || proto.kind() > kMaxProducerKind) {
    return absl::InvalidArgumentError("producer.kind: unknown value");
  }
  Producer producer;
  producer.display_name = proto.display_name();
  producer.kind = static_cast<ProducerKind>(proto.kind());
  const common::v1::Address& address = proto.address();
  producer.address = Address{address.street(),        address.commune_code(),  address.commune_name(),
                             address.district_name(), address.province_code(), address.province_name()};
  producer.phone = proto.phone();
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
  address->set_street(producer.address.street);
  address->set_commune_code(producer.address.commune_code);
  address->set_commune_name(producer.address.commune_name);
  address->set_district_name(producer.address.district_name);
  address->set_province_code(producer.address.province_code);
  address->set_province_name(producer.address.province_name);
  proto.set_phone(producer.phone);
  grpcutil::ToProtoTime(producer.create_time, proto.mutable_create_time());
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
