// ocopctl: a command-line client for the ocop-trace gRPC APIs.
//
//   ocopctl create-producer --display_name=... --kind=cooperative --province_code=19 --commune_code=05503 ...
//   ocopctl create-product  --producer=producers/x --display_name=... --group=beverages [--score=78 ...]
//   ocopctl add-rating      --product=products/x --score=91 --council_level=central --decision_date=...
//   ocopctl create-area     --producer=producers/x --area_code=... --commune_code=05503 --area_hectares=2 --crop=...
//   ocopctl create-season   --area=growingAreas/x --label='Vụ xuân 2026' --start_date=2026-02-01
//   ocopctl append-event    --season=growingAreas/x/seasons/y --biz_step=ocop:planting --event_time=...
//   ocopctl create-batch    --product=products/x --lot_code=... --harvest_date=2026-03-14 --quantity=250 --unit=kg
//                           [--source_season=growingAreas/x/seasons/y --certification=vietgap:NUMBER:2027-12-31]
//   ocopctl append-event    --batch=batches/x --biz_step=packing --event_time=2026-03-14T07:30:00+07:00
//   ocopctl split-batch     --batch=batches/x --child=L-A=100 --child=L-B=150
//   ocopctl merge-batches   --parent=batches/x,batches/y --lot_code=BLEND-1
//   ocopctl recall-batch    --batch=batches/x --reason=...
//   ocopctl verify-chain    --batch=batches/x (or --season=...); exit 3 when the chain is broken
//   ocopctl export-epcis    --batch=batches/x --out=lot.jsonld
//   ocopctl issue-roll      --batch=batches/x --count=1000
//   ocopctl export-stamps   --roll=rolls/x --format=png --out_dir=stamps [--first_serial=N --count=N]
//   ocopctl activate-stamps --roll=rolls/x --first_serial=N --count=N   (also void-/revoke-stamps --reason=...)
//   ocopctl order-reprint   --roll=rolls/x --first_serial=N --count=N --reason=...
//   ocopctl list-renders    --roll=rolls/x
//   ocopctl clear-copy-flag --serial=N --reason=...   (a "possible copy" checked and cleared)
//   ocopctl login           --username=U --password_file=F   (session kept in a 0600 credentials file)
//   ocopctl token           [--api_key=K]                     (prints a fresh access token)
//   ocopctl audit           --audit_service=registry|batch|stamp [--audit_subject=users/x --denied_only ...]
//   ocopctl scan-stats      --producer=producers/x --scans_by=day|stamp|batch|product
//   ocopctl resolve         CODE
//   ocopctl get|list ...    see --help
//
// Calls carry the caller's access token: from `ocopctl login` (a 0600 credentials file), or
// minted from --api_key / $OCOP_API_KEY.
// Creates print the new resource's name on stdout (easy to use in scripts); reads print JSON.
// Errors print the gRPC status and exit 1.
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/grpc/client.h"
#include "common/grpc/health.h"
#include "common/grpc/proto_time.h"
#include "common/keys/key_store.h"
#include "common/keys/secret_files.h"
#include "common/store/backup.h"
#include "common/token/token.h"
#include "tools/ocopctl/cli.h"
#include "ocop/batch/v1/batch.grpc.pb.h"
#include "ocop/lookup/v1/lookup.grpc.pb.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "ocop/stamp/v1/stamp.grpc.pb.h"

ABSL_FLAG(std::string, batch_service, "127.0.0.1:50052", "Batch service address");
ABSL_FLAG(std::string, stamp, "127.0.0.1:50053", "Stamp service address");
ABSL_FLAG(std::string, lookup, "127.0.0.1:50054", "Lookup service address");
ABSL_FLAG(std::string, target, "", "health: the gRPC server to ask, HOST:PORT");
ABSL_FLAG(std::string, key_dir, "", "init-keys: the key folder to create (0700, keys 0600)");
ABSL_FLAG(std::string, data_dir, "data", "backup: the services' data folder (SQLite files, keys, secrets)");
ABSL_FLAG(std::string, backup_dir, "", "backup: the new folder to write the backup to");
ABSL_FLAG(std::vector<std::string>, secrets,
          std::vector<std::string>({"registry-keys", "batch-keys", "keys", "pin-secrets", "scan-salt", "secrets"}),
          "backup: the key folders and secret files in --data_dir to copy (missing ones are skipped)");
ABSL_FLAG(std::string, grpc_service, "", "health: the service to ask about (default: the whole server)");
ABSL_FLAG(std::string, request_id, "", "Idempotency key for creates (a retry with it is applied once)");
// Producer
ABSL_FLAG(std::string, display_name, "", "Name of the producer or product");
ABSL_FLAG(std::string, kind, "", "Producer kind: cooperative, enterprise, cooperative_group, household");
ABSL_FLAG(std::string, province_code, "", "Province code (2 digits)");
ABSL_FLAG(std::string, province_name, "", "Province name");
ABSL_FLAG(std::string, commune_code, "", "Commune code (5 digits)");
ABSL_FLAG(std::string, commune_name, "", "Commune name");
ABSL_FLAG(std::string, street, "", "Street, hamlet");
ABSL_FLAG(std::string, phone, "", "Phone");
ABSL_FLAG(std::string, units_version, "", "Unit table of the codes: 2025-07-01 (default) or 2025-01-04 (before the merger)");
ABSL_FLAG(std::string, tax_code, "", "Producer tax code");
ABSL_FLAG(std::string, external_id, "", "The office's own reference for the producer or product");
ABSL_FLAG(std::string, query, "", "list-producers: words to search for (case and diacritics ignored)");
// Product
ABSL_FLAG(std::string, producer, "", "producers/{id}");
ABSL_FLAG(std::string, group, "", "Product group: food, beverages, herbs, handicrafts, ornamental, tourism");
ABSL_FLAG(std::string, category, "",
          "create-product: Decision 148's category, e.g. I.5.a (list-product-categories); sets the group when "
          "--group is empty");
ABSL_FLAG(std::string, description, "", "Product description");
ABSL_FLAG(int, score, -1, "OCOP council score 0-100 (with --certificate and --valid_until)");
ABSL_FLAG(std::string, certificate, "", "OCOP certificate number");
ABSL_FLAG(std::string, valid_until, "", "Certificate's last valid day, YYYY-MM-DD (default: 36 months)");
ABSL_FLAG(std::string, council_level, "province", "Council that rated: district, province or central");
ABSL_FLAG(std::string, decision_number, "", "Rating decision number, e.g. 1234/QĐ-UBND");
ABSL_FLAG(std::string, decision_date, "", "Rating decision date, YYYY-MM-DD");
ABSL_FLAG(int, stars, 0, "Filter: stars (list-products)");
ABSL_FLAG(std::string, gtin, "", "Product GTIN (8-14 digits)");
// Batch
ABSL_FLAG(std::string, product, "", "products/{id}");
// Event
ABSL_FLAG(std::string, batch, "", "batches/{id}");
// Stamps
ABSL_FLAG(int64_t, count, 0, "Roll size (issue-roll) or number of stamps (export-stamps; 0 = all)");
ABSL_FLAG(std::string, roll, "", "rolls/{id}");
ABSL_FLAG(uint64_t, serial, 0, "A stamp's serial (clear-copy-flag)");
ABSL_FLAG(uint64_t, first_serial, 0, "First serial to export (0 = the roll's first) or to change");
ABSL_FLAG(std::string, format, "png", "Stamp format: png, svg, zpl (Zebra label), pdf (A4 sheets) or pdf-roll");
ABSL_FLAG(int, module_pixels, 4, "PNG pixels per QR module");
ABSL_FLAG(int, dpi, 0, "PNG: printer resolution recorded in the file (0: none)");
ABSL_FLAG(std::string, error_correction, "M", "QR error correction: L, M, Q or H");
ABSL_FLAG(int, quiet_zone, 4, "Light modules around the QR code (1-16)");
ABSL_FLAG(std::string, out_dir, "stamps", "Folder for exported stamps");
ABSL_FLAG(std::string, printer_profile, "", "issue-roll: the printer profile the roll is meant for");
ABSL_FLAG(bool, scratch_pins, false, "issue-roll: give every stamp a scratch-off PIN");
ABSL_FLAG(std::string, pin, "", "verify-pin: the PIN under the scratch-off layer");
ABSL_FLAG(std::string, printer, "ocopctl", "Printer or printer profile the stamps are rendered for");
ABSL_FLAG(std::string, reprint_order, "", "reprintOrders/{id}: render serials rendered before");
ABSL_FLAG(std::string, resume_render, "", "renders/{id}: resume an interrupted export");
ABSL_FLAG(uint64_t, last_received_serial, 0, "With --resume_render: the last serial already written");
ABSL_FLAG(std::string, scans_by, "day", "scan-stats: day, stamp, batch or product");
ABSL_FLAG(std::string, from_day, "",
          "scan-stats: first Vietnam day YYYY-MM-DD (default: 30 days back); report-product-ideas: registered from");
ABSL_FLAG(std::string, to_day, "", "scan-stats: last day (default: today); report-product-ideas: registered until");
ABSL_FLAG(std::string, reason, "", "Why (void, revoke, or activating past the lot's package count)");
ABSL_FLAG(bool, override_package_limit, false, "Activate past the lot's declared package count (needs --reason)");

namespace {

using namespace ocop;  // NOLINT: a command-line tool that touches every service
using namespace ocop::ctl;  // NOLINT

auto Stamp() { return stamp::v1::StampService::NewStub(grpcutil::MakeChannel(absl::GetFlag(FLAGS_stamp))); }
auto Lookup() { return lookup::v1::LookupService::NewStub(grpcutil::MakeChannel(absl::GetFlag(FLAGS_lookup))); }

int CreateProducer() {
  registry::v1::CreateProducerRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  registry::v1::Producer* producer = request.mutable_producer();
  producer->set_display_name(absl::GetFlag(FLAGS_display_name));
  registry::v1::ProducerKind kind = registry::v1::PRODUCER_KIND_UNSPECIFIED;
  if (!ParseEnum<registry::v1::ProducerKind>(absl::GetFlag(FLAGS_kind),
                                             {{"cooperative", registry::v1::PRODUCER_KIND_COOPERATIVE},
                                              {"enterprise", registry::v1::PRODUCER_KIND_ENTERPRISE},
                                              {"cooperative_group", registry::v1::PRODUCER_KIND_COOPERATIVE_GROUP},
                                              {"household", registry::v1::PRODUCER_KIND_HOUSEHOLD}},
                                             &kind)) {
    return Usage("--kind must be cooperative, enterprise, cooperative_group or household");
  }
  producer->set_kind(kind);
  common::v1::Address* address = producer->mutable_address();
  address->set_province_code(absl::GetFlag(FLAGS_province_code));
  address->set_province_name(absl::GetFlag(FLAGS_province_name));
  address->set_commune_code(absl::GetFlag(FLAGS_commune_code));
  address->set_commune_name(absl::GetFlag(FLAGS_commune_name));
  address->set_street(absl::GetFlag(FLAGS_street));
  address->set_units_version(absl::GetFlag(FLAGS_units_version));
  producer->set_phone(absl::GetFlag(FLAGS_phone));
  producer->set_tax_code(absl::GetFlag(FLAGS_tax_code));
  producer->set_external_id(absl::GetFlag(FLAGS_external_id));
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::Producer response;
  grpc::Status status = Registry()->CreateProducer(&context, request, &response);
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", response.name().c_str());
  return 0;
}

// --score, --council_level, --certificate, --decision_number, --decision_date, --valid_until.
int RatingFromFlags(registry::v1::OcopRating* rating) {
  registry::v1::CouncilLevel level = registry::v1::COUNCIL_LEVEL_UNSPECIFIED;
  if (!ParseEnum<registry::v1::CouncilLevel>(absl::GetFlag(FLAGS_council_level),
                                             {{"district", registry::v1::COUNCIL_LEVEL_DISTRICT},
                                              {"province", registry::v1::COUNCIL_LEVEL_PROVINCE},
                                              {"central", registry::v1::COUNCIL_LEVEL_CENTRAL}},
                                             &level)) {
    return Usage("--council_level must be district, province or central");
  }
  rating->set_score(absl::GetFlag(FLAGS_score));
  rating->set_council_level(level);
  rating->set_certificate_number(absl::GetFlag(FLAGS_certificate));
  rating->set_decision_number(absl::GetFlag(FLAGS_decision_number));
  rating->set_decision_date(absl::GetFlag(FLAGS_decision_date));
  rating->set_valid_until(absl::GetFlag(FLAGS_valid_until));
  return 0;
}

int AddRating() {
  registry::v1::AddRatingRequest request;
  request.set_parent(absl::GetFlag(FLAGS_product));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  if (int code = RatingFromFlags(request.mutable_rating()); code != 0) return code;
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::OcopRating response;
  grpc::Status status = Registry()->AddRating(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

int ListRatings() {
  registry::v1::ListRatingsRequest request;
  request.set_parent(absl::GetFlag(FLAGS_product));
  request.set_page_size(1000);
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::ListRatingsResponse response;
  grpc::Status status = Registry()->ListRatings(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

int CreateProduct() {
  registry::v1::CreateProductRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  registry::v1::Product* product = request.mutable_product();
  product->set_producer(absl::GetFlag(FLAGS_producer));
  product->set_display_name(absl::GetFlag(FLAGS_display_name));
  product->set_description(absl::GetFlag(FLAGS_description));
  product->set_gtin(absl::GetFlag(FLAGS_gtin));
  product->set_category(absl::GetFlag(FLAGS_category));
  registry::v1::ProductGroup group = registry::v1::PRODUCT_GROUP_UNSPECIFIED;
  if (!(absl::GetFlag(FLAGS_group).empty() && !product->category().empty()) &&
      !ParseEnum<registry::v1::ProductGroup>(absl::GetFlag(FLAGS_group),
                                             {{"food", registry::v1::PRODUCT_GROUP_FOOD},
                                              {"beverages", registry::v1::PRODUCT_GROUP_BEVERAGES},
                                              {"herbs", registry::v1::PRODUCT_GROUP_HERBS},
                                              {"handicrafts", registry::v1::PRODUCT_GROUP_HANDICRAFTS},
                                              {"ornamental", registry::v1::PRODUCT_GROUP_ORNAMENTAL},
                                              {"tourism", registry::v1::PRODUCT_GROUP_TOURISM}},
                                             &group)) {
    return Usage("--group must be food, beverages, herbs, handicrafts, ornamental or tourism");
  }
  product->set_group(group);
  if (absl::GetFlag(FLAGS_score) >= 0) {
    if (int code = RatingFromFlags(product->mutable_rating()); code != 0) return code;
  }
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::Product response;
  grpc::Status status = Registry()->CreateProduct(&context, request, &response);
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", response.name().c_str());
  return 0;
}

int IssueRoll() {
  stamp::v1::IssueRollRequest request;
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  request.mutable_roll()->set_batch(absl::GetFlag(FLAGS_batch));
  request.mutable_roll()->set_count(absl::GetFlag(FLAGS_count));
  request.mutable_roll()->set_scratch_pins(absl::GetFlag(FLAGS_scratch_pins));
  request.mutable_roll()->set_printer_profile(absl::GetFlag(FLAGS_printer_profile));
  grpc::ClientContext context;
  Prepare(context);
  stamp::v1::Roll response;
  grpc::Status status = Stamp()->IssueRoll(&context, request, &response);
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", response.name().c_str());
  return 0;
}

int ExportStamps() {
  stamp::v1::StreamStampsRequest request;
  request.set_roll(absl::GetFlag(FLAGS_roll));
  request.set_first_serial(absl::GetFlag(FLAGS_first_serial));
  request.set_count(absl::GetFlag(FLAGS_count));
  request.set_module_pixels(absl::GetFlag(FLAGS_module_pixels));
  request.set_dpi(absl::GetFlag(FLAGS_dpi));
  request.set_quiet_zone(absl::GetFlag(FLAGS_quiet_zone));
  stamp::v1::ErrorCorrection level = stamp::v1::ERROR_CORRECTION_M;
  if (!ParseEnum<stamp::v1::ErrorCorrection>(absl::GetFlag(FLAGS_error_correction),
                                             {{"l", stamp::v1::ERROR_CORRECTION_L},
                                              {"m", stamp::v1::ERROR_CORRECTION_M},
                                              {"q", stamp::v1::ERROR_CORRECTION_Q},
                                              {"h", stamp::v1::ERROR_CORRECTION_H}},
                                             &level)) {
    return Usage("--error_correction must be L, M, Q or H");
  }
  request.set_error_correction(level);
  request.set_printer(absl::GetFlag(FLAGS_printer));
  request.set_reprint_order(absl::GetFlag(FLAGS_reprint_order));
  request.set_resume_render(absl::GetFlag(FLAGS_resume_render));
  request.set_last_received_serial(absl::GetFlag(FLAGS_last_received_serial));
  std::string format = absl::AsciiStrToLower(absl::GetFlag(FLAGS_format));
  const std::map<std::string, stamp::v1::ImageFormat> formats = {
      {"png", stamp::v1::IMAGE_FORMAT_PNG},
      {"svg", stamp::v1::IMAGE_FORMAT_SVG},
      {"zpl", stamp::v1::IMAGE_FORMAT_ZPL},
      {"pdf", stamp::v1::IMAGE_FORMAT_PDF_A4_SHEET},
      {"pdf-roll", stamp::v1::IMAGE_FORMAT_PDF_LABEL_ROLL}};
  auto chosen = formats.find(format);
  if (chosen == formats.end()) return Usage("--format must be png, svg, zpl, pdf or pdf-roll");
  request.set_format(chosen->second);
  const std::string extension = format == "pdf-roll" ? "pdf" : format;
  std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  std::filesystem::create_directories(out_dir);
  grpc::ClientContext context;
  // A stream of many stamps gets more time than one call.
  Prepare(context, absl::Hours(1));
  auto stub = Stamp();
  auto reader = stub->StreamStamps(&context, request);
  stamp::v1::RenderedStamp stamp;
  int64_t written = 0;
  std::ofstream urls(out_dir + "/urls.txt", std::ios::app);
  while (reader->Read(&stamp)) {
    std::string name = stamp.last_serial() > stamp.serial() ? absl::StrCat(stamp.serial(), "-", stamp.last_serial())
                                                            : absl::StrCat(stamp.serial());
    std::ofstream(absl::StrCat(out_dir, "/", name, ".", extension), std::ios::binary) << stamp.image();
    if (!stamp.url().empty()) {
      urls << stamp.serial() << " " << stamp.url();
      if (!stamp.pin().empty()) urls << " " << stamp.pin();  // printed apart, under the scratch-off layer
      urls << "\n";
    }
    written += static_cast<int64_t>(std::max(stamp.last_serial(), stamp.serial()) - stamp.serial() + 1);
  }
  grpc::Status status = reader->Finish();
  if (!status.ok()) {
    if (written > 0) {
      unsigned long long last = std::max(stamp.last_serial(), stamp.serial());
      std::fprintf(stderr, "ocopctl: interrupted after serial %llu; resume with --resume_render=%s "
                   "--last_received_serial=%llu\n", last, stamp.render().c_str(), last);
    }
    return Fail(status);
  }
  std::printf("%lld stamps written to %s (%s)\n", static_cast<long long>(written), out_dir.c_str(),
              stamp.render().c_str());
  return 0;
}

// activate-stamps, void-stamps, revoke-stamps: --roll --first_serial --count [--reason].
int ChangeStamps(const std::string& command) {
  stamp::v1::ChangeStampsRequest request;
  request.set_roll(absl::GetFlag(FLAGS_roll));
  request.set_first_serial(absl::GetFlag(FLAGS_first_serial));
  request.set_count(absl::GetFlag(FLAGS_count));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  request.set_override_package_limit(absl::GetFlag(FLAGS_override_package_limit));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  grpc::ClientContext context;
  Prepare(context);
  stamp::v1::Roll response;
  auto stub = Stamp();
  grpc::Status status = command == "activate-stamps" ? stub->ActivateStamps(&context, request, &response)
                        : command == "void-stamps"   ? stub->VoidStamps(&context, request, &response)
                                                     : stub->RevokeStamps(&context, request, &response);
  if (!status.ok()) return Fail(status);
  std::printf("%s: %lld range operations, %lld active stamps\n", response.name().c_str(),
              static_cast<long long>(response.operation_count()), static_cast<long long>(response.active_count()));
  return 0;
}

int ClearCopyFlag() {
  if (absl::GetFlag(FLAGS_serial) == 0) return Usage("clear-copy-flag needs --serial=N and --reason=...");
  stamp::v1::ClearCopyFlagRequest request;
  request.set_stamp(absl::StrCat("stamps/", absl::GetFlag(FLAGS_serial)));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  grpc::ClientContext context;
  Prepare(context);
  stamp::v1::Stamp response;
  grpc::Status status = Stamp()->ClearCopyFlag(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

int OrderReprint() {
  stamp::v1::OrderReprintRequest request;
  request.set_roll(absl::GetFlag(FLAGS_roll));
  request.set_first_serial(absl::GetFlag(FLAGS_first_serial));
  request.set_count(absl::GetFlag(FLAGS_count));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  grpc::ClientContext context;
  Prepare(context);
  stamp::v1::ReprintOrder response;
  grpc::Status status = Stamp()->OrderReprint(&context, request, &response);
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", response.name().c_str());
  return 0;
}

int VerifyPin(const std::string& code) {
  lookup::v1::VerifyPinRequest request;
  request.set_code(code);
  request.set_pin(absl::GetFlag(FLAGS_pin));
  grpc::ClientContext context;
  Prepare(context);
  stamp::v1::VerifyPinResponse response;
  grpc::Status status = Lookup()->VerifyPin(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

int ListRenders() {
  stamp::v1::ListRendersRequest request;
  request.set_roll(absl::GetFlag(FLAGS_roll));
  grpc::ClientContext context;
  Prepare(context);
  stamp::v1::ListRendersResponse response;
  grpc::Status status = Stamp()->ListRenders(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

// CSV: key,scans,distinct_clients,distinct_days,possible_copy_scans.
int ScanStats() {
  stamp::v1::GetScanStatsRequest request;
  request.set_producer(absl::GetFlag(FLAGS_producer));
  request.set_product(absl::GetFlag(FLAGS_product));
  request.set_batch(absl::GetFlag(FLAGS_batch));
  request.set_province_code(absl::GetFlag(FLAGS_province_code));
  request.set_from_day(absl::GetFlag(FLAGS_from_day));
  request.set_to_day(absl::GetFlag(FLAGS_to_day));
  stamp::v1::ScanGroupBy group_by = stamp::v1::SCAN_GROUP_BY_UNSPECIFIED;
  if (!ParseEnum<stamp::v1::ScanGroupBy>(absl::GetFlag(FLAGS_scans_by),
                                         {{"day", stamp::v1::SCAN_GROUP_BY_DAY},
                                          {"stamp", stamp::v1::SCAN_GROUP_BY_STAMP},
                                          {"batch", stamp::v1::SCAN_GROUP_BY_BATCH},
                                          {"product", stamp::v1::SCAN_GROUP_BY_PRODUCT}},
                                         &group_by)) {
    return Usage("--scans_by must be day, stamp, batch or product");
  }
  request.set_group_by(group_by);
  request.set_page_size(1000);
  bool header = false;
  do {
    grpc::ClientContext context;
    Prepare(context);
    stamp::v1::GetScanStatsResponse response;
    grpc::Status status = Stamp()->GetScanStats(&context, request, &response);
    if (!status.ok()) return Fail(status);
    if (!header) {
      PrintCsv({absl::GetFlag(FLAGS_scans_by), "scans", "distinct_clients", "distinct_days", "possible_copy_scans"});
      header = true;
    }
    for (const stamp::v1::ScanStatsRow& row : response.rows()) {
      PrintCsv({row.key(), absl::StrCat(row.scans()), absl::StrCat(row.distinct_clients()),
                absl::StrCat(row.distinct_days()), absl::StrCat(row.possible_copy_scans())});
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

int Resolve(const std::string& code) {
  lookup::v1::ResolveRequest request;
  request.set_code(code);
  grpc::ClientContext context;
  Prepare(context);
  lookup::v1::ResolveResponse response;
  grpc::Status status = Lookup()->Resolve(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

int ListProducts() {
  registry::v1::ListProductsRequest request;
  request.set_producer(absl::GetFlag(FLAGS_producer));
  request.set_province_code(absl::GetFlag(FLAGS_province_code));
  request.set_stars(absl::GetFlag(FLAGS_stars));
  request.set_page_size(1000);
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::ListProductsResponse response;
  grpc::Status status = Registry()->ListProducts(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

int ListProducers() {
  registry::v1::ListProducersRequest request;
  request.set_province_code(absl::GetFlag(FLAGS_province_code));
  request.set_commune_code(absl::GetFlag(FLAGS_commune_code));
  request.set_query(absl::GetFlag(FLAGS_query));
  request.set_page_size(1000);
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::ListProducersResponse response;
  grpc::Status status = Registry()->ListProducers(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return PrintJson(response);
}

}  // namespace

// Exits 0 when the server at --target reports --grpc_service (default: the whole server) SERVING:
// for container health checks, which have no gRPC client of their own. Needs no credential.
int Health() {
  const std::string target = absl::GetFlag(FLAGS_target);
  if (target.empty()) return Usage("health needs --target=HOST:PORT");
  absl::StatusOr<bool> serving = grpcutil::CheckHealth(grpcutil::MakeChannel(target), absl::GetFlag(FLAGS_grpc_service),
                                                       absl::Milliseconds(absl::GetFlag(FLAGS_deadline_ms)));
  if (!serving.ok()) {
    std::fprintf(stderr, "%s: %s\n", target.c_str(), serving.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", *serving ? "SERVING" : "NOT_SERVING");
  return *serving ? 0 : 1;
}

// Creates a key folder as the services keep them (an Ed25519 key, its id in `signing`), for a
// deployment that mounts keys from a Secret (Kubernetes) instead of letting a service make them:
// stamp signing keys, batch checkpoint keys, registry token keys. Prints the key id.
int InitKeys() {
  const std::string folder = absl::GetFlag(FLAGS_key_dir);
  if (folder.empty()) return Usage("init-keys needs --key_dir=DIR");
  if (std::filesystem::exists(folder) && !std::filesystem::is_empty(folder)) {
    return Usage("--key_dir: " + folder + " is not empty; keys are never overwritten");
  }
  absl::StatusOr<std::unique_ptr<keys::KeyStore>> store = keys::KeyStore::Open(folder);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", token::KeyIdToHex((*store)->signing_key_id()).c_str());
  return 0;
}

// Backs up a data folder as the quickstart lays it out while the services keep running: every
// SQLite file (*.db) with SQLite's backup API, a consistent moment of each, then the key folders
// and secret files, modes kept. Restoring is copying the backup folder to a fresh data folder
// (docs/operations.md). Prints what it copied.
int Backup() {
  namespace fs = std::filesystem;
  const fs::path from = absl::GetFlag(FLAGS_data_dir);
  const fs::path to = absl::GetFlag(FLAGS_backup_dir);
  if (to.empty()) return Usage("backup needs --backup_dir=DIR (a new folder)");
  if (fs::exists(to)) return Usage("--backup_dir: " + to.string() + " exists; a backup never overwrites");
  if (!fs::is_directory(from)) return Usage("--data_dir: " + from.string() + " is not a folder");
  if (absl::Status made = keys::EnsureSecretFolder(to.string()); !made.ok()) {
    std::fprintf(stderr, "%s\n", made.ToString().c_str());
    return 1;
  }
  // Referring stores before the stores they refer to (stamp rolls name batches, batches name
  // products): whatever a copy refers to was committed before it began, so before the next copy
  // began, and is in that copy too. Other databases follow by name.
  const std::vector<std::string> order = {"stamp.db", "batch.db", "registry.db"};
  std::vector<fs::path> databases;
  for (const fs::directory_entry& entry : fs::directory_iterator(from)) {
    if (entry.is_regular_file() && entry.path().extension() == ".db") databases.push_back(entry.path());
  }
  const auto rank = [&](const fs::path& path) {
    return std::find(order.begin(), order.end(), path.filename().string()) - order.begin();
  };
  std::sort(databases.begin(), databases.end(), [&](const fs::path& a, const fs::path& b) {
    return std::make_pair(rank(a), a.filename()) < std::make_pair(rank(b), b.filename());
  });
  int copied = 0;
  for (const fs::path& database : databases) {
    const absl::Status backed_up = store::BackupSqliteFile(database.string(), (to / database.filename()).string());
    if (!backed_up.ok()) {
      std::fprintf(stderr, "%s\n", backed_up.ToString().c_str());
      return 1;
    }
    std::printf("database %s\n", database.filename().c_str());
    ++copied;
  }
  // Keys and secrets after the databases: a key made meanwhile (a rotation) is then in the backup
  // too, and no database in it names a key it lacks.
  for (const std::string& name : absl::GetFlag(FLAGS_secrets)) {
    if (!fs::exists(from / name)) continue;
    std::error_code error;
    fs::copy(from / name, to / name, fs::copy_options::recursive, error);
    if (!error && fs::is_directory(to / name)) {
      for (const auto& item : fs::recursive_directory_iterator(to / name, error)) {
        fs::permissions(item.path(), fs::status(from / name / fs::relative(item.path(), to / name)).permissions(), error);
        if (error) break;
      }
    }
    if (!error) fs::permissions(to / name, fs::status(from / name).permissions(), error);
    if (error) {
      std::fprintf(stderr, "backup: cannot copy %s: %s\n", (from / name).c_str(), error.message().c_str());
      return 1;
    }
    std::printf("secret %s\n", name.c_str());
    ++copied;
  }
  if (copied == 0) return Usage("--data_dir: nothing to back up in " + from.string());
  return 0;
}

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "ocopctl COMMAND [flags]\n"
      "commands: create-producer, create-product, create-area, create-season, create-batch,\n"
      "          append-event, list-events, split-batch, merge-batches, recall-batch, trace,\n"
      "          verify-chain, export-epcis, issue-roll,\n"
      "          export-stamps, activate-stamps, void-stamps, revoke-stamps, resolve CODE,\n"
      "          order-reprint, list-renders, verify-pin CODE --pin=N, list-producers [--query=...],\n"
      "          clear-copy-flag --serial=N --reason=... (role office or admin),\n"
      "          create-user --username=U --user_role=R [--producer|--province_code] --password_file=F,\n"
      "          login --username=U --password_file=F, token [--api_key=K], create-api-key --user=users/x,\n"
      "          revoke-credential --name=... --reason=..., audit --audit_service=registry|batch|stamp,\n"
      "          scan-stats [--producer=... | --province_code=..] [--scans_by=day|stamp|batch|product],\n"
      "          add-rating --product=... --score=N --decision_date=... , list-ratings --product=...,\n"
      "          report-certified [--as_of=D --group_by=stars,group,category,sub_group,province,commune,year],\n"
      "          list-product-categories (Decision 148's classification, the codes of product.category),\n"
      "          report-producers, expiring-certificates [--within_days=N], set-plan --plan_file=F,\n"
      "          plan-progress --plan=plans/x [--as_of=D],\n"
      "          set-sales-points --sales_points_file=F, list-sales-points [--province_code=P --include_closed],\n"
      "          set-product-ideas --product_ideas_file=F,\n"
      "          report-product-ideas --province_code=P [--from_day=D --to_day=D --exclude_dropped],\n"
      "          import --producers=F.csv --products=G.csv [--dry_run],\n"
      "          create-round, submit-dossier, accept-dossier, return-dossier --reason=..., list-dossiers,\n"
      "          score-sheet --dossier=... --sheet_file=F.csv, close-round, round-result (see docs/registry.md)\n"
      "          list-products, list-events,\n"
      "          health --target=HOST:PORT [--grpc_service=NAME] (exit 0 when SERVING; for container checks),\n"
      "          init-keys --key_dir=DIR (a new key folder, for a Secret; docs/operations.md),\n"
      "          backup --data_dir=DATA --backup_dir=NEW (SQLite stores online, keys, secrets; docs/operations.md)");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  StartRequest();
  if (args.size() < 2) return Usage("missing command; see --help");
  const std::string command = args[1];
  if (command == "health") return Health();
  if (command == "init-keys") return InitKeys();
  if (command == "backup") return Backup();
  if (command == "create-producer") return CreateProducer();
  if (command == "create-product") return CreateProduct();
  if (command == "create-area") return CreateArea();
  if (command == "create-season") return CreateSeason();
  if (command == "create-batch") return CreateBatch();
  if (command == "append-event") return AppendEvent();
  if (command == "split-batch") return SplitBatch();
  if (command == "merge-batches") return MergeBatches();
  if (command == "recall-batch") return RecallBatch();
  if (command == "trace") return Trace();
  if (command == "verify-chain") return VerifyChain();
  if (command == "export-epcis") return ExportEpcis();
  if (command == "issue-roll") return IssueRoll();
  if (command == "export-stamps") return ExportStamps();
  if (command == "activate-stamps" || command == "void-stamps" || command == "revoke-stamps") {
    return ChangeStamps(command);
  }
  if (command == "order-reprint") return OrderReprint();
  if (command == "clear-copy-flag") return ClearCopyFlag();
  if (command == "create-user") return CreateUser();
  if (command == "login") return Login();
  if (command == "token") return Token();
  if (command == "create-api-key") return CreateApiKey();
  if (command == "revoke-credential") return RevokeCredential();
  if (command == "audit") return Audit();
  if (command == "list-renders") return ListRenders();
  if (command == "scan-stats") return ScanStats();
  if (command == "list-products") return ListProducts();
  if (command == "list-producers") return ListProducers();
  if (command == "add-rating") return AddRating();
  if (command == "import") return Import();
  if (command == "create-round") return CreateRound();
  if (command == "submit-dossier") return SubmitDossier();
  if (command == "accept-dossier") return AcceptDossier();
  if (command == "return-dossier") return ReturnDossier();
  if (command == "list-dossiers") return ListDossiers();
  if (command == "score-sheet") return ScoreSheet();
  if (command == "close-round") return CloseRound();
  if (command == "round-result") return RoundResult();
  if (command == "report-certified") return ReportCertified();
  if (command == "report-producers") return ReportProducers();
  if (command == "expiring-certificates") return ListExpiring();
  if (command == "set-plan") return SetPlan();
  if (command == "set-sales-points") return SetSalesPoints();
  if (command == "list-sales-points") return ListSalesPoints();
  if (command == "set-product-ideas") return SetProductIdeas();
  if (command == "report-product-ideas") return ReportProductIdeas();
  if (command == "list-product-categories") return ListProductCategories();
  if (command == "plan-progress") return PlanProgress();
  if (command == "list-ratings") return ListRatings();
  if (command == "list-events") return ListEvents();
  if (command == "verify-pin") {
    if (args.size() != 3) return Usage("verify-pin takes one CODE and --pin");
    return VerifyPin(args[2]);
  }
  if (command == "resolve") {
    if (args.size() != 3) return Usage("resolve takes one CODE (a stamp URL or token)");
    return Resolve(args[2]);
  }
  return Usage(absl::StrCat("unknown command '", command, "'; see --help"));
}
