#include "services/lookup/lookup_metrics.h"

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "common/metrics/metrics.h"

namespace ocop::lookup {
namespace {

prometheus::Family<prometheus::Counter>& Scans() {
  return metrics::CounterFamily("ocop_lookup_scans_total",
                                "Scanned codes resolved (HTTP and gRPC), by verdict, or by why none was given.");
}

// verdict number -> counter, for every value the enum has.
const std::vector<prometheus::Counter*>& VerdictCounters() {
  static const auto* counters = [] {
    auto* made = new std::vector<prometheus::Counter*>();
    const google::protobuf::EnumDescriptor* verdicts = v1::Verdict_descriptor();
    for (int i = 0; i < verdicts->value_count(); ++i) {
      const int number = verdicts->value(i)->number();
      if (number < 0 || number > 64) continue;
      if (made->size() <= static_cast<size_t>(number)) made->resize(number + 1, nullptr);
      std::string name = absl::AsciiStrToLower(verdicts->value(i)->name());
      if (name.starts_with("verdict_")) name = name.substr(8);
      (*made)[number] = &Scans().Add({{"verdict", name}});
    }
    return made;
  }();
  return *counters;
}

struct CacheCounters {
  std::string_view entity;
  std::array<prometheus::Counter*, 3> by_level;
};

// The entities lookup caches (resolver.cc's keys), and "other" last for anything else.
const std::vector<CacheCounters>& CacheTable() {
  static const auto* table = [] {
    auto& family = metrics::CounterFamily(
        "ocop_lookup_cache_lookups_total",
        "Views looked up by the scan path, by entity and where each was found: memory, redis or backend (a miss "
        "of both caches). Hit ratio: (memory + redis) / all.");
    auto* made = new std::vector<CacheCounters>();
    for (std::string_view entity : {"roll", "batch", "product", "gtin", "producer", "epcis", "other"}) {
      CacheCounters counters{entity, {}};
      const std::array<const char*, 3> levels = {"memory", "redis", "backend"};
      for (size_t level = 0; level < levels.size(); ++level) {
        counters.by_level[level] = &family.Add({{"entity", std::string(entity)}, {"level", levels[level]}});
      }
      made->push_back(counters);
    }
    return made;
  }();
  return *table;
}

// Routes by path prefix, "other" last.
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kRoutes = {{
    {"/s/", "scan_page"},
    {"/S/", "scan_page"},
    {"/01/", "digital_link"},
    {"/v1/resolve/", "resolve_json"},
    {"/v1/pin/", "pin"},
    {"/v1/epcis/", "epcis"},
    {"/catalogue/", "catalogue"},
    {"/v1/catalogue/", "catalogue_json"},
    {"/p/", "product_page"},
    {"/v1/products/", "product_json"},
    {"/.well-known/jwks.json", "jwks"},
    {"/healthz", "health"},
    {"", "other"},
}};

struct RouteMetrics {
  prometheus::Histogram* seconds;
  // By status class (2xx..5xx, "other" for anything else), made up front: exact codes would add a
  // series per odd code a scanner provokes.
  std::array<prometheus::Counter*, 5> by_class;
};

const std::vector<RouteMetrics>& RouteTable() {
  static const auto* table = [] {
    auto& requests = metrics::CounterFamily("ocop_http_requests_total",
                                            "Public HTTP requests answered, by route and status class (2xx, 4xx...).");
    auto& seconds = metrics::HistogramFamily(
        "ocop_http_request_seconds",
        "Time the handlers took to answer a public HTTP request, in seconds (waiting for a worker not "
        "included: ocop_http_queued_requests shows that).");
    auto* made = new std::vector<RouteMetrics>();
    for (const auto& [prefix, route] : kRoutes) {
      if (prefix == "/S/") {  // shares /s/'s series
        made->push_back(made->back());
        continue;
      }
      RouteMetrics metrics{&seconds.Add({{"route", std::string(route)}}, metrics::LatencyBuckets()), {}};
      const std::array<const char*, 5> classes = {"other", "2xx", "3xx", "4xx", "5xx"};
      for (size_t i = 0; i < classes.size(); ++i) {
        metrics.by_class[i] = &requests.Add({{"route", std::string(route)}, {"code", classes[i]}});
      }
      made->push_back(metrics);
    }
    return made;
  }();
  return *table;
}

}  // namespace

void CountVerdict(v1::Verdict verdict) {
  const std::vector<prometheus::Counter*>& counters = VerdictCounters();
  const auto number = static_cast<size_t>(verdict);
  if (number < counters.size() && counters[number] != nullptr) counters[number]->Increment();
}

void CountResolveFailure(const absl::Status& status) {
  static prometheus::Counter& unreadable = Scans().Add({{"verdict", "unreadable"}});
  static prometheus::Counter& cannot_check = Scans().Add({{"verdict", "cannot_check"}});
  static prometheus::Counter& error = Scans().Add({{"verdict", "error"}});
  if (absl::IsInvalidArgument(status)) {
    unreadable.Increment();
  } else if (absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) || absl::IsResourceExhausted(status)) {
    cannot_check.Increment();
  } else {
    error.Increment();
  }
}

void CountCacheLookup(std::string_view key, CacheLevel level) {
  const std::vector<CacheCounters>& table = CacheTable();
  const std::string_view entity = key.substr(0, key.find(':'));
  for (const CacheCounters& counters : table) {
    if (counters.entity == entity || &counters == &table.back()) {
      counters.by_level[static_cast<size_t>(level)]->Increment();
      return;
    }
  }
}

void CountHttpRequest(std::string_view target, int status, absl::Duration elapsed) {
  const std::vector<RouteMetrics>& table = RouteTable();
  for (size_t i = 0; i < kRoutes.size(); ++i) {
    if (!target.starts_with(kRoutes[i].first)) continue;
    const int status_class = status >= 200 && status < 600 ? status / 100 - 1 : 0;
    table[i].by_class[status_class]->Increment();
    table[i].seconds->Observe(absl::ToDoubleSeconds(elapsed));
    return;
  }
}

}  // namespace ocop::lookup
