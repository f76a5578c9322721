#include "services/batch/proto_convert.h"

#include "common/grpc/proto_time.h"

namespace ocop::batch {

Batch FromProto(const v1::Batch& proto) {
  Batch batch;
  batch.product = proto.product();
  batch.lot_code = proto.lot_code();
  batch.harvest_date = proto.harvest_date();
  batch.quantity = proto.quantity();
  batch.unit = proto.unit();
  batch.growing_area_code = proto.growing_area_code();
  batch.package_count = proto.package_count();
  return batch;
}

absl::StatusOr<BatchEvent> FromProto(const v1::BatchEvent& proto) {
  if (proto.type() < 0 || proto.type() > kMaxEventType) return absl::InvalidArgumentError("event.type: unknown value");
  BatchEvent event;
  event.type = static_cast<EventType>(proto.type());
  event.biz_step = proto.biz_step();
  event.event_time = proto.has_event_time() ? grpcutil::FromProtoTime(proto.event_time()) : absl::UnixEpoch();
  event.event_time_zone_offset = proto.event_time_zone_offset();
  event.location.display_name = proto.location().display_name();
  event.location.commune_code = proto.location().commune_code();
  if (proto.location().has_geo()) {
    event.location.geo = GeoPoint{proto.location().geo().latitude(), proto.location().geo().longitude()};
  }
  event.location.gln = proto.location().gln();
  event.disposition = proto.disposition();
  event.details.assign(proto.details().begin(), proto.details().end());
  return event;
}

v1::Batch ToProto(const Batch& batch) {
  v1::Batch proto;
  proto.set_name(batch.name);
  proto.set_product(batch.product);
  proto.set_producer(batch.producer);
  proto.set_lot_code(batch.lot_code);
  proto.set_harvest_date(batch.harvest_date);
  proto.set_quantity(batch.quantity);
  proto.set_unit(batch.unit);
  proto.set_growing_area_code(batch.growing_area_code);
  proto.set_event_count(batch.event_count);
  proto.set_package_count(batch.package_count);
  grpcutil::ToProtoTime(batch.create_time, proto.mutable_create_time());
  return proto;
}

v1::BatchEvent ToProto(const BatchEvent& event) {
  v1::BatchEvent proto;
  proto.set_name(event.name);
  proto.set_sequence(event.sequence);
  proto.set_type(static_cast<v1::EventType>(event.type));
  proto.set_biz_step(event.biz_step);
  grpcutil::ToProtoTime(event.event_time, proto.mutable_event_time());
  proto.set_event_time_zone_offset(event.event_time_zone_offset);
  grpcutil::ToProtoTime(event.record_time, proto.mutable_record_time());
  v1::Location* location = proto.mutable_location();
  location->set_display_name(event.location.display_name);
  location->set_commune_code(event.location.commune_code);
  if (event.location.geo.has_value()) {
    location->mutable_geo()->set_latitude(event.location.geo->latitude);
    location->mutable_geo()->set_longitude(event.location.geo->longitude);
  }
  location->set_gln(event.location.gln);
  proto.set_disposition(event.disposition);
  for (const auto& [key, value] : event.details) (*proto.mutable_details())[key] = value;
  proto.set_recorded_by(event.recorded_by);
  return proto;
}

}  // namespace ocop::batch
