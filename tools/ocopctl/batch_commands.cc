// ocopctl commands of the batch service: growing areas, seasons, lots, events, genealogy, recalls,
// chain verification and the EPCIS export.
#include <cstdio>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/grpc/client.h"
#include "common/grpc/proto_time.h"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "tools/ocopctl/cli.h"

ABSL_DECLARE_FLAG(std::string, batch_service);
ABSL_DECLARE_FLAG(std::string, request_id);
ABSL_DECLARE_FLAG(std::string, product);
ABSL_DECLARE_FLAG(std::string, producer);
ABSL_DECLARE_FLAG(std::string, batch);
ABSL_DECLARE_FLAG(std::string, commune_code);
ABSL_DECLARE_FLAG(std::string, reason);

// Lots
ABSL_FLAG(std::string, lot_code, "", "Lot code");
ABSL_FLAG(std::string, harvest_date, "", "Harvest or production date, YYYY-MM-DD");
ABSL_FLAG(std::string, expiry_date, "", "Best-before or expiry date, YYYY-MM-DD");
ABSL_FLAG(double, quantity, 0, "Quantity");
ABSL_FLAG(std::string, unit, "kg", "Unit of quantity");
ABSL_FLAG(std::string, growing_area_code, "", "Growing area code (mã số vùng trồng) of a lot without seasons");
ABSL_FLAG(int64_t, package_count, 0, "Number of packages the lot will be sold in (0: not declared)");
ABSL_FLAG(std::vector<std::string>, source_season, {}, "create-batch: seasons harvested into the lot");
ABSL_FLAG(std::vector<std::string>, certification, {},
          "create-batch: SCHEME:NUMBER:VALID_UNTIL, scheme vietgap, globalgap or organic");
ABSL_FLAG(std::vector<std::string>, child, {}, "split-batch: LOT_CODE=QUANTITY for each child lot");
ABSL_FLAG(std::vector<std::string>, parent, {}, "merge-batches: the lots to blend");
// Growing areas and seasons
ABSL_FLAG(std::string, area_code, "", "create-area: the growing area code");
ABSL_FLAG(double, latitude, 0, "create-area: latitude of the area's point");
ABSL_FLAG(double, longitude, 0, "create-area: longitude of the area's point");
ABSL_FLAG(double, area_hectares, 0, "create-area: area in hectares");
ABSL_FLAG(std::string, crop, "", "create-area: the crop");
ABSL_FLAG(std::string, area, "", "growingAreas/{id}");
ABSL_FLAG(std::string, label, "", "create-season: e.g. 'Vụ xuân 2026'");
ABSL_FLAG(std::string, start_date, "", "create-season: first day, YYYY-MM-DD");
ABSL_FLAG(std::string, season, "", "growingAreas/{id}/seasons/{id}: the chain of append-event or list-events");
// Events
ABSL_FLAG(std::string, type, "object", "EPCIS event type: object, aggregation, transformation, association");
ABSL_FLAG(std::string, biz_step, "", "Business step, e.g. shipping or ocop:planting");
ABSL_FLAG(std::string, event_time, "", "RFC 3339 time, e.g. 2026-03-14T07:30:00+07:00");
ABSL_FLAG(std::string, location, "", "Where the event happened");
ABSL_FLAG(std::string, location_commune, "", "Commune code of the location");
ABSL_FLAG(std::string, disposition, "", "CBV disposition, e.g. in_transit");
ABSL_FLAG(std::vector<std::string>, detail, {}, "Event details key=value,key=value");
ABSL_FLAG(std::string, out, "", "export-epcis: file to write (default: stdout)");

namespace ocop::ctl {
namespace {

std::unique_ptr<batch::v1::BatchService::Stub> BatchStub() {
  return batch::v1::BatchService::NewStub(grpcutil::MakeChannel(absl::GetFlag(FLAGS_batch_service)));
}

// The chain named by --season, else --batch.
std::string Chain() {
  std::string season = absl::GetFlag(FLAGS_season);
  return season.empty() ? absl::GetFlag(FLAGS_batch) : season;
}

// --event_time as a time and its offset (Vietnam time when the text has none).
bool EventTime(absl::Time* time, std::string* offset, std::string* error) {
  std::string text = absl::GetFlag(FLAGS_event_time);
  *time = absl::Now();
  *offset = "+07:00";
  if (text.empty()) return true;
  if (!absl::ParseTime(absl::RFC3339_full, text, time, error)) return false;
  if (text.size() >= 6 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-')) {
    *offset = text.substr(text.size() - 6);
  } else if (text.back() == 'Z' || text.back() == 'z') {
    *offset = "+00:00";
  }
  return true;
}

batch::v1::Location LocationFromFlags() {
  batch::v1::Location location;
  location.set_display_name(absl::GetFlag(FLAGS_location));
  location.set_commune_code(absl::GetFlag(FLAGS_location_commune));
  return location;
}

// When and where a split or blend happened, from --event_time and --location*. False with `error`
// when the time does not parse.
template <typename Request>
bool SetWhenAndWhere(Request& request, std::string* error) {
  absl::Time time;
  std::string offset;
  if (!EventTime(&time, &offset, error)) return false;
  grpcutil::ToProtoTime(time, request.mutable_event_time());
  *request.mutable_location() = LocationFromFlags();
  return true;
}

template <typename Response>
int PrintName(const grpc::Status& status, const Response& response) {
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", response.name().c_str());
  return 0;
}

}  // namespace

int CreateArea() {
  batch::v1::CreateGrowingAreaRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  batch::v1::GrowingArea* area = request.mutable_growing_area();
  area->set_code(absl::GetFlag(FLAGS_area_code));
  area->set_producer(absl::GetFlag(FLAGS_producer));
  area->set_commune_code(absl::GetFlag(FLAGS_commune_code));
  if (absl::GetFlag(FLAGS_latitude) != 0 || absl::GetFlag(FLAGS_longitude) != 0) {
    area->mutable_point()->set_latitude(absl::GetFlag(FLAGS_latitude));
    area->mutable_point()->set_longitude(absl::GetFlag(FLAGS_longitude));
  }
  area->set_area_hectares(absl::GetFlag(FLAGS_area_hectares));
  area->set_crop(absl::GetFlag(FLAGS_crop));
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::GrowingArea response;
  return PrintName(BatchStub()->CreateGrowingArea(&context, request, &response), response);
}

int CreateSeason() {
  batch::v1::CreateSeasonRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  request.set_parent(absl::GetFlag(FLAGS_area));
  request.mutable_season()->set_label(absl::GetFlag(FLAGS_label));
  request.mutable_season()->set_start_date(absl::GetFlag(FLAGS_start_date));
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::Season response;
  return PrintName(BatchStub()->CreateSeason(&context, request, &response), response);
}

int CreateBatch() {
  batch::v1::CreateBatchRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  batch::v1::Batch* batch = request.mutable_batch();
  batch->set_product(absl::GetFlag(FLAGS_product));
  batch->set_lot_code(absl::GetFlag(FLAGS_lot_code));
  batch->set_harvest_date(absl::GetFlag(FLAGS_harvest_date));
  batch->set_expiry_date(absl::GetFlag(FLAGS_expiry_date));
  batch->set_quantity(absl::GetFlag(FLAGS_quantity));
  batch->set_unit(absl::GetFlag(FLAGS_unit));
  batch->set_growing_area_code(absl::GetFlag(FLAGS_growing_area_code));
  batch->set_package_count(absl::GetFlag(FLAGS_package_count));
  for (const std::string& season : absl::GetFlag(FLAGS_source_season)) batch->add_source_seasons(season);
  for (const std::string& text : absl::GetFlag(FLAGS_certification)) {
    std::vector<std::string> parts = absl::StrSplit(text, ':');
    batch::v1::CertificationScheme scheme = batch::v1::CERTIFICATION_SCHEME_UNSPECIFIED;
    if (parts.size() != 3 || !ParseEnum<batch::v1::CertificationScheme>(
                                 parts[0], {{"vietgap", batch::v1::CERTIFICATION_SCHEME_VIETGAP},
                                            {"globalgap", batch::v1::CERTIFICATION_SCHEME_GLOBALGAP},
                                            {"organic", batch::v1::CERTIFICATION_SCHEME_ORGANIC}},
                                 &scheme)) {
      return Usage("--certification: SCHEME:NUMBER:VALID_UNTIL with scheme vietgap, globalgap or organic");
    }
    batch::v1::Certification* certification = batch->add_certifications();
    certification->set_scheme(scheme);
    certification->set_certificate_number(parts[1]);
    certification->set_valid_until(parts[2]);
  }
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::Batch response;
  return PrintName(BatchStub()->CreateBatch(&context, request, &response), response);
}

int AppendEvent() {
  batch::v1::AppendEventRequest request;
  request.set_parent(Chain());
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  batch::v1::BatchEvent* event = request.mutable_event();
  batch::v1::EventType type = batch::v1::EVENT_TYPE_UNSPECIFIED;
  if (!ParseEnum<batch::v1::EventType>(absl::GetFlag(FLAGS_type),
                                       {{"object", batch::v1::EVENT_TYPE_OBJECT},
                                        {"aggregation", batch::v1::EVENT_TYPE_AGGREGATION},
                                        {"transformation", batch::v1::EVENT_TYPE_TRANSFORMATION},
                                        {"association", batch::v1::EVENT_TYPE_ASSOCIATION}},
                                       &type)) {
    return Usage("--type must be object, aggregation, transformation or association");
  }
  event->set_type(type);
  event->set_biz_step(absl::GetFlag(FLAGS_biz_step));
  absl::Time time;
  std::string offset;
  std::string error;
  if (!EventTime(&time, &offset, &error)) return Usage(absl::StrCat("--event_time: ", error));
  grpcutil::ToProtoTime(time, event->mutable_event_time());
  event->set_event_time_zone_offset(offset);
  *event->mutable_location() = LocationFromFlags();
  event->set_disposition(absl::GetFlag(FLAGS_disposition));
  for (const std::string& pair : absl::GetFlag(FLAGS_detail)) {
    std::pair<std::string, std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    (*event->mutable_details())[kv.first] = kv.second;
  }
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::BatchEvent response;
  return PrintName(BatchStub()->AppendEvent(&context, request, &response), response);
}

int ListEvents() {
  batch::v1::ListEventsRequest request;
  request.set_parent(Chain());
  request.set_page_size(1000);
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::ListEventsResponse response;
  grpc::Status status = BatchStub()->ListEvents(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

int SplitBatch() {
  batch::v1::SplitBatchRequest request;
  request.set_parent(absl::GetFlag(FLAGS_batch));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  for (const std::string& text : absl::GetFlag(FLAGS_child)) {
    std::pair<std::string, std::string> parts = absl::StrSplit(text, absl::MaxSplits('=', 1));
    double quantity = 0;
    if (!absl::SimpleAtod(parts.second, &quantity)) return Usage("--child: LOT_CODE=QUANTITY");
    batch::v1::Batch* child = request.add_children();
    child->set_lot_code(parts.first);
    child->set_quantity(quantity);
  }
  std::string error;
  if (!SetWhenAndWhere(request, &error)) return Usage(absl::StrCat("--event_time: ", error));
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::SplitBatchResponse response;
  grpc::Status status = BatchStub()->SplitBatch(&context, request, &response);
  if (!status.ok()) return Fail(status);
  for (const batch::v1::Batch& child : response.children()) std::printf("%s\n", child.name().c_str());
  return 0;
}

int MergeBatches() {
  batch::v1::MergeBatchesRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  for (const std::string& parent : absl::GetFlag(FLAGS_parent)) request.add_parents(parent);
  request.mutable_merged()->set_lot_code(absl::GetFlag(FLAGS_lot_code));
  request.mutable_merged()->set_package_count(absl::GetFlag(FLAGS_package_count));
  std::string error;
  if (!SetWhenAndWhere(request, &error)) return Usage(absl::StrCat("--event_time: ", error));
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::MergeBatchesResponse response;
  grpc::Status status = BatchStub()->MergeBatches(&context, request, &response);
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", response.merged().name().c_str());
  return 0;
}

int RecallBatch() {
  batch::v1::RecallBatchRequest request;
  request.set_name(absl::GetFlag(FLAGS_batch));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::RecallBatchResponse response;
  grpc::Status status = BatchStub()->RecallBatch(&context, request, &response);
  if (!status.ok()) return Fail(status);
  for (const batch::v1::Batch& lot : response.recalled()) std::printf("%s\n", lot.name().c_str());
  return 0;
}

int Trace() {
  batch::v1::GetTraceRequest request;
  request.set_name(absl::GetFlag(FLAGS_batch));
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::Trace response;
  grpc::Status status = BatchStub()->GetTrace(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

int VerifyChain() {
  batch::v1::VerifyChainRequest request;
  request.set_chain(Chain());
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::VerifyChainResponse response;
  grpc::Status status = BatchStub()->VerifyChain(&context, request, &response);
  if (!status.ok()) return Fail(status);
  PrintJson(response);
  return response.intact() ? 0 : 3;
}

int ExportEpcis() {
  batch::v1::ExportEpcisRequest request;
  request.set_name(absl::GetFlag(FLAGS_batch));
  grpc::ClientContext context;
  Prepare(context);
  batch::v1::ExportEpcisResponse response;
  grpc::Status status = BatchStub()->ExportEpcis(&context, request, &response);
  if (!status.ok()) return Fail(status);
  std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) {
    std::fwrite(response.document().data(), 1, response.document().size(), stdout);
    std::printf("\n");
    return 0;
  }
  std::ofstream file(out, std::ios::binary);
  file << response.document() << "\n";
  if (!file) return Usage(absl::StrCat("--out: cannot write ", out));
  std::printf("%s\n", out.c_str());
  return 0;
}

}  // namespace ocop::ctl
