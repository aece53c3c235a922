#pragma once
// Active health checks of one upstream: one task per endpoint that probes it,
// sleeps `interval`, and probes again until it is cancelled (the snapshot was
// replaced by a reload, or the gateway stops).
//
// A probe opens a connection of its own — a check must not take a pool slot
// from requests, and a pooled connection would hide a listener that is gone —
// sends `GET path` with `Connection: close`, and passes on a status 200..399
// whose head arrives within `timeout`. The endpoint's state flips after
// `unhealthy_threshold` failures or `healthy_threshold` passes in a row, with
// one log line per change (endpoint_unhealthy / endpoint_healthy).

#include "core/nursery.hpp"
#include "gateway/upstream/cluster.hpp"

namespace canopy::gateway {

// Starts a check task per endpoint in `checks`; nothing for an upstream without health_check.
void start_health_checks(Cluster& cluster, core::Nursery& checks);

// What a reloaded snapshot knows from the one it replaces: the active health of
// endpoints (same upstream, same address) that are still checked.
void inherit_active_health(Cluster& next, const Cluster& previous);

}  // namespace canopy::gateway
