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
//
// With several workers, one runs the checks and passes every change to the
// others (apply_health_change on their own threads): one probe per interval and
// endpoint, and one log line per change, whatever the number of workers.

#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

#include "core/nursery.hpp"
#include "gateway/upstream/cluster.hpp"

namespace canopy::gateway {

// An endpoint's checks changed its state.
struct HealthChange {
  std::string upstream;
  boost::asio::ip::tcp::endpoint endpoint;
  bool healthy = true;
};
using HealthPublisher = std::function<void(const HealthChange&)>;

// Starts a check task per endpoint in `checks`; nothing for an upstream without
// health_check. Every change of state is also given to `publish` (it must
// outlive the tasks).
void start_health_checks(Cluster& cluster, core::Nursery& checks, const HealthPublisher& publish);

// A change another worker's checks found, applied to this cluster's endpoint at that address.
void apply_health_change(Cluster& cluster, const HealthChange& change);

// What a reloaded snapshot knows from the one it replaces: the active health of
// endpoints (same upstream, same address) that are still checked.
void inherit_active_health(Cluster& next, const Cluster& previous);

}  // namespace canopy::gateway
