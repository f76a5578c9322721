// The canonical event encoding the hash chain covers (docs/event-chain.md). Input: two BatchEvent
// protobufs (the first one's length in the first two bytes, big-endian), each through FromProto.
// Properties: the encoding is a function of the event (same event, same bytes); two events with
// the same bytes are the same event apart from name and chain_hash (else one could be swapped for
// the other without breaking the chain); the chain hash is 64 lower-case hex digits.
#include <google/protobuf/util/message_differencer.h>

#include "absl/time/civil_time.h"
#include "common/grpc/proto_time.h"
#include "services/batch/event_chain.h"
#include "services/batch/proto_convert.h"
#include "tests/fuzz/fuzz_target.h"

namespace ocop::fuzz {
namespace {

batch::v1::BatchEvent Comparable(const batch::BatchEvent& event) {
  batch::v1::BatchEvent proto = batch::ToProto(event);
  proto.clear_name();
  proto.clear_chain_hash();
  return proto;
}

int Run(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const size_t first_size = std::min<size_t>(size - 2, (static_cast<size_t>(data[0]) << 8) | data[1]);
  batch::v1::BatchEvent first_proto, second_proto;
  if (!first_proto.ParseFromArray(data + 2, static_cast<int>(first_size))) return 0;
  if (!second_proto.ParseFromArray(data + 2 + first_size, static_cast<int>(size - 2 - first_size))) return 0;
  absl::StatusOr<batch::BatchEvent> first = batch::FromProto(first_proto);
  if (!first.ok()) return 0;
  first->batch = "batches/fuzz";
  const std::string bytes = batch::CanonicalEventBytes(*first);
  FUZZ_CHECK(bytes == batch::CanonicalEventBytes(batch::BatchEvent(*first)));
  const std::string hash = batch::NextChainHash("", *first);
  FUZZ_CHECK(hash.size() == 64 && hash.find_first_not_of("0123456789abcdef") == std::string::npos);
  FUZZ_CHECK(batch::NextChainHash(hash, *first) != hash);
  absl::StatusOr<batch::BatchEvent> second = batch::FromProto(second_proto);
  if (!second.ok()) return 0;
  second->batch = "batches/fuzz";
  if (batch::CanonicalEventBytes(*second) == bytes) {
    FUZZ_CHECK(google::protobuf::util::MessageDifferencer::Equals(Comparable(*first), Comparable(*second)));
  }
  return 0;
}

std::string Pair(const batch::v1::BatchEvent& first, const batch::v1::BatchEvent& second) {
  const std::string a = first.SerializeAsString();
  std::string input{static_cast<char>(a.size() >> 8), static_cast<char>(a.size() & 0xff)};
  return input + a + second.SerializeAsString();
}

std::vector<std::string> Seeds() {
  batch::v1::BatchEvent event;
  event.set_sequence(3);
  event.set_type(batch::v1::EVENT_TYPE_OBJECT);
  event.set_biz_step("ocop:spraying");
  grpcutil::ToProtoTime(absl::FromCivil(absl::CivilSecond(2026, 5, 30, 7, 15, 0), absl::UTCTimeZone()),
                        event.mutable_event_time());
  event.set_event_time_zone_offset("+07:00");
  event.mutable_location()->set_display_name("Đồi chè Tân Cương");
  event.mutable_location()->set_commune_code("05533");
  event.mutable_location()->mutable_geo()->set_latitude(21.5928);
  event.mutable_location()->mutable_geo()->set_longitude(105.7640);
  (*event.mutable_details())["pesticide"] = "Abamectin 1.8EC";
  (*event.mutable_details())["pre_harvest_interval_days"] = std::string(1, '7');
  auto* input = event.add_inputs();
  input->set_object("urn:epc:class:lgtin:8930000.00001.L1");
  input->set_quantity(12.5);
  input->set_unit("kg");
  batch::v1::BatchEvent other = event;
  other.set_biz_step("ocop:packing");
  other.clear_details();
  return {Pair(event, event), Pair(event, other), Pair(other, event)};
}

}  // namespace

OCOP_FUZZ_TARGET(canonical_event, Run, Seeds);

}  // namespace ocop::fuzz
