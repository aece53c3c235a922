#pragma once
// The admin listener ([admin] listen), for operators and Prometheus, apart from
// client traffic:
//
//   GET /metrics      Prometheus text format: request metrics and the runtime's
//   GET /healthz      200 while the process serves at all
//   GET /readyz       200, or 503 once draining (take it out of the load balancer)
//   GET /debug/tasks  the live task tree as JSON
//   GET /config       the running config: file, hash, load time
//
// It stays open while the gateway drains, so that /readyz and /metrics tell how
// the drain goes; the server scope's shutdown closes it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/nursery.hpp"
#include "gateway/server/server.hpp"

namespace canopy::gateway {

boost::asio::awaitable<void> serve_admin(Server& server, boost::asio::ip::tcp::acceptor& acceptor,
                                         core::Nursery& tree);

// The /metrics body: everything in the server's registry and the runtime's metrics.
std::string metrics_text(const Server& server);

}  // namespace canopy::gateway
