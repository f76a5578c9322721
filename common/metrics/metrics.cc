#include "common/metrics/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include <exception>
#include <map>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace ocop::metrics {
namespace {

// The readings of every live ScrapedValue, collected on each scrape.
class ScrapedValues final : public prometheus::Collectable {
 public:
  void Add(std::shared_ptr<ScrapedValue::Reading> reading) {
    std::lock_guard lock(mutex_);
    readings_.push_back(std::move(reading));
  }
  // Once this returns, `reading` is never read again (a scrape holds the lock while reading).
  void Remove(const ScrapedValue::Reading* reading) {
    std::lock_guard lock(mutex_);
    std::erase_if(readings_, [&](const auto& held) { return held.get() == reading; });
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    std::lock_guard lock(mutex_);
    // By name, then by label set: readings of one name form one family; equal label sets add up.
    std::map<std::string, std::pair<const ScrapedValue::Reading*, std::map<prometheus::Labels, double>>> grouped;
    for (const auto& reading : readings_) {
      auto& [first, values] = grouped[reading->name];
      if (first == nullptr) first = reading.get();
      values[reading->labels] += reading->read();
    }
    std::vector<prometheus::MetricFamily> families;
    for (const auto& [name, group] : grouped) {
      const auto& [first, values] = group;
      prometheus::MetricFamily family;
      family.name = name;
      family.help = first->help;
      family.type =
          first->type == ScrapedValue::Type::kCounter ? prometheus::MetricType::Counter : prometheus::MetricType::Gauge;
      for (const auto& [labels, value] : values) {
        prometheus::ClientMetric metric;
        for (const auto& [label, label_value] : labels) metric.label.push_back({label, label_value});
        if (first->type == ScrapedValue::Type::kCounter) {
          metric.counter.value = value;
        } else {
          metric.gauge.value = value;
        }
        family.metric.push_back(std::move(metric));
      }
      families.push_back(std::move(family));
    }
    return families;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<ScrapedValue::Reading>> readings_;
};

// Both live for the whole process (never destroyed, so no object that outlives main() can find
// them gone); the exposer holds them through weak pointers.
const std::shared_ptr<prometheus::Registry>& SharedRegistry() {
  static const auto* registry = new std::shared_ptr<prometheus::Registry>(std::make_shared<prometheus::Registry>());
  return *registry;
}
const std::shared_ptr<ScrapedValues>& SharedScrapedValues() {
  static const auto* values = new std::shared_ptr<ScrapedValues>(std::make_shared<ScrapedValues>());
  return *values;
}

}  // namespace

prometheus::Registry& Registry() { return *SharedRegistry(); }

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

prometheus::Family<prometheus::Counter>& CounterFamily(const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(Registry());
}
prometheus::Family<prometheus::Gauge>& GaugeFamily(const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(Registry());
}
prometheus::Family<prometheus::Histogram>& HistogramFamily(const std::string& name, const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(Registry());
}

ScrapedValue::ScrapedValue(std::string name, std::string help, prometheus::Labels labels, std::function<double()> read,
                           Type type)
    : reading_(std::make_shared<Reading>(
          Reading{std::move(name), std::move(help), std::move(labels), std::move(read), type})) {
  SharedScrapedValues()->Add(reading_);
}

ScrapedValue::~ScrapedValue() { SharedScrapedValues()->Remove(reading_.get()); }

std::string TextExposition() {
  std::vector<prometheus::MetricFamily> families = Registry().Collect();
  std::vector<prometheus::MetricFamily> scraped = SharedScrapedValues()->Collect();
  families.insert(families.end(), std::make_move_iterator(scraped.begin()), std::make_move_iterator(scraped.end()));
  return prometheus::TextSerializer().Serialize(families);
}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(const std::string& address) {
  std::unique_ptr<prometheus::Exposer> exposer;
  try {
    // Two threads: scrapes are rare (every 15–60 s per Prometheus server).
    exposer = std::make_unique<prometheus::Exposer>(address, /*num_threads=*/2);
  } catch (const std::exception& error) {
    return absl::InternalError(absl::StrCat("metrics: cannot listen on ", address, ": ", error.what()));
  }
  const std::vector<int> ports = exposer->GetListeningPorts();
  if (ports.empty()) return absl::InternalError(absl::StrCat("metrics: cannot listen on ", address));
  exposer->RegisterCollectable(SharedRegistry());
  exposer->RegisterCollectable(SharedScrapedValues());
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(std::move(exposer), ports.front()));
}

MetricsEndpoint::MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer, int port)
    : exposer_(std::move(exposer)), port_(port) {}

MetricsEndpoint::~MetricsEndpoint() = default;

}  // namespace ocop::metrics
