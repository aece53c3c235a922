#pragma once
// A worker's task tree and its end:
//
//   worker nursery ─┬─ accept_connections ── connection … (one task each)
//                   ├─ health_checks ── health_check … (first worker only: one per checked endpoint)
//                   ├─ close_idle_upstream_connections (every second)
//                   ├─ flush_access_log (every 50 ms)
//                   └─ drain_on_stop
//
// The first stop request (SIGTERM or SIGINT, passed on by the control thread):
// stop accepting, let in-flight requests finish for up to server.drain_timeout
// (idle keep-alive connections close at once; a second stop request cuts the
// drain short), cut what still runs (each request's scope is cancelled with
// reason `shutdown`, and a client without an answer yet gets a 503), then cancel
// the worker's scope. run_worker returns only when the tree is empty.
//
// A reload's new listener gets its own accept_connections (Worker::call commits
// the reload on the worker's thread and starts it with start_accepting).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/nursery.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/server.hpp"

namespace canopy::gateway {

struct WorkerStopped;

// Serves on server.listener() until stopped; `tree` points at the worker's
// root nursery while it runs. Fills in the drain's counts.
core::Awaitable<void> run_worker(Server& server, core::Nursery*& tree, WorkerStopped& stopped);

void start_accepting(Server& server, TcpAcceptor& listener, core::Nursery& tree);

}  // namespace canopy::gateway
