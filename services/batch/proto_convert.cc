#include "services/batch/proto_convert.h"

#include "common/grpc/proto_time.h"

namespace ocop::batch {
namespace {

GeoPoint FromProto(const common::v1::GeoPoint& proto) { return GeoPoint{proto.latitude(), proto.longitude()}; }

void ToProto(const GeoPoint& point, common::v1::GeoPoint* proto) {
  proto->set_latitude(point.latitude);
  proto->set_longitude(point.longitude);
}

void ToProto(const std::vector<QuantityElement>& quantities,
             google::protobuf::RepeatedPtrField<v1::QuantityElement>* proto) {
  for (const QuantityElement& element : quantities) {
    v1::QuantityElement* out = proto->Add();
    out->set_object(element.object);
    out->set_quantity(element.quantity);
    out->set_unit(element.unit);
  }
}

}  // namespace

absl::StatusOr<Batch> FromProto(const v1::Batch& proto) {
  Batch batch;
  batch.product = proto.product();
  batch.lot_code = proto.lot_code();
  batch.harvest_date = proto.harvest_date();
  batch.quantity = proto.quantity();
  batch.unit = proto.unit();
  batch.growing_area_code = proto.growing_area_code();
  batch.package_count = proto.package_count();
  batch.expiry_date = proto.expiry_date();
  batch.source_seasons.assign(proto.source_seasons().begin(), proto.source_seasons().end());
  for (const v1::Certification& c : proto.certifications()) {
    if (c.scheme() < 0 || c.scheme() > kMaxCertificationScheme) {
      return absl::InvalidArgumentError("batch.certifications.scheme: unknown value");
    }
    batch.certifications.push_back(Certification{static_cast<CertificationScheme>(c.scheme()), c.certificate_number(),
                                                 c.certifying_body(), c.valid_from(), c.valid_until(), c.standard()});
  }
  return batch;
}

Location FromProto(const v1::Location& proto) {
  Location location;
  location.display_name = proto.display_name();
  location.commune_code = proto.commune_code();
  if (proto.has_geo()) location.geo = FromProto(proto.geo());
  location.gln = proto.gln();
  return location;
}

absl::StatusOr<BatchEvent> FromProto(const v1::BatchEvent& proto) {
  if (proto.type() < 0 || proto.type() > kMaxEventType) return absl::InvalidArgumentError("event.type: unknown value");
  BatchEvent event;
  event.type = static_cast<EventType>(proto.type());
  event.biz_step = proto.biz_step();
  // Kept to the microsecond, as the store and the chain's canonical encoding keep it: finer digits
  // would be stored and hashed away, and two events differing only in them would hash alike
  // (found by the canonical_event fuzz target).
  event.event_time = proto.has_event_time()
                         ? absl::FromUnixMicros(absl::ToUnixMicros(grpcutil::FromProtoTime(proto.event_time())))
                         : absl::UnixEpoch();
  event.event_time_zone_offset = proto.event_time_zone_offset();
  event.location = FromProto(proto.location());
  event.disposition = proto.disposition();
  event.details.assign(proto.details().begin(), proto.details().end());
  event.event_id = proto.event_id();
  for (const v1::Attachment& a : proto.attachments()) {
    event.attachments.push_back(Attachment{a.uri(), a.sha256(), a.media_type()});
  }
  event.corrects = proto.corrects();
  event.correction_reason = proto.correction_reason();
  for (const v1::QuantityElement& q : proto.inputs()) event.inputs.push_back(QuantityElement{q.object(), q.quantity(), q.unit()});
  for (const v1::QuantityElement& q : proto.outputs()) event.outputs.push_back(QuantityElement{q.object(), q.quantity(), q.unit()});
  return event;
}

GrowingArea FromProto(const v1::GrowingArea& proto) {
  GrowingArea area;
  area.code = proto.code();
  area.producer = proto.producer();
  area.commune_code = proto.commune_code();
  if (proto.has_point()) area.point = FromProto(proto.point());
  for (const common::v1::GeoPoint& point : proto.boundary()) area.boundary.push_back(FromProto(point));
  area.area_hectares = proto.area_hectares();
  area.crop = proto.crop();
  return area;
}

Season FromProto(const v1::Season& proto) {
  Season season;
  season.label = proto.label();
  season.start_date = proto.start_date();
  season.end_date = proto.end_date();
  return season;
}

Checkpoint FromProto(const v1::Checkpoint& proto) {
  return Checkpoint{proto.chain(), proto.sequence(), proto.head_hash(), proto.key_id(), proto.signature()};
}

v1::Checkpoint ToProto(const Checkpoint& checkpoint) {
  v1::Checkpoint proto;
  proto.set_chain(checkpoint.chain);
  proto.set_sequence(checkpoint.sequence);
  proto.set_head_hash(checkpoint.head_hash);
  proto.set_key_id(checkpoint.key_id);
  proto.set_signature(checkpoint.signature);
  return proto;
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
  proto.set_expiry_date(batch.expiry_date);
  for (const std::string& season : batch.source_seasons) proto.add_source_seasons(season);
  for (const Certification& c : batch.certifications) {
    v1::Certification* out = proto.add_certifications();
    out->set_scheme(static_cast<v1::CertificationScheme>(c.scheme));
    out->set_certificate_number(c.certificate_number);
    out->set_certifying_body(c.certifying_body);
    out->set_valid_from(c.valid_from);
    out->set_valid_until(c.valid_until);
    out->set_standard(c.standard);
  }
  proto.set_status(static_cast<v1::BatchStatus>(batch.status));
  if (batch.status == BatchStatus::kRecalled) {
    proto.set_recall_reason(batch.recall_reason);
    grpcutil::ToProtoTime(batch.recall_time, proto.mutable_recall_time());
    proto.set_recalled_from(batch.recalled_from);
  }
  for (const std::string& parent : batch.parents) proto.add_parents(parent);
  for (const std::string& child : batch.children) proto.add_children(child);
  if (batch.checkpoint.has_value()) *proto.mutable_checkpoint() = ToProto(*batch.checkpoint);
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
  if (event.location.geo.has_value()) ToProto(*event.location.geo, location->mutable_geo());
  location->set_gln(event.location.gln);
  proto.set_disposition(event.disposition);
  for (const auto& [key, value] : event.details) (*proto.mutable_details())[key] = value;
  proto.set_recorded_by(event.recorded_by);
  proto.set_event_id(event.event_id);
  for (const Attachment& a : event.attachments) {
    v1::Attachment* out = proto.add_attachments();
    out->set_uri(a.uri);
    out->set_sha256(a.sha256);
    out->set_media_type(a.media_type);
  }
  proto.set_corrects(event.corrects);
  proto.set_correction_reason(event.correction_reason);
  ToProto(event.inputs, proto.mutable_inputs());
  ToProto(event.outputs, proto.mutable_outputs());
  proto.set_chain_hash(event.chain_hash);
  return proto;
}

v1::GrowingArea ToProto(const GrowingArea& area) {
  v1::GrowingArea proto;
  proto.set_name(area.name);
  proto.set_code(area.code);
  proto.set_producer(area.producer);
  proto.set_commune_code(area.commune_code);
  if (area.point.has_value()) ToProto(*area.point, proto.mutable_point());
  for (const GeoPoint& point : area.boundary) ToProto(point, proto.add_boundary());
  proto.set_area_hectares(area.area_hectares);
  proto.set_crop(area.crop);
  grpcutil::ToProtoTime(area.create_time, proto.mutable_create_time());
  return proto;
}

v1::Season ToProto(const Season& season) {
  v1::Season proto;
  proto.set_name(season.name);
  proto.set_label(season.label);
  proto.set_start_date(season.start_date);
  proto.set_end_date(season.end_date);
  proto.set_event_count(season.event_count);
  if (season.checkpoint.has_value()) *proto.mutable_checkpoint() = ToProto(*season.checkpoint);
  grpcutil::ToProtoTime(season.create_time, proto.mutable_create_time());
  return proto;
}

v1::Trace ToProto(const Trace& trace) {
  v1::Trace proto;
  *proto.mutable_batch() = ToProto(trace.batch);
  for (const Batch& ancestor : trace.ancestors) *proto.add_ancestors() = ToProto(ancestor);
  for (const Season& season : trace.seasons) *proto.add_seasons() = ToProto(season);
  for (const BatchEvent& event : trace.events) *proto.add_events() = ToProto(event);
  proto.set_omitted_events(trace.omitted_events);
  return proto;
}

}  // namespace ocop::batch
