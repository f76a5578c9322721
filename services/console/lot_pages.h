// The producer's pages: growing areas and seasons with the farm diary, lots with their value
// chain, and stamp rolls (order, download, activate, void, revoke). Rendering only; the handlers
// (lots.cc) fetch the data with the person's own token and check it is theirs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "ocop/batch/v1/batch.pb.h"
#include "ocop/registry/v1/registry.pb.h"
#include "ocop/stamp/v1/stamp.pb.h"
#include "services/console/charts.h"
#include "services/console/html.h"

namespace ocop::console {

// The business steps the diary offers on a season (farm stages) and on a lot, in the order a
// farmer meets them.
const std::vector<std::string>& SeasonSteps();
const std::vector<std::string>& LotSteps();

// "2026-03-01 16:00" in Vietnam time.
std::string VietnamTime(const google::protobuf::Timestamp& time);

struct AreaWithSeasons {
  batch::v1::GrowingArea area;
  std::vector<batch::v1::Season> seasons;
};

struct AreasView {
  std::vector<AreaWithSeasons> areas;
  std::string csrf;
  // The area whose "new season" form was refused, with what was typed.
  std::string refused_area;
  FormState season_form;
  std::string today;  // "YYYY-MM-DD", the new season's default start
  // The "new growing area" form.
  FormState area_form;
  std::string this_page_token;
  std::string next_page_token;
};
std::string RenderAreasBody(const AreasView& view);

// An event form's fields (the diary on a season or a lot).
inline const std::vector<std::string> kEventFields = {"biz_step", "event_time", "location", "quantity", "unit",
                                                      "pesticide", "pre_harvest_interval_days", "veterinary_drug",
                                                      "withdrawal_period_days", "note",
                                                      "attachment_uri", "attachment_sha256"};
inline const std::vector<std::string> kAreaFields = {"code", "commune_code", "crop", "area_hectares"};
inline const std::vector<std::string> kHarvestFields = {"product", "lot_code", "harvest_date", "quantity",
                                                        "unit", "package_count", "expiry_date"};

struct SeasonView {
  batch::v1::GrowingArea area;
  batch::v1::Season season;
  std::vector<batch::v1::BatchEvent> events;
  std::string events_next_page_token;
  std::string events_this_page_token;
  std::vector<registry::v1::Product> products;  // the producer's, to harvest into
  std::string csrf;
  FormState event_form;
  FormState harvest_form;
  std::string now_local;  // "YYYY-MM-DDTHH:MM" in Vietnam: the diary's default time
  std::string today;
  std::string notice;     // after a change: what was done (Vietnamese|English)
};
std::string RenderSeasonBody(const SeasonView& view);

struct LotsView {
  std::vector<batch::v1::Batch> batches;
  std::string csrf;
  // Blending: a checkbox per open lot ("lot_{id}") and the new lot's code.
  FormState blend_form;
  std::map<std::string, std::string> product_names;
  std::string this_page_token;
  std::string next_page_token;
};
std::string RenderLotsBody(const LotsView& view);

inline const std::vector<std::string> kRollFields = {"count", "scratch_pins"};
inline const std::vector<std::string> kRecallFields = {"reason"};
inline const std::vector<std::string> kSplitFields = {"lot_code_1", "quantity_1", "lot_code_2", "quantity_2",
                                                      "lot_code_3", "quantity_3"};

struct LotView {
  batch::v1::Batch batch;
  std::string product_name;
  std::vector<batch::v1::BatchEvent> events;
  std::string events_next_page_token;
  std::string events_this_page_token;
  std::vector<stamp::v1::Roll> rolls;
  std::string csrf;
  FormState event_form;
  FormState roll_form;
  FormState recall_form;
  FormState split_form;
  std::string now_local;
  std::string notice;
  // Scans of the lot's stamps per day (the last 30 days), possible copies as the highlight.
  std::vector<Bar> scans_per_day;
};
std::string RenderLotBody(const LotView& view);

struct ScansView {
  std::string from_day;
  std::string to_day;
  std::vector<Bar> per_day;                        // every day from_day..to_day
  std::vector<stamp::v1::ScanStatsRow> per_lot;    // key: "batches/{id}"
  std::map<std::string, std::string> lot_codes;    // by lot name
  std::vector<stamp::v1::ScanStatsRow> flagged;    // stamps with "possible copy" scans; key: serial
  bool more_stamps = false;                        // more stamps were scanned than were looked at
};
std::string RenderScansBody(const ScansView& view);

inline const std::vector<std::string> kDownloadFields = {"format", "first_serial", "count", "printer"};
inline const std::vector<std::string> kActivateFields = {"first_serial", "count", "override_package_limit", "reason"};
inline const std::vector<std::string> kChangeFields = {"action", "first_serial", "count", "reason"};

// At most this many stamps in one download (a PDF document holds at most 240 labels, so one
// file stays under gRPC's message limit and a slow phone's patience).
inline constexpr int64_t kMaxDownloadPdf = 240;
inline constexpr int64_t kMaxDownloadZpl = 1000;

struct RollView {
  stamp::v1::Roll roll;
  std::string lot_code;
  std::vector<stamp::v1::Render> renders;
  std::string csrf;
  FormState download_form;
  FormState activate_form;
  FormState change_form;
  // Defaults: the first serial no render has covered, and the first still only issued.
  uint64_t next_to_download = 0;
  uint64_t next_to_activate = 0;
  std::string notice;
};
std::string RenderRollBody(const RollView& view);

}  // namespace ocop::console
