#include "gateway/server/lifecycle.hpp"

#include <boost/asio/as_tuple.hpp>

#include "gateway/log/access_log.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/listener.hpp"
#include "gateway/server/worker.hpp"
#include "gateway/upstream/health_check.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;

namespace {

// At most this long between a request's end and its access line on stdout.
constexpr auto access_log_flush_interval = std::chrono::milliseconds(50);
// How often idle upstream connections are checked: a descriptor in CLOSE_WAIT
// lives at most this long after the upstream closed its side.
constexpr auto idle_connection_sweep_interval = std::chrono::seconds(1);
// How long requests cut at drain_timeout have to write their 503.
constexpr auto cut_answer_grace = std::chrono::milliseconds(500);

// The active health checks of the running snapshot; a reload stops them and
// starts the new snapshot's (which inherits what they had found).
core::Awaitable<void> run_health_checks(Server& server) {
  for (;;) {
    const std::shared_ptr<Gateway> snapshot = server.gateway();
    co_await core::open_nursery(
        [&](core::Nursery& checks) -> core::Awaitable<void> {
          for (const auto& [name, cluster] : snapshot->clusters()) {
            start_health_checks(*cluster, checks, server.publish_health());
          }
          co_await server.until_replaced(*snapshot);
          checks.cancel_scope().cancel();
        },
        {.name = "health_checks"});
  }
}

// Idle upstream connections no checkout reaches (it takes the newest first) are
// closed here once the upstream has closed them or idle_timeout has passed.
core::Awaitable<void> close_idle_upstream_connections(Server& server) {
  core::SteadyTimer tick(co_await asio::this_coro::executor);
  for (;;) {
    tick.expires_after(idle_connection_sweep_interval);
    auto [ec] = co_await tick.async_wait(asio::as_tuple(core::use_awaitable));
    if (ec) co_return;  // the worker is stopping
    const auto now = core::Clock::now();
    for (const auto& [name, cluster] : server.gateway()->clusters()) {
      for (std::size_t i = 0; i < cluster->size(); ++i) cluster->endpoint(i).close_idle(now);
    }
  }
}

// Returns when no request is in flight any more, or at `until`.
core::Awaitable<void> until_no_requests(Server& server, core::Clock::time_point until) {
  core::SteadyTimer tick(co_await asio::this_coro::executor);
  while (server.in_flight() > 0 && core::Clock::now() < until) {
    tick.expires_after(std::chrono::milliseconds(5));
    co_await tick.async_wait(core::use_awaitable);
  }
}

core::Awaitable<void> drain_on_stop(Server& server, core::Nursery& tree, WorkerStopped& stopped) {
  co_await server.until_stop_requested(1);
  const auto started = core::Clock::now();
  const std::uint64_t finished_before = server.requests_finished_total();
  server.start_draining();
  server.close_listeners();
  // Wait for in-flight requests, up to drain_timeout; a second stop ends the wait.
  co_await core::open_nursery(
      [&](core::Nursery& drain) -> core::Awaitable<void> {
        drain.start_soon("second_stop", [&]() -> core::Awaitable<void> {
          co_await server.until_stop_requested(2);
          drain.cancel_scope().cancel(core::CancelReason::shutdown);
        });
        co_await until_no_requests(server, started + server.gateway()->config().server.drain_timeout);
        drain.cancel_scope().cancel();  // drained: stop waiting for a second stop
      },
      {.name = "drain"});
  stopped.requests_cut = server.in_flight();
  stopped.requests_finished = server.requests_finished_total() - finished_before;
  if (stopped.requests_cut > 0 && server.stop_requests() < 2) {
    // Requests still running at drain_timeout are cancelled in their own scopes,
    // so that each can still tell its client (503) before the connections go.
    server.cut_requests();
    co_await until_no_requests(server, core::Clock::now() + cut_answer_grace);
  }
  tree.cancel_scope().cancel(core::CancelReason::shutdown);
}

}  // namespace

void start_accepting(Server& server, TcpAcceptor& listener, core::Nursery& tree) {
  tree.start_soon("accept_connections", accept_connections(server, listener, tree));
}

core::Awaitable<void> run_worker(Server& server, core::Nursery*& tree_out, WorkerStopped& stopped) {
  co_await core::open_nursery(
      [&](core::Nursery& tree) -> core::Awaitable<void> {
        tree_out = &tree;
        start_accepting(server, server.listener(), tree);
        if (server.runs_health_checks()) tree.start_soon("health_checks", run_health_checks(server));
        tree.start_soon("close_idle_upstream_connections", close_idle_upstream_connections(server));
        tree.start_soon("flush_access_log", flush_access_log_every(access_log_flush_interval));
        tree.start_soon("drain_on_stop", drain_on_stop(server, tree, stopped));
        co_return;
      },
      {.name = "worker"});
  tree_out = nullptr;
}

}  // namespace canopy::gateway
