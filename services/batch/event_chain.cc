#include "services/batch/event_chain.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/crypto/digest.h"

namespace ocop::batch {
namespace {

// Each field: 4-byte big-endian length, then the bytes. Numbers are decimal ASCII; doubles use
// %.17g, which round-trips every double exactly.
class FieldWriter {
 public:
  void Add(absl::string_view field) {
    uint32_t size = static_cast<uint32_t>(field.size());
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>((size >> shift) & 0xff));
    out_.append(field.data(), field.size());
  }
  void Add(int64_t number) { Add(absl::StrCat(number)); }
  void Add(double number) { Add(absl::StrFormat("%.17g", number)); }
  void AddTime(absl::Time time) { Add(absl::ToUnixMicros(time)); }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

void AddQuantities(FieldWriter& writer, const std::vector<QuantityElement>& quantities) {
  writer.Add(static_cast<int64_t>(quantities.size()));
  for (const QuantityElement& element : quantities) {
    writer.Add(element.object);
    writer.Add(element.quantity);
    writer.Add(element.unit);
  }
}

}  // namespace

std::string CanonicalEventBytes(const BatchEvent& event) {
  FieldWriter writer;
  writer.Add(kEventEncodingVersion);
  writer.Add(event.batch);
  writer.Add(event.sequence);
  writer.Add(event.event_id);
  writer.Add(static_cast<int64_t>(event.type));
  writer.Add(event.biz_step);
  writer.AddTime(event.event_time);
  writer.Add(event.event_time_zone_offset);
  writer.AddTime(event.record_time);
  writer.Add(event.location.display_name);
  writer.Add(event.location.commune_code);
  writer.Add(event.location.geo.has_value() ? absl::StrFormat("%.17g", event.location.geo->latitude) : "");
  writer.Add(event.location.geo.has_value() ? absl::StrFormat("%.17g", event.location.geo->longitude) : "");
  writer.Add(event.location.gln);
  writer.Add(event.disposition);
  writer.Add(event.recorded_by);
  writer.Add(event.corrects);
  writer.Add(event.correction_reason);
  writer.Add(static_cast<int64_t>(event.details.size()));
  for (const auto& [key, value] : event.details) {
    writer.Add(key);
    writer.Add(value);
  }
  writer.Add(static_cast<int64_t>(event.attachments.size()));
  for (const Attachment& attachment : event.attachments) {
    writer.Add(attachment.uri);
    writer.Add(attachment.sha256);
    writer.Add(attachment.media_type);
  }
  AddQuantities(writer, event.inputs);
  AddQuantities(writer, event.outputs);
  return writer.Take();
}

std::string NextChainHash(absl::string_view previous_hash_hex, const BatchEvent& event) {
  std::string previous = previous_hash_hex.empty() ? std::string(32, '\0') : absl::HexStringToBytes(previous_hash_hex);
  return crypto::HexEncode(crypto::Sha256(absl::StrCat(previous, crypto::Sha256(CanonicalEventBytes(event)))));
}

std::string CheckpointStatement(absl::string_view chain, int64_t sequence, absl::string_view head_hash) {
  return absl::StrCat("ocop-checkpoint-v1\n", chain, "\n", sequence, "\n", head_hash, "\n");
}

ChainVerification WalkChain(const std::vector<BatchEvent>& events) {
  ChainVerification result;
  std::string previous;
  for (const BatchEvent& event : events) {
    ++result.event_count;
    if (event.sequence != result.event_count) {
      result.intact = false;
      result.first_broken_sequence = result.event_count;
      result.problem = absl::StrCat("event ", result.event_count, " is missing or out of order (found sequence ",
                                    event.sequence, ")");
      return result;
    }
    std::string expected = NextChainHash(previous, event);
    if (expected != event.chain_hash) {
      result.intact = false;
      result.first_broken_sequence = event.sequence;
      result.problem = absl::StrCat("event ", event.sequence, " does not match its chain hash (content changed, or ",
                                    "an earlier event was changed, removed or reordered)");
      return result;
    }
    previous = std::move(expected);
  }
  result.head_hash = previous;
  return result;
}

}  // namespace ocop::batch
