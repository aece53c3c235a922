#include "gateway/server/lifecycle.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/nursery.hpp"
#include "core/task_tree.hpp"
#include "gateway/admin/admin_server.hpp"
#include "gateway/log/access_log.hpp"
#include "gateway/log/json_log.hpp"
#include "gateway/server/listener.hpp"
#include "gateway/upstream/health_check.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::awaitable;

namespace {

constexpr auto as_values = asio::as_tuple(asio::use_awaitable);
// At most this long between a request's end and its access line on stdout.
constexpr auto access_log_flush_interval = std::chrono::milliseconds(50);
// How long requests cut at drain_timeout have to write their 503.
constexpr auto cut_answer_grace = std::chrono::milliseconds(500);

awaitable<void> watch_reload(Server& server, asio::signal_set& signals, core::Nursery& tree) {
  for (;;) {
    auto [ec, signal] = co_await signals.async_wait(as_values);
    if (ec) co_return;
    if (server.draining()) continue;
    if (auto* listener = server.reload().new_listener) {
      tree.start_soon("accept_connections", accept_connections(server, *listener, tree));
    }
  }
}

// The active health checks of the running snapshot; a reload stops them and
// starts the new snapshot's (which inherits what they had found).
awaitable<void> run_health_checks(Server& server) {
  for (;;) {
    const std::shared_ptr<Gateway> snapshot = server.gateway();
    co_await core::open_nursery(
        [&](core::Nursery& checks) -> awaitable<void> {
          for (const auto& [name, cluster] : snapshot->clusters()) start_health_checks(*cluster, checks);
          co_await server.until_replaced(*snapshot);
          checks.cancel_scope().cancel();
        },
        {.name = "health_checks"});
  }
}

// Returns when no request is in flight any more, or at `until`.
awaitable<void> until_no_requests(Server& server, core::Clock::time_point until) {
  asio::steady_timer tick(co_await asio::this_coro::executor);
  while (server.in_flight() > 0 && core::Clock::now() < until) {
    tick.expires_after(std::chrono::milliseconds(5));
    co_await tick.async_wait(asio::use_awaitable);
  }
}

awaitable<void> watch_signals(Server& server, asio::signal_set& signals, core::Nursery& tree) {
  auto [ec, signal] = co_await signals.async_wait(as_values);
  if (ec) co_return;
  const auto started = core::Clock::now();
  bool second_signal = false;
  const std::uint64_t finished_before = server.requests_finished_total();
  log_event("info", "draining", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"},
                                 {"in_flight", server.in_flight()}});
  server.start_draining();
  server.close_listeners();
  // Wait for in-flight requests, up to drain_timeout; a second signal ends the wait.
  co_await core::open_nursery(
      [&](core::Nursery& drain) -> awaitable<void> {
        drain.start_soon("second_signal", [&]() -> awaitable<void> {
          auto [again_ec, again] = co_await signals.async_wait(as_values);
          if (!again_ec) {
            second_signal = true;
            log_event("warn", "second_signal", {{"in_flight", server.in_flight()}});
            drain.cancel_scope().cancel(core::CancelReason::shutdown);
          }
        });
        co_await until_no_requests(server, started + server.gateway()->config().server.drain_timeout);
        drain.cancel_scope().cancel();  // drained: stop listening for a second signal
      },
      {.name = "drain"});
  const std::size_t cut = server.in_flight();
  const std::uint64_t finished = server.requests_finished_total() - finished_before;
  if (cut > 0 && !second_signal) {
    // Requests still running at drain_timeout are cancelled in their own scopes,
    // so that each can still tell its client (503) before the connections go.
    server.cut_requests();
    co_await until_no_requests(server, core::Clock::now() + cut_answer_grace);
  }
  const double drain_seconds = std::chrono::duration<double>(core::Clock::now() - started).count();
  server.lifecycle().drain_seconds.Set(drain_seconds);
  server.lifecycle().drain_requests_cut.Set(static_cast<double>(cut));
  server.lifecycle().drain_requests_finished.Set(static_cast<double>(finished));
  log_event("info", "drained", {{"requests_finished", finished}, {"requests_cut", cut}, {"drain_seconds", drain_seconds}});
  tree.cancel_scope().cancel(core::CancelReason::shutdown);
}

}  // namespace

awaitable<void> run_gateway(Server& server, asio::ip::tcp::acceptor* admin, Signals signals) {
  co_await core::open_nursery(
      [&](core::Nursery& tree) -> awaitable<void> {
        tree.start_soon("accept_connections", accept_connections(server, server.listener(), tree));
        if (admin) tree.start_soon("serve_admin", serve_admin(server, *admin, tree));
        tree.start_soon("health_checks", run_health_checks(server));
        tree.start_soon("flush_access_log", flush_access_log_every(access_log_flush_interval));
        tree.start_soon("watch_reload", watch_reload(server, signals.reload, tree));
        tree.start_soon("watch_signals", watch_signals(server, signals.stop, tree));
        co_return;
      },
      {.name = "server"});
  flush_access_log_to_the_end();
  const auto tree = core::TaskTree::this_thread().stats();
  log_event("info", "stopped", {{"live_tasks", tree.live_tasks}, {"orphaned_tasks", tree.orphaned_total}});
}

}  // namespace canopy::gateway
