#pragma once
// What one worker enforces of the limits a config states for the whole gateway.
//
// A config's limits are totals: `[limits] max_inflight = 5000` means the gateway
// admits 5,000 requests at once, however many workers share the load. Each of
// `workers` workers enforces ceil(total / workers) of server.max_connections,
// [limits] and every route's limits (max_inflight, queue) and of every
// upstream's circuit_breaker (max_requests, max_pending). SO_REUSEPORT spreads
// connections evenly, so the shares add up to the total under load; a worker
// never waits on another (no shared counter on the hot path).
//
// An upstream's max_connections is a connection-pool size and stays per worker.

#include "config/config.hpp"

namespace canopy::config {

// server.workers; 0: one per CPU this process may run on (as taskset or a cpuset allows).
unsigned effective_workers(const ServerConfig& server) noexcept;

Config worker_share(const Config& config, unsigned workers);

}  // namespace canopy::config
