#pragma once
// The server's task tree and its end:
//
//   server nursery ─┬─ accept_connections ── connection … (one task each)
//                   ├─ serve_admin ── admin connection … (with [admin] listen)
//                   ├─ health_checks ── health_check … (one per checked endpoint)
//                   ├─ flush_access_log (every 50 ms)
//                   ├─ watch_reload (SIGHUP: Server::reload; a new listen address
//                   │                gets its own accept_connections)
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

#include "gateway/server/server.hpp"

namespace canopy::gateway {

// The signals main listens for from its first instant, so that none of them
// takes its default action (SIGHUP's would end the process).
struct Signals {
  boost::asio::signal_set& stop;    // SIGTERM, SIGINT
  boost::asio::signal_set& reload;  // SIGHUP
};

// Serves on server.listener(); `admin` may be null (no [admin] listen).
boost::asio::awaitable<void> run_gateway(Server& server, boost::asio::ip::tcp::acceptor* admin, Signals signals);

}  // namespace canopy::gateway
