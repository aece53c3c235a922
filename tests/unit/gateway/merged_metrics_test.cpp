#include "gateway/metrics/merged_metrics.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace canopy::gateway {
namespace {

prometheus::MetricFamily family(const std::string& name, prometheus::MetricType type,
                                std::vector<std::pair<std::string, double>> samples) {
  prometheus::MetricFamily f{name, "help", type, {}};
  for (const auto& [endpoint, value] : samples) {
    prometheus::ClientMetric m;
    m.label = {{"endpoint", endpoint}};
    if (type == prometheus::MetricType::Counter) m.counter.value = value;
    else m.gauge.value = value;
    f.metric.push_back(m);
  }
  return f;
}

double value(const std::vector<prometheus::MetricFamily>& families, const std::string& name, const std::string& endpoint) {
  for (const auto& f : families) {
    if (f.name != name) continue;
    for (const auto& m : f.metric) {
      if (m.label.at(0).value == endpoint) return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return -1;
}

using Type = prometheus::MetricType;

TEST(MergedMetrics, CountsAreSummedAcrossWorkers) {
  const auto merged = merge_worker_metrics({
      {family("canopy_upstream_ejections_total", Type::Counter, {{"x", 2}, {"y", 1}}),
       family("canopy_inflight_requests", Type::Gauge, {{"x", 3}})},
      {family("canopy_upstream_ejections_total", Type::Counter, {{"x", 5}, {"z", 4}}),
       family("canopy_inflight_requests", Type::Gauge, {{"x", 4}})},
  });
  EXPECT_EQ(value(merged, "canopy_upstream_ejections_total", "x"), 7);
  EXPECT_EQ(value(merged, "canopy_upstream_ejections_total", "y"), 1);
  EXPECT_EQ(value(merged, "canopy_upstream_ejections_total", "z"), 4) << "a sample only one worker has";
  EXPECT_EQ(value(merged, "canopy_inflight_requests", "x"), 7);
  EXPECT_EQ(merged.size(), 2u) << "one family each, not one per worker";
}

TEST(MergedMetrics, StateGaugesShowTheWorstStateAnyWorkerIsIn) {
  const auto merged = merge_worker_metrics({
      {family("canopy_upstream_endpoint_ejected", Type::Gauge, {{"x", 0}, {"y", 1}}),
       family("canopy_upstream_circuit_breaker_open", Type::Gauge, {{"x", 1}}),
       family("canopy_upstream_endpoint_healthy", Type::Gauge, {{"x", 1}, {"y", 1}})},
      {family("canopy_upstream_endpoint_ejected", Type::Gauge, {{"x", 1}, {"y", 1}}),
       family("canopy_upstream_circuit_breaker_open", Type::Gauge, {{"x", 0}}),
       family("canopy_upstream_endpoint_healthy", Type::Gauge, {{"x", 0}, {"y", 1}})},
  });
  EXPECT_EQ(value(merged, "canopy_upstream_endpoint_ejected", "x"), 1);
  EXPECT_EQ(value(merged, "canopy_upstream_endpoint_ejected", "y"), 1) << "not 2: a state, not a count";
  EXPECT_EQ(value(merged, "canopy_upstream_circuit_breaker_open", "x"), 1);
  EXPECT_EQ(value(merged, "canopy_upstream_endpoint_healthy", "x"), 0) << "healthy only if every worker finds it so";
  EXPECT_EQ(value(merged, "canopy_upstream_endpoint_healthy", "y"), 1);
}

TEST(MergedMetrics, HistogramsAddTheirBucketsCountsAndSums) {
  auto histogram = [](std::uint64_t below_one, std::uint64_t count, double sum) {
    prometheus::MetricFamily f{"canopy_request_duration_seconds", "help", Type::Histogram, {}};
    prometheus::ClientMetric m;
    m.label = {{"route", "api"}};
    m.histogram.sample_count = count;
    m.histogram.sample_sum = sum;
    m.histogram.bucket = {{below_one, 1.0}, {count, std::numeric_limits<double>::infinity()}};
    f.metric.push_back(m);
    return f;
  };
  const auto merged = merge_worker_metrics({{histogram(2, 3, 4.5)}, {histogram(5, 5, 1.0)}});
  ASSERT_EQ(merged.size(), 1u);
  ASSERT_EQ(merged[0].metric.size(), 1u);
  const auto& h = merged[0].metric[0].histogram;
  EXPECT_EQ(h.sample_count, 8u);
  EXPECT_DOUBLE_EQ(h.sample_sum, 5.5);
  EXPECT_EQ(h.bucket[0].cumulative_count, 7u);
  EXPECT_EQ(h.bucket[1].cumulative_count, 8u);
}

}  // namespace
}  // namespace canopy::gateway
