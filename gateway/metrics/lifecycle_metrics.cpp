#include "gateway/metrics/lifecycle_metrics.hpp"

#include <prometheus/family.h>

namespace canopy::gateway {

namespace {

prometheus::Family<prometheus::Counter>& reloads(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("canopy_config_reloads_total")
      .Help("Config reloads (SIGHUP) by result; a failed reload keeps the running config.")
      .Register(registry);
}

}  // namespace

LifecycleMetrics::LifecycleMetrics(prometheus::Registry& registry)
    : reloads_succeeded(reloads(registry).Add({{"result", "success"}})),
      reloads_failed(reloads(registry).Add({{"result", "failure"}})),
      drain_seconds(prometheus::BuildGauge()
                        .Name("canopy_drain_seconds")
                        .Help("How long the last drain took (0 until a drain).")
                        .Register(registry)
                        .Add({})),
      drain_requests_cut(prometheus::BuildGauge()
                             .Name("canopy_drain_requests_cut")
                             .Help("Requests still running when the last drain ended; they were cancelled.")
                             .Register(registry)
                             .Add({})),
      drain_requests_finished(prometheus::BuildGauge()
                                  .Name("canopy_drain_requests_finished")
                                  .Help("Requests that finished during the last drain, before its timeout.")
                                  .Register(registry)
                                  .Add({})) {}

}  // namespace canopy::gateway
