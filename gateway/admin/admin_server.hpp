#pragma once
// The admin listener ([admin] listen), for operators and Prometheus, apart from
// client traffic:
//
//   GET /metrics      Prometheus text format: request metrics and the runtime's
//   GET /healthz      200 while the process serves at all
//   GET /readyz       200, or 503 once draining (take it out of the load balancer)
//   GET /debug/tasks  the live task trees as JSON: the control thread's, then one
//                     node per worker
//   GET /config       the running config: file, hash, load time
//
// It runs on the control thread and asks each worker for its part on the
// worker's own thread. It stays open while the gateway drains, so that /readyz
// and /metrics tell how the drain goes; the control scope's shutdown closes it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/nursery.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/control.hpp"

namespace canopy::gateway {

core::Awaitable<void> serve_admin(Control& control, TcpAcceptor& acceptor,
                                  core::Nursery& tree);

}  // namespace canopy::gateway
