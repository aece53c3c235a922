#pragma once
// aggregate: several upstream calls of one request, as tasks of one fan-out
// nursery under the request's scope, merged into one JSON answer.
//
//   policy all      the first failure cancels the siblings at once (sibling_failed) → 502
//   policy partial  at the deadline, answer with what finished (X-Canopy-Completed:
//                   false); a required backend that fails or is missing → 502 / 504
//   policy quorum   once `quorum` backends answered, the rest are cancelled
//
// A backend fails when it cannot be reached, answers a status outside 2xx, sends
// more than max_backend_body_bytes, or sends a body that is not JSON.

#include <boost/asio/awaitable.hpp>
#include <vector>

#include "config/config.hpp"
#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "gateway/proxy/proxy.hpp"
#include "gateway/server/exchange.hpp"
#include "gateway/upstream/cluster.hpp"

namespace canopy::gateway {

// Answers the client itself when it can; otherwise leaves the failure in `exchange`.
// `clusters` holds one cluster per backend, in order (Gateway::backend_clusters).
core::Awaitable<void> aggregate(Downstream& client, const std::vector<Cluster*>& clusters,
                                const config::RouteConfig& route, core::Nursery& request, Exchange& exchange);

}  // namespace canopy::gateway
