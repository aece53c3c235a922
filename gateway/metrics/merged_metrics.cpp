#include "gateway/metrics/merged_metrics.hpp"

#include <algorithm>
#include <string_view>

namespace canopy::gateway {

namespace {

enum class Merge { sum, worst_is_high, worst_is_low };

Merge merge_of(std::string_view family) {
  if (family == "canopy_upstream_endpoint_ejected" || family == "canopy_upstream_circuit_breaker_open") {
    return Merge::worst_is_high;
  }
  if (family == "canopy_upstream_endpoint_healthy") return Merge::worst_is_low;
  return Merge::sum;
}

double& value_of(prometheus::ClientMetric& metric, prometheus::MetricType type) {
  return type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value;
}
double value_of(const prometheus::ClientMetric& metric, prometheus::MetricType type) {
  return type == prometheus::MetricType::Counter ? metric.counter.value : metric.gauge.value;
}

bool same_labels(const prometheus::ClientMetric& a, const prometheus::ClientMetric& b) {
  return std::equal(a.label.begin(), a.label.end(), b.label.begin(), b.label.end(),
                    [](const auto& x, const auto& y) { return x.name == y.name && x.value == y.value; });
}

void add_into(prometheus::MetricFamily& into, const prometheus::MetricFamily& from) {
  const Merge merge = merge_of(into.name);
  for (const auto& sample : from.metric) {
    auto found = std::find_if(into.metric.begin(), into.metric.end(),
                              [&](const prometheus::ClientMetric& m) { return same_labels(m, sample); });
    if (found == into.metric.end()) {
      into.metric.push_back(sample);
      continue;
    }
    double& value = value_of(*found, into.type);
    const double other = value_of(sample, into.type);
    switch (merge) {
      case Merge::sum: value += other; break;
      case Merge::worst_is_high: value = std::max(value, other); break;
      case Merge::worst_is_low: value = std::min(value, other); break;
    }
  }
}

}  // namespace

std::vector<prometheus::MetricFamily> merge_worker_metrics(
    const std::vector<std::vector<prometheus::MetricFamily>>& per_worker) {
  std::vector<prometheus::MetricFamily> merged;
  for (const auto& families : per_worker) {
    for (const auto& family : families) {
      auto into = std::find_if(merged.begin(), merged.end(),
                               [&](const prometheus::MetricFamily& m) { return m.name == family.name; });
      if (into == merged.end()) merged.push_back(family);
      else add_into(*into, family);
    }
  }
  return merged;
}

}  // namespace canopy::gateway
