#include "gateway/metrics/merged_metrics.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>

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

void combine(double& into, double from, Merge merge) {
  switch (merge) {
    case Merge::sum: into += from; break;
    case Merge::worst_is_high: into = std::max(into, from); break;
    case Merge::worst_is_low: into = std::min(into, from); break;
  }
}

void add_sample(prometheus::ClientMetric& into, const prometheus::ClientMetric& from, prometheus::MetricType type,
                Merge merge) {
  switch (type) {
    case prometheus::MetricType::Counter: combine(into.counter.value, from.counter.value, merge); break;
    case prometheus::MetricType::Gauge: combine(into.gauge.value, from.gauge.value, merge); break;
    case prometheus::MetricType::Untyped: combine(into.untyped.value, from.untyped.value, merge); break;
    case prometheus::MetricType::Histogram: {
      // Every worker's histogram has the same buckets (they come from the same code).
      into.histogram.sample_count += from.histogram.sample_count;
      into.histogram.sample_sum += from.histogram.sample_sum;
      const auto n = std::min(into.histogram.bucket.size(), from.histogram.bucket.size());
      for (std::size_t i = 0; i < n; ++i) into.histogram.bucket[i].cumulative_count += from.histogram.bucket[i].cumulative_count;
      break;
    }
    case prometheus::MetricType::Summary: break;  // quantiles do not add up; none is exported per worker
  }
}

std::string labels_key(const prometheus::ClientMetric& metric) {
  std::string key;
  for (const auto& label : metric.label) {
    key += label.name;
    key += '\x1f';
    key += label.value;
    key += '\x1e';
  }
  return key;
}

struct MergedFamily {
  prometheus::MetricFamily family;
  std::unordered_map<std::string, std::size_t> sample_at;  // labels → index in family.metric
};

}  // namespace

std::vector<prometheus::MetricFamily> merge_worker_metrics(
    const std::vector<std::vector<prometheus::MetricFamily>>& per_worker) {
  std::vector<MergedFamily> merged;
  std::unordered_map<std::string, std::size_t> family_at;
  for (const auto& families : per_worker) {
    for (const auto& family : families) {
      auto [at, added] = family_at.try_emplace(family.name, merged.size());
      if (added) merged.push_back({{family.name, family.help, family.type, {}}, {}});
      auto& into = merged[at->second];
      const Merge merge = merge_of(family.name);
      for (const auto& sample : family.metric) {
        auto [sample_at, new_sample] = into.sample_at.try_emplace(labels_key(sample), into.family.metric.size());
        if (new_sample) into.family.metric.push_back(sample);
        else add_sample(into.family.metric[sample_at->second], sample, family.type, merge);
      }
    }
  }
  std::vector<prometheus::MetricFamily> out;
  out.reserve(merged.size());
  for (auto& family : merged) out.push_back(std::move(family.family));
  return out;
}

}  // namespace canopy::gateway
