#pragma once
// Metrics read at scrape time from what the gateway already counts, so that
// the hot path pays nothing for them:
//
// Per worker (merged across workers at scrape time: merged_metrics.hpp):
//   canopy_inflight_requests, canopy_downstream_connections  gauges
//   canopy_limiter_in_use / _capacity / _queue_depth{limiter}            gauges
//     (limiter: connections, requests, route:NAME)
//   canopy_limiter_rejections_total{limiter, reason}        counter (queue_full, timed_out)
//   canopy_limiter_waits_total / _wait_seconds_total{limiter}            counters
//   canopy_tasks_live, canopy_nurseries_live                gauges
//   canopy_tasks_started_total, canopy_tasks_finished_total counters
//   canopy_tasks_orphaned_total                             counter (must stay 0)
//   canopy_cancellations_total{reason}                      counter (scopes that cancelled themselves)
//   canopy_upstream_connections{upstream, endpoint, state}  gauge (idle, active)
//   canopy_upstream_pool_waiters{upstream, endpoint}        gauge
//   canopy_upstream_endpoint_ejected{upstream, endpoint}    gauge (outlier ejection)
//   canopy_upstream_ejections_total{upstream, endpoint}     counter
//   canopy_hedge_attempts_total{route, result}              counter (sent, refused)
//   canopy_retries_total{route, result}                     counter (sent, refused)
//   canopy_access_log_dropped_lines_total                    counter
// Per process:
//   canopy_draining, canopy_workers                          gauges
//   canopy_build_info{version}, canopy_config_info{hash, file}, canopy_config_load_timestamp_seconds
//   process_cpu_seconds_total, process_resident_memory_bytes, process_virtual_memory_bytes,
//   process_open_fds, process_max_fds, process_start_time_seconds

#include <prometheus/metric_family.h>

#include <vector>

#include "gateway/server/server.hpp"

namespace canopy::gateway {

// Must run on the worker's thread (task trees and access-log buffers are per thread).
std::vector<prometheus::MetricFamily> collect_worker_metrics(const Server& server);
// The calling thread's task tree only (the control thread's).
std::vector<prometheus::MetricFamily> collect_task_metrics();
std::vector<prometheus::MetricFamily> collect_process_metrics(const config::Config& config, bool draining,
                                                              std::size_t workers);

}  // namespace canopy::gateway
