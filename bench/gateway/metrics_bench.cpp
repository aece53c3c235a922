// What a request's metrics cost on the hot path: recording one request and one
// upstream call (counters, two histograms, two clock reads), next to the clock
// reads alone. Run: build/release/bench/gateway/metrics_bench
#include <benchmark/benchmark.h>

#include <prometheus/registry.h>

#include "config/load.hpp"
#include "gateway/metrics/request_metrics.hpp"

namespace {

using namespace canopy;

const config::Config& bench_config() {
  static const auto config = config::parse_config(
      "[upstreams.u]\nendpoints = [\"127.0.0.1:1\"]\n[[routes]]\nname = \"api\"\nupstream = \"u\"\n", "bench.toml");
  return config;
}

void ClockReadsOnly(benchmark::State& state) {
  for (auto _ : state) {
    const auto started = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(std::chrono::steady_clock::now() - started);
  }
}
BENCHMARK(ClockReadsOnly);

void RecordRequestAndUpstreamCall(benchmark::State& state) {
  prometheus::Registry registry;
  gateway::RequestMetrics metrics(registry, bench_config());
  auto& route = metrics.route(0);
  const auto method = gateway::method_label_index("GET");
  for (auto _ : state) {
    const auto started = std::chrono::steady_clock::now();
    const auto call_started = std::chrono::steady_clock::now();
    metrics.upstream(0).answered(200, std::chrono::steady_clock::now() - call_started);
    route.record(method, 200, std::chrono::steady_clock::now() - started, std::nullopt, std::nullopt);
  }
}
BENCHMARK(RecordRequestAndUpstreamCall);

}  // namespace

BENCHMARK_MAIN();
