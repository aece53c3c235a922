#pragma once
// Metrics of the process' life rather than of requests; they live as long as
// the process (a reloaded config keeps them):
//
//   canopy_config_reloads_total{result}      counter (success, failure)
//   canopy_drain_seconds                     gauge: how long the last drain took
//   canopy_drain_requests_cut                gauge: requests still running when it ended
//   canopy_drain_requests_finished           gauge: requests that finished during it

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace canopy::gateway {

struct LifecycleMetrics {
  explicit LifecycleMetrics(prometheus::Registry& registry);

  prometheus::Counter& reloads_succeeded;
  prometheus::Counter& reloads_failed;
  prometheus::Gauge& drain_seconds;
  prometheus::Gauge& drain_requests_cut;
  prometheus::Gauge& drain_requests_finished;
};

}  // namespace canopy::gateway
