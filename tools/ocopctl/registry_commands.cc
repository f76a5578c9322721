// ocopctl's registry reports and plans. Reports print CSV (UTF-8, RFC 4180) on stdout so an
// office can open them in a spreadsheet; plans are read from protobuf text files.
#include <google/protobuf/text_format.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/ocop_category/ocop_category.h"
#include "tools/ocopctl/cli.h"

ABSL_FLAG(std::string, as_of, "", "Report day YYYY-MM-DD (default: today in Vietnam)");
ABSL_FLAG(std::string, group_by, "stars", "report-certified: comma-separated stars, group, category, sub_group, province, commune, year");
ABSL_FLAG(bool, include_uncertified, false, "report-producers: count producers without a certified product too");
ABSL_FLAG(int, within_days, 90, "expiring-certificates: certificates ending within this many days");
ABSL_FLAG(std::string, plan_file, "", "set-plan: a ProvincePlan in protobuf text format");
ABSL_FLAG(std::string, plan, "", "plan-progress: plans/{id}");
ABSL_FLAG(std::string, sales_points_file, "",
          "set-sales-points: sales_points { ... } entries (ocop.registry.v1.ListSalesPointsResponse) in protobuf "
          "text format");
ABSL_FLAG(bool, include_closed, false, "list-sales-points: include those that have closed");
ABSL_FLAG(std::string, product_ideas_file, "",
          "set-product-ideas: product_ideas { ... } entries (ocop.registry.v1.ListProductIdeasResponse) in protobuf "
          "text format");
ABSL_FLAG(bool, exclude_dropped, false, "report-product-ideas: leave out dropped ideas");
ABSL_DECLARE_FLAG(std::string, province_code);
ABSL_DECLARE_FLAG(std::string, from_day);
ABSL_DECLARE_FLAG(std::string, to_day);

namespace ocop::ctl {
namespace {

using registry::v1::RegistryService;


std::string Number(double value) { return absl::StrFormat("%.1f", value); }

const std::map<std::string, registry::v1::PlanMetric>& PlanMetricWords() {
  static const auto* words = new std::map<std::string, registry::v1::PlanMetric>{
      {"new_certified_products", registry::v1::PLAN_METRIC_NEW_CERTIFIED_PRODUCTS},
      {"new_five_star_products", registry::v1::PLAN_METRIC_NEW_FIVE_STAR_PRODUCTS},
      {"certified_products", registry::v1::PLAN_METRIC_CERTIFIED_PRODUCTS},
      {"cooperative_producer_share", registry::v1::PLAN_METRIC_COOPERATIVE_PRODUCER_SHARE},
      {"enterprise_producer_share", registry::v1::PLAN_METRIC_ENTERPRISE_PRODUCER_SHARE},
      {"women_led_producer_share", registry::v1::PLAN_METRIC_WOMEN_LED_PRODUCER_SHARE},
      {"ethnic_minority_producer_share", registry::v1::PLAN_METRIC_ETHNIC_MINORITY_PRODUCER_SHARE},
      {"modern_channel_producer_share", registry::v1::PLAN_METRIC_MODERN_CHANNEL_PRODUCER_SHARE},
      {"five_star_products", registry::v1::PLAN_METRIC_FIVE_STAR_PRODUCTS},
      {"five_star_kept_share", registry::v1::PLAN_METRIC_FIVE_STAR_KEPT_SHARE},
      {"consolidated_or_upgraded_share", registry::v1::PLAN_METRIC_CONSOLIDATED_OR_UPGRADED_SHARE},
      {"new_ocop_producers", registry::v1::PLAN_METRIC_NEW_OCOP_PRODUCERS},
      {"green_value_chain_producer_share", registry::v1::PLAN_METRIC_GREEN_VALUE_CHAIN_PRODUCER_SHARE},
      {"trained_worker_share", registry::v1::PLAN_METRIC_TRAINED_WORKER_SHARE},
      {"province_sales_points_opened_or_upgraded", registry::v1::PLAN_METRIC_PROVINCE_SALES_POINTS_OPENED_OR_UPGRADED},
      {"sales_points_opened", registry::v1::PLAN_METRIC_SALES_POINTS_OPENED}};
  return *words;
}

// How a target is stated, as the plan-progress CSV prints it.
std::string BoundWord(registry::v1::TargetBound bound) {
  switch (bound) {
    case registry::v1::TARGET_BOUND_ABOUT: return "about";
    case registry::v1::TARGET_BOUND_RANGE: return "range";
    case registry::v1::TARGET_BOUND_AT_MOST: return "at_most";
    default: return "at_least";
  }
}

}  // namespace

int ReportCertified() {
  registry::v1::ReportCertifiedProductsRequest request;
  request.set_as_of(absl::GetFlag(FLAGS_as_of));
  request.set_province_code(absl::GetFlag(FLAGS_province_code));
  const std::map<std::string, registry::v1::ReportDimension> dimensions = {
      {"stars", registry::v1::REPORT_DIMENSION_STARS},
      {"group", registry::v1::REPORT_DIMENSION_PRODUCT_GROUP},
      {"province", registry::v1::REPORT_DIMENSION_PROVINCE},
      {"commune", registry::v1::REPORT_DIMENSION_COMMUNE},
      {"year", registry::v1::REPORT_DIMENSION_CERTIFICATION_YEAR},
      {"sub_group", registry::v1::REPORT_DIMENSION_SUB_GROUP},
      {"category", registry::v1::REPORT_DIMENSION_CATEGORY}};
  std::vector<std::string> header;
  for (absl::string_view word : absl::StrSplit(absl::GetFlag(FLAGS_group_by), ',', absl::SkipWhitespace())) {
    registry::v1::ReportDimension dimension;
    if (!ParseEnum(std::string(word), dimensions, &dimension)) {
      return Usage(
          "--group_by takes stars, group, category, sub_group, province, commune and year, separated by commas");
    }
    request.add_group_by(dimension);
  }
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::CertifiedProductsReport report;
  grpc::Status status = Registry()->ReportCertifiedProducts(&context, request, &report);
  if (!status.ok()) return Fail(status);
  for (int dimension : request.group_by()) {
    switch (dimension) {
      case registry::v1::REPORT_DIMENSION_STARS: header.push_back("stars"); break;
      case registry::v1::REPORT_DIMENSION_PRODUCT_GROUP: header.push_back("group"); break;
      case registry::v1::REPORT_DIMENSION_PROVINCE: header.insert(header.end(), {"province_code", "province"}); break;
      case registry::v1::REPORT_DIMENSION_COMMUNE: header.insert(header.end(), {"commune_code", "commune"}); break;
      case registry::v1::REPORT_DIMENSION_CERTIFICATION_YEAR: header.push_back("year"); break;
      case registry::v1::REPORT_DIMENSION_SUB_GROUP: header.push_back("sub_group"); break;
      case registry::v1::REPORT_DIMENSION_CATEGORY: header.insert(header.end(), {"category", "category_name"}); break;
    }
  }
  header.push_back("products");
  std::printf("# certified OCOP products as of %s: %lld\n", report.as_of().c_str(),
              static_cast<long long>(report.total()));
  PrintCsv(header);
  for (const auto& row : report.rows()) {
    std::vector<std::string> fields;
    for (int dimension : request.group_by()) {
      switch (dimension) {
        case registry::v1::REPORT_DIMENSION_STARS: fields.push_back(absl::StrCat(row.stars())); break;
        case registry::v1::REPORT_DIMENSION_PRODUCT_GROUP:
          fields.push_back(WordFor(ProductGroupWords(), row.product_group()));
          break;
        case registry::v1::REPORT_DIMENSION_PROVINCE:
          fields.insert(fields.end(), {row.province_code(), row.province_name()});
          break;
        case registry::v1::REPORT_DIMENSION_COMMUNE:
          fields.insert(fields.end(), {row.commune_code(), row.commune_name()});
          break;
        case registry::v1::REPORT_DIMENSION_CERTIFICATION_YEAR:
          fields.push_back(absl::StrCat(row.certification_year()));
          break;
        case registry::v1::REPORT_DIMENSION_SUB_GROUP: fields.push_back(row.sub_group()); break;
        case registry::v1::REPORT_DIMENSION_CATEGORY: {
          absl::StatusOr<const ocop_category::Category*> category =
              ocop_category::FindCategory("category", row.category());
          fields.insert(fields.end(), {row.category(), category.ok() ? std::string((*category)->name) : ""});
          break;
        }
      }
    }
    fields.push_back(absl::StrCat(row.products()));
    PrintCsv(fields);
  }
  return 0;
}

int ReportProducers() {
  registry::v1::ReportProducersRequest request;
  request.set_as_of(absl::GetFlag(FLAGS_as_of));
  request.set_province_code(absl::GetFlag(FLAGS_province_code));
  request.set_include_uncertified(absl::GetFlag(FLAGS_include_uncertified));
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::ProducersReport report;
  grpc::Status status = Registry()->ReportProducers(&context, request, &report);
  if (!status.ok()) return Fail(status);
  std::printf("# %s producers as of %s: %lld\n", request.include_uncertified() ? "registered" : "OCOP",
              report.as_of().c_str(), static_cast<long long>(report.total()));
  PrintCsv({"kind", "producers", "women_led", "ethnic_minority_led", "modern_channels", "green_value_chains",
            "workers", "trained_workers"});
  for (const auto& row : report.rows()) {
    PrintCsv({WordFor(ProducerKindWords(), row.kind()), absl::StrCat(row.producers()), absl::StrCat(row.women_led()),
              absl::StrCat(row.ethnic_minority_led()), absl::StrCat(row.modern_channels()),
              absl::StrCat(row.green_value_chains()), absl::StrCat(row.workers()), absl::StrCat(row.trained_workers())});
  }
  return 0;
}

int ListExpiring() {
  registry::v1::ListExpiringCertificatesRequest request;
  request.set_as_of(absl::GetFlag(FLAGS_as_of));
  request.set_within_days(absl::GetFlag(FLAGS_within_days));
  request.set_province_code(absl::GetFlag(FLAGS_province_code));
  request.set_page_size(1000);
  PrintCsv({"valid_until", "days_left", "stars", "certificate_number", "product", "product_name", "producer",
            "commune_code", "commune", "rating"});
  std::unique_ptr<RegistryService::Stub> stub = Registry();
  do {
    grpc::ClientContext context;
    Prepare(context);
    registry::v1::ListExpiringCertificatesResponse response;
    grpc::Status status = stub->ListExpiringCertificates(&context, request, &response);
    if (!status.ok()) return Fail(status);
    for (const auto& certificate : response.certificates()) {
      const auto& rating = certificate.product().rating();
      PrintCsv({rating.valid_until(), absl::StrCat(certificate.days_left()), absl::StrCat(rating.stars()),
                rating.certificate_number(), certificate.product().name(), certificate.product().display_name(),
                certificate.producer_display_name(), certificate.commune_code(), certificate.commune_name(),
                rating.name()});
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

int SetPlan() {
  std::ifstream in(absl::GetFlag(FLAGS_plan_file), std::ios::binary);
  if (!in) return Usage("--plan_file: cannot read " + absl::GetFlag(FLAGS_plan_file));
  std::ostringstream text;
  text << in.rdbuf();
  registry::v1::SetPlanRequest request;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), request.mutable_plan())) {
    return Usage("--plan_file: not a ProvincePlan in protobuf text format");
  }
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::ProvincePlan plan;
  grpc::Status status = Registry()->SetPlan(&context, request, &plan);
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", plan.name().c_str());
  return 0;
}

// Reads `path` (the value of --`flag`) as a `File` message in protobuf text format holding `what`.
template <typename File>
std::optional<File> ReadTextFile(const std::string& flag, const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Usage(absl::StrCat("--", flag, ": cannot read ", path));
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  File file;
  if (!google::protobuf::TextFormat::ParseFromString(text.str(), &file)) {
    Usage(absl::StrCat("--", flag, ": not ", what, " entries in protobuf text format"));
    return std::nullopt;
  }
  return file;
}

int SetSalesPoints() {
  std::optional<registry::v1::ListSalesPointsResponse> file = ReadTextFile<registry::v1::ListSalesPointsResponse>(
      "sales_points_file", absl::GetFlag(FLAGS_sales_points_file), "sales_points { ... }");
  if (!file.has_value()) return 2;
  // Setting a sales point is idempotent, so a file half applied is finished by running it again.
  for (const registry::v1::SalesPoint& point : file->sales_points()) {
    registry::v1::SetSalesPointRequest request;
    *request.mutable_sales_point() = point;
    grpc::ClientContext context;
    Prepare(context);
    registry::v1::SalesPoint stored;
    grpc::Status status = Registry()->SetSalesPoint(&context, request, &stored);
    if (!status.ok()) return Fail(status);
    std::printf("%s\n", stored.name().c_str());
  }
  return 0;
}

int SetProductIdeas() {
  std::optional<registry::v1::ListProductIdeasResponse> file = ReadTextFile<registry::v1::ListProductIdeasResponse>(
      "product_ideas_file", absl::GetFlag(FLAGS_product_ideas_file), "product_ideas { ... }");
  if (!file.has_value()) return 2;
  // Idempotent like set-sales-points: run a half-applied file again.
  for (const registry::v1::ProductIdea& idea : file->product_ideas()) {
    registry::v1::SetProductIdeaRequest request;
    *request.mutable_product_idea() = idea;
    grpc::ClientContext context;
    Prepare(context);
    registry::v1::ProductIdea stored;
    grpc::Status status = Registry()->SetProductIdea(&context, request, &stored);
    if (!status.ok()) return Fail(status);
    std::printf("%s\n", stored.name().c_str());
  }
  return 0;
}

int ListProductCategories() {
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::ListProductCategoriesResponse response;
  grpc::Status status = Registry()->ListProductCategories(&context, {}, &response);
  if (!status.ok()) return Fail(status);
  PrintCsv({"code", "product_group", "group_name", "name", "english_name", "ministries"});
  for (const registry::v1::ProductCategory& category : response.categories()) {
    PrintCsv({category.code(), WordFor(ProductGroupWords(), category.product_group()), category.group_name(),
              category.name(), category.english_name(), absl::StrJoin(category.ministries(), "; ")});
  }
  return 0;
}

int ReportProductIdeas() {
  registry::v1::ReportProductIdeasRequest request;
  request.set_province_code(absl::GetFlag(FLAGS_province_code));
  request.set_registered_from(absl::GetFlag(FLAGS_from_day));
  request.set_registered_to(absl::GetFlag(FLAGS_to_day));
  request.set_exclude_dropped(absl::GetFlag(FLAGS_exclude_dropped));
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::ProductIdeasReport report;
  grpc::Status status = Registry()->ReportProductIdeas(&context, request, &report);
  if (!status.ok()) return Fail(status);
  // One table, the way the provinces write it: the total, then by sector, commune and stage.
  PrintCsv({"by", "key", "name", "ideas"});
  PrintCsv({"total", report.province_code(), "", absl::StrCat(report.total())});
  for (const auto& row : report.by_sector()) PrintCsv({"sector", "", row.sector(), absl::StrCat(row.ideas())});
  for (const auto& row : report.by_commune()) {
    PrintCsv({"commune", row.commune_code(), row.commune_name(), absl::StrCat(row.ideas())});
  }
  for (const auto& row : report.by_stage()) {
    std::string stage = registry::v1::ProductIdeaStage_Name(row.stage());
    PrintCsv({"stage", absl::AsciiStrToLower(absl::StripPrefix(stage, "PRODUCT_IDEA_STAGE_")), "",
              absl::StrCat(row.ideas())});
  }
  return 0;
}

int ListSalesPoints() {
  PrintCsv({"name", "display_name", "kind", "tier", "province_code", "commune_code", "opened_date", "upgrade_dates",
            "closed_date", "operator_name"});
  registry::v1::ListSalesPointsRequest request;
  request.set_province_code(absl::GetFlag(FLAGS_province_code));
  request.set_include_closed(absl::GetFlag(FLAGS_include_closed));
  request.set_page_size(1000);
  do {
    grpc::ClientContext context;
    Prepare(context);
    registry::v1::ListSalesPointsResponse page;
    grpc::Status status = Registry()->ListSalesPoints(&context, request, &page);
    if (!status.ok()) return Fail(status);
    for (const registry::v1::SalesPoint& point : page.sales_points()) {
      std::string kind = registry::v1::SalesPointKind_Name(point.kind());
      std::string tier = registry::v1::SalesPointTier_Name(point.tier());
      PrintCsv({point.name(), point.display_name(), absl::AsciiStrToLower(absl::StripPrefix(kind, "SALES_POINT_KIND_")),
                absl::AsciiStrToLower(absl::StripPrefix(tier, "SALES_POINT_TIER_")), point.address().province_code(),
                point.address().commune_code(), point.opened_date(), absl::StrJoin(point.upgrade_dates(), ";"),
                point.closed_date(), point.operator_name()});
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

int PlanProgress() {
  registry::v1::GetPlanProgressRequest request;
  request.set_name(absl::GetFlag(FLAGS_plan));
  request.set_as_of(absl::GetFlag(FLAGS_as_of));
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::PlanProgress progress;
  grpc::Status status = Registry()->GetPlanProgress(&context, request, &progress);
  if (!status.ok()) return Fail(status);
  std::printf("# %s (%s to %s), as of %s\n", progress.plan().display_name().c_str(),
              progress.plan().period_start().c_str(), progress.plan().period_end().c_str(), progress.as_of().c_str());
  PrintCsv({"metric", "bound", "target", "target_max", "value", "gap", "met", "numerator", "denominator",
            "description"});
  for (const auto& item : progress.targets()) {
    const registry::v1::PlanTarget& target = item.target();
    PrintCsv({WordFor(PlanMetricWords(), target.metric()), BoundWord(target.bound()), Number(target.target()),
              target.bound() == registry::v1::TARGET_BOUND_RANGE ? Number(target.target_max()) : "",
              Number(item.value()), Number(item.gap()), item.met() ? "yes" : "no", absl::StrCat(item.numerator()),
              absl::StrCat(item.denominator()), target.description()});
  }
  return 0;
}

}  // namespace ocop::ctl
