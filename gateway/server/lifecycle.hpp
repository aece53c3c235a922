#pragma once
// The server's task tree and its end:
//
//   server nursery ─┬─ accept_connections ── connection … (one task each)
//                   ├─ serve_admin ── admin connection … (with [admin] listen)
//                   └─ watch_signals
//
// SIGTERM or SIGINT: stop accepting, let in-flight requests finish for up to
// server.drain_timeout (idle keep-alive connections close at once; a second
// signal cuts the drain short), then cancel the server scope with reason
// `shutdown`. run_gateway returns only when the tree is empty, and logs how the
// drain went. `signals` belongs to main, so that it catches signals for the
// whole life of the process.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>

#include <prometheus/registry.h>

#include "gateway/metrics/lifecycle_metrics.hpp"
#include "gateway/server/gateway.hpp"

namespace canopy::gateway {

// `admin` may be null (no [admin] listen).
boost::asio::awaitable<void> run_gateway(Gateway& gateway, const prometheus::Registry& registry,
                                        LifecycleMetrics& lifecycle, boost::asio::ip::tcp::acceptor& acceptor,
                                        boost::asio::ip::tcp::acceptor* admin, boost::asio::signal_set& signals);

}  // namespace canopy::gateway
