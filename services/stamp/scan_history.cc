#include "services/stamp/scan_history.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/paging.h"
#include "common/status/status_macros.h"
#include "common/validate/validate.h"

namespace ocop::stamp {
namespace {

constexpr size_t kMaxScansPerCall = 5000;
constexpr int kVietnamOffsetSeconds = 7 * 3600;

std::string VietnamDay(absl::Time time) {
  return absl::FormatCivilTime(absl::ToCivilDay(time, absl::FixedTimeZone(kVietnamOffsetSeconds)));
}

bool IsHex(absl::string_view text, size_t size) {
  if (text.size() != size) return false;
  for (char c : text) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
  }
  return true;
}

absl::Status ValidateScan(const ScanRecord& scan, size_t i, absl::Time now) {
  std::string field = absl::StrCat("scans[", i, "]");
  OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".scan_id"), scan.scan_id, 64, true));
  if (scan.serial == 0) return absl::InvalidArgumentError(absl::StrCat(field, ".serial: must be set"));
  if (scan.count < 1 || scan.count > 1000000) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".count: must be between 1 and 1,000,000"));
  }
  if (scan.scan_time == absl::UnixEpoch() || scan.scan_time > now + absl::Hours(1)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".scan_time: must be set and not in the future"));
  }
  if (!IsHex(scan.client_hash, 16)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".client_hash: must be 16 lower-case hex digits (a salted, truncated hash)"));
  }
  OCOP_RETURN_IF_ERROR(validate::Text(absl::StrCat(field, ".verdict"), scan.verdict, 40, true));
  if (!scan.batch.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName(absl::StrCat(field, ".batch"), scan.batch, "batches"));
  if (!scan.product.empty()) {
    OCOP_RETURN_IF_ERROR(validate::ResourceName(absl::StrCat(field, ".product"), scan.product, "products"));
  }
  if (!scan.producer.empty()) {
    OCOP_RETURN_IF_ERROR(validate::ResourceName(absl::StrCat(field, ".producer"), scan.producer, "producers"));
  }
  if (!scan.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode(absl::StrCat(field, ".province_code"), scan.province_code, 2));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<int64_t> ScanHistory::RecordScans(const Actor& actor, std::vector<ScanRecord> scans) {
  if (actor.role != "service" && actor.role != "admin") {
    return absl::PermissionDeniedError("only a service (role service) records scans");
  }
  if (scans.size() > kMaxScansPerCall) {
    return absl::InvalidArgumentError(absl::StrCat("scans: at most ", kMaxScansPerCall, " per call"));
  }
  absl::Time now = clock_();
  for (size_t i = 0; i < scans.size(); ++i) {
    OCOP_RETURN_IF_ERROR(ValidateScan(scans[i], i, now));
    scans[i].day = VietnamDay(scans[i].scan_time);
  }
  return repository_->InsertScans(scans, now - retention_);
}

absl::StatusOr<store::Page<ScanStatsRow>> ScanHistory::Stats(const Actor& actor, ScanQuery query, int page_size,
                                                            const std::string& page_token) {
  if (actor.role == "producer") {
    if (actor.producer.empty() || query.producer != actor.producer) {
      return absl::PermissionDeniedError("producer: a producer sees only its own scans (set producer to yours)");
    }
  } else if (actor.role == "office") {
    // An office sees its own province only: the filter is pinned to it.
    if (!query.province_code.empty() && query.province_code != actor.province) {
      return absl::PermissionDeniedError(absl::StrCat("province_code: an office sees only its own province (",
                                                      actor.province, ")"));
    }
    query.province_code = actor.province;
  } else if (actor.role != "admin" && actor.role != "service") {
    return absl::PermissionDeniedError("scan statistics are for producers, offices and admins");
  }
  if (!query.producer.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("producer", query.producer, "producers"));
  if (!query.product.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("product", query.product, "products"));
  if (!query.batch.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("batch", query.batch, "batches"));
  if (!query.province_code.empty()) OCOP_RETURN_IF_ERROR(validate::DigitCode("province_code", query.province_code, 2));
  std::string today = VietnamDay(clock_());
  if (query.to_day.empty()) query.to_day = today;
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay to, validate::Date("to_day", query.to_day));
  if (query.from_day.empty()) query.from_day = absl::FormatCivilTime(to - 29);
  OCOP_ASSIGN_OR_RETURN(absl::CivilDay from, validate::Date("from_day", query.from_day));
  if (from > to) return absl::InvalidArgumentError("from_day: after to_day");
  if (query.group_by == ScanGroupBy::kUnspecified) query.group_by = ScanGroupBy::kDay;
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page_size, 100, 1000));
  OCOP_ASSIGN_OR_RETURN(int64_t offset, grpcutil::DecodePageToken(page_token));
  OCOP_ASSIGN_OR_RETURN(std::vector<ScanStatsRow> rows, repository_->ScanStats(query, offset, size + 1));
  store::Page<ScanStatsRow> page;
  if (static_cast<int>(rows.size()) > size) {
    rows.pop_back();
    page.next_position = offset + size;
  }
  page.items = std::move(rows);
  return page;
}

}  // namespace ocop::stamp
