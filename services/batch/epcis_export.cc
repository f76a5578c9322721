#include "services/batch/epcis_export.h"

#include <map>

#include <nlohmann/json.hpp>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "common/epcis/vocabulary.h"

namespace ocop::batch {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kEpcisContext[] = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

// RFC 3339 with the event's own offset, as EPCIS wants eventTime.
std::string LocalTime(absl::Time time, const std::string& offset) {
  int sign = offset[0] == '-' ? -1 : 1;
  int seconds = sign * ((offset[1] - '0') * 36000 + (offset[2] - '0') * 3600 + (offset[4] - '0') * 600 +
                        (offset[5] - '0') * 60);
  return absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3S", time, absl::FixedTimeZone(seconds)), offset);
}

std::string UtcTime(absl::Time time) { return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone()); }

// GS1 Digital Link path segments allow only unreserved characters; lot codes may hold '/'.
std::string PercentEncode(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", static_cast<unsigned char>(c));
    }
  }
  return out;
}

// UN/CEFACT Recommendation 20 codes for the units producers type.
std::string UnitCode(const std::string& unit) {
  static const std::map<std::string, std::string> kCodes = {
      {"kg", "KGM"}, {"g", "GRM"}, {"t", "TNE"}, {"tấn", "TNE"}, {"l", "LTR"}, {"lít", "LTR"}, {"ml", "MLT"}};
  auto it = kCodes.find(absl::AsciiStrToLower(unit));
  if (it != kCodes.end()) return it->second;
  bool code = unit.size() >= 2 && unit.size() <= 3;
  for (char c : unit) code = code && (absl::ascii_isupper(c) || absl::ascii_isdigit(c));
  return code ? unit : "";
}

class Exporter {
 public:
  Exporter(const Trace& trace, const std::string& gtin, EpcisAudience audience) : gtin_(gtin), audience_(audience) {
    lot_codes_[trace.batch.name] = trace.batch.lot_code;
    for (const Batch& ancestor : trace.ancestors) lot_codes_[ancestor.name] = ancestor.lot_code;
  }

  std::string ClassOf(const std::string& object) const {
    auto it = lot_codes_.find(object);
    return EpcClass(object, it == lot_codes_.end() ? "" : it->second, gtin_);
  }

  Json Quantity(const QuantityElement& element) const {
    Json json = {{"epcClass", ClassOf(element.object)}};
    if (element.quantity > 0) {
      json["quantity"] = element.quantity;
      std::string uom = UnitCode(element.unit);
      if (!uom.empty()) json["uom"] = uom;
    }
    return json;
  }

  Json Event(const BatchEvent& event) const {
    Json json;
    switch (event.type) {
      case EventType::kTransformation: json["type"] = "TransformationEvent"; break;
      case EventType::kAggregation: json["type"] = "AggregationEvent"; break;
      case EventType::kAssociation: json["type"] = "AssociationEvent"; break;
      default: json["type"] = "ObjectEvent"; break;
    }
    json["eventID"] = event.event_id;
    json["eventTime"] = LocalTime(event.event_time, event.event_time_zone_offset);
    json["eventTimeZoneOffset"] = event.event_time_zone_offset;
    json["recordTime"] = UtcTime(event.record_time);
    Json own = Json::array({Json{{"epcClass", ClassOf(event.batch)}}});
    if (event.type == EventType::kTransformation) {
      Json inputs = Json::array();
      Json outputs = Json::array();
      for (const QuantityElement& element : event.inputs) inputs.push_back(Quantity(element));
      for (const QuantityElement& element : event.outputs) outputs.push_back(Quantity(element));
      // A transformation recorded by a client names only its own lot.
      json["inputQuantityList"] = inputs.empty() ? own : inputs;
      json["outputQuantityList"] = outputs.empty() ? own : outputs;
    } else if (event.type == EventType::kObject) {
      json["quantityList"] = own;
      json["action"] = "OBSERVE";
    } else {
      json["childQuantityList"] = own;
      json["action"] = "OBSERVE";
    }
    // CBV steps are bare words; ours are compact IRIs under the "ocop" prefix of @context.
    json["bizStep"] = event.biz_step;
    if (!event.disposition.empty()) json["disposition"] = event.disposition;
    if (event.location.geo.has_value()) {
      json["readPoint"] = {{"id", absl::StrFormat("geo:%.7f,%.7f", event.location.geo->latitude,
                                                  event.location.geo->longitude)}};
    }
    if (!event.location.gln.empty()) json["bizLocation"] = {{"id", absl::StrCat("https://id.gs1.org/414/", event.location.gln)}};
    Json place = Json::object();
    if (!event.location.display_name.empty()) place["name"] = event.location.display_name;
    if (!event.location.commune_code.empty()) place["communeCode"] = event.location.commune_code;
    if (!place.empty()) json["ocop:place"] = place;
    if (!event.details.empty()) {
      Json details = Json::object();
      for (const auto& [key, value] : event.details) details[key] = value;
      json["ocop:details"] = details;
    }
    if (!event.attachments.empty()) {
      Json attachments = Json::array();
      for (const Attachment& attachment : event.attachments) {
        Json entry = {{"uri", attachment.uri}, {"sha256", attachment.sha256}};
        if (!attachment.media_type.empty()) entry["mediaType"] = attachment.media_type;
        attachments.push_back(entry);
      }
      json["ocop:attachments"] = attachments;
    }
    if (!event.corrects.empty()) {
      json["ocop:corrects"] = event.corrects;
      json["ocop:correctionReason"] = event.correction_reason;
    }
    if (audience_ == EpcisAudience::kInternal) json["ocop:recordedBy"] = event.recorded_by;
    json["ocop:chain"] = event.batch;
    json["ocop:sequence"] = event.sequence;
    json["ocop:chainHash"] = event.chain_hash;
    return json;
  }

 private:
  std::string gtin_;
  EpcisAudience audience_;
  std::map<std::string, std::string> lot_codes_;
};

Json CheckpointJson(const Checkpoint& checkpoint) {
  return {{"chain", checkpoint.chain},
          {"sequence", checkpoint.sequence},
          {"headHash", checkpoint.head_hash},
          {"keyId", checkpoint.key_id},
          {"signature", absl::WebSafeBase64Escape(checkpoint.signature)}};
}

}  // namespace

std::string EpcClass(const std::string& object, const std::string& lot_code, const std::string& gtin) {
  if (absl::StartsWith(object, "growingAreas/")) {
    return absl::StrCat("urn:ocop-trace:season:", absl::StrReplaceAll(object, {{"/", ":"}}));
  }
  std::string id = object.substr(object.find('/') + 1);
  if (gtin.size() == 14 && !lot_code.empty()) {
    return absl::StrCat("https://id.gs1.org/01/", gtin, "/10/", PercentEncode(lot_code));
  }
  return absl::StrCat("urn:ocop-trace:lot:", id);
}

std::string EpcisDocument(const Trace& trace, const std::string& gtin, absl::Time now, EpcisAudience audience) {
  Exporter exporter(trace, gtin, audience);
  // Corrections, by the event they correct (EPCIS error declarations).
  std::map<std::string, const BatchEvent*> corrected_by;
  for (const BatchEvent& event : trace.events) {
    if (!event.corrects.empty()) corrected_by[event.corrects] = &event;
  }
  Json events = Json::array();
  for (const BatchEvent& event : trace.events) {
    events.push_back(exporter.Event(event));
    auto correction = corrected_by.find(event.name);
    if (correction == corrected_by.end()) continue;
    Json declaration = exporter.Event(event);
    declaration["errorDeclaration"] = {{"declarationTime", UtcTime(correction->second->record_time)},
                                       {"reason", "incorrect_data"},
                                       {"correctiveEventIDs", Json::array({correction->second->event_id})},
                                       {"ocop:reason", correction->second->correction_reason}};
    events.push_back(declaration);
  }
  Json checkpoints = Json::array();
  if (trace.batch.checkpoint.has_value()) checkpoints.push_back(CheckpointJson(*trace.batch.checkpoint));
  for (const Batch& ancestor : trace.ancestors) {
    if (ancestor.checkpoint.has_value()) checkpoints.push_back(CheckpointJson(*ancestor.checkpoint));
  }
  for (const Season& season : trace.seasons) {
    if (season.checkpoint.has_value()) checkpoints.push_back(CheckpointJson(*season.checkpoint));
  }
  Json document;
  document["@context"] = Json::array({kEpcisContext, Json{{"ocop", std::string(epcis::kOcopNamespace)}}});
  document["type"] = "EPCISDocument";
  document["schemaVersion"] = "2.0";
  document["creationDate"] = UtcTime(now);
  document["ocop:lot"] = {{"name", trace.batch.name},
                          {"epcClass", exporter.ClassOf(trace.batch.name)},
                          {"lotCode", trace.batch.lot_code},
                          {"product", trace.batch.product},
                          {"harvestDate", trace.batch.harvest_date}};
  document["ocop:checkpoints"] = checkpoints;
  document["epcisBody"] = {{"eventList", events}};
  return document.dump(2);
}

}  // namespace ocop::batch
