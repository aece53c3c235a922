#pragma once
// One scrape's view of several workers: each worker reports its own request
// and runtime metrics (on its own thread); the admin endpoint shows them as one
// gateway.
//
// The same sample (family name and labels) is summed across workers — counts,
// totals, capacities, histogram buckets — except state gauges, which show the
// worst state any worker is in: an endpoint is ejected, or a circuit breaker
// open, if it is on one worker (max); an endpoint is healthy only if every
// worker finds it so (min). Families and samples keep the order in which they
// first appear.

#include <prometheus/metric_family.h>

#include <vector>

namespace canopy::gateway {

std::vector<prometheus::MetricFamily> merge_worker_metrics(
    const std::vector<std::vector<prometheus::MetricFamily>>& per_worker);

}  // namespace canopy::gateway
