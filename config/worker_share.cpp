#include "config/worker_share.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace canopy::config {

namespace {

std::size_t share(std::size_t total, unsigned workers) { return (total + workers - 1) / workers; }

void share_limits(LimitsConfig& limits, unsigned workers) {
  limits.max_inflight = share(limits.max_inflight, workers);
  limits.queue = share(limits.queue, workers);
}

}  // namespace

unsigned effective_workers(const ServerConfig& server) noexcept {
  if (server.workers != 0) return server.workers;
  // The CPUs this process may run on (taskset, cpusets), not every CPU of the machine.
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) == 0) return std::max(1, CPU_COUNT(&allowed));
  return std::max(1u, std::thread::hardware_concurrency());
}

Config worker_share(const Config& config, unsigned workers) {
  Config share_of = config;
  if (workers <= 1) return share_of;
  share_of.server.max_connections = share(config.server.max_connections, workers);
  share_limits(share_of.limits, workers);
  for (auto& route : share_of.routes) {
    if (route.limits) share_limits(*route.limits, workers);
  }
  for (auto& [name, upstream] : share_of.upstreams) {
    upstream.circuit_breaker.max_requests = share(upstream.circuit_breaker.max_requests, workers);
    upstream.circuit_breaker.max_pending = share(upstream.circuit_breaker.max_pending, workers);
  }
  return share_of;
}

}  // namespace canopy::config
