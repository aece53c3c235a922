#pragma once
// The server's task tree and its end:
//
//   server nursery ─┬─ accept_connections ── connection … (one task each)
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

#include "gateway/server/gateway.hpp"

namespace canopy::gateway {

boost::asio::awaitable<void> run_gateway(Gateway& gateway, boost::asio::ip::tcp::acceptor& acceptor,
                                        boost::asio::signal_set& signals);

}  // namespace canopy::gateway
