// Prometheus metrics of a process: one registry that every library registers its families in,
// gauges read when scraped, and the /metrics endpoint that serves them (prometheus-cpp's exposer,
// on a port of its own so it is never public with lookup's page). docs/operations.md lists the
// metrics and what to alert on.
//
// Libraries count unconditionally: a counter costs an atomic add whether or not anyone scrapes,
// and a process started without --metrics_listen simply never serves them.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/labels.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace prometheus {
class Exposer;
}

namespace ocop::metrics {

// The process's registry. Registering a family a second time with the same name, help and labels
// returns the first one, so each user may build its families where it needs them.
prometheus::Registry& Registry();

// Buckets for latencies in seconds: 0.5 ms to 10 s, roughly ×2.5 apart.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

// Shorthands for families in Registry().
prometheus::Family<prometheus::Counter>& CounterFamily(const std::string& name, const std::string& help);
prometheus::Family<prometheus::Gauge>& GaugeFamily(const std::string& name, const std::string& help);
prometheus::Family<prometheus::Histogram>& HistogramFamily(const std::string& name, const std::string& help);

// A value read when the metrics are scraped, for state an object already keeps (connections in use,
// entries in a cache, a queue's length): nothing is updated on the hot path. Registered while this
// object lives; `read` runs on the scraping thread and must be quick and thread-safe. Several
// readings may share a name with different labels; their values are summed when two objects
// register the same name and labels (two pools of one process, say).
class ScrapedValue {
 public:
  enum class Type { kGauge, kCounter };
  ScrapedValue(std::string name, std::string help, prometheus::Labels labels, std::function<double()> read,
               Type type = Type::kGauge);
  ~ScrapedValue();
  ScrapedValue(const ScrapedValue&) = delete;
  ScrapedValue& operator=(const ScrapedValue&) = delete;

  struct Reading {
    std::string name;
    std::string help;
    prometheus::Labels labels;
    std::function<double()> read;
    Type type;
  };

 private:
  std::shared_ptr<Reading> reading_;
};

// Everything registered, in Prometheus' text format (what /metrics serves).
std::string TextExposition();

// Serves TextExposition() at /metrics over HTTP on its own port.
class MetricsEndpoint {
 public:
  // `address` is host:port (port 0 picks a free one). INTERNAL naming the address when it cannot
  // be bound.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& address);
  ~MetricsEndpoint();
  int port() const { return port_; }

 private:
  MetricsEndpoint(std::unique_ptr<prometheus::Exposer> exposer, int port);
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_;
};

}  // namespace ocop::metrics
