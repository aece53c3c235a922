#include "gateway/server/control.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/array.hpp>

#include "config/load.hpp"
#include "core/nursery.hpp"
#include "gateway/admin/admin_server.hpp"
#include "gateway/admin/debug_tasks.hpp"
#include "gateway/log/json_log.hpp"
#include "gateway/metrics/merged_metrics.hpp"
#include "gateway/metrics/runtime_metrics.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/lifecycle.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto as_values = asio::as_tuple(core::use_awaitable);

void add_tree(core::TaskTreeStats& sum, const core::TaskTreeStats& tree) {
  sum.live_tasks += tree.live_tasks;
  sum.live_nurseries += tree.live_nurseries;
  sum.started_total += tree.started_total;
  sum.finished_total += tree.finished_total;
  sum.orphaned_total += tree.orphaned_total;
  for (std::size_t i = 0; i < sum.cancellations_total.size(); ++i) sum.cancellations_total[i] += tree.cancellations_total[i];
}

}  // namespace

Control::Control(core::Executor executor, std::vector<std::unique_ptr<Worker>>& workers,
                 std::shared_ptr<const config::Config> config, prometheus::Registry& registry, LifecycleMetrics& lifecycle)
    : executor_(executor),
      workers_(workers),
      config_(std::move(config)),
      registry_(registry),
      lifecycle_(lifecycle),
      worker_stopped_(executor, core::Clock::time_point::max()) {}

core::Awaitable<std::vector<prometheus::MetricFamily>> Control::collect_metrics() {
  std::vector<std::vector<prometheus::MetricFamily>> parts;
  parts.reserve(workers_.size() + 1);
  for (auto& worker : workers_) {
    parts.push_back(co_await worker->call([](Server& server, core::Nursery*) {
      auto families = server.metrics().Collect();
      auto runtime = collect_worker_metrics(server);
      families.insert(families.end(), std::make_move_iterator(runtime.begin()), std::make_move_iterator(runtime.end()));
      return families;
    }));
  }
  parts.push_back(collect_task_metrics());  // the control thread's own tasks (admin connections, …)
  auto families = registry_.Collect();
  auto merged = merge_worker_metrics(parts);
  auto process = collect_process_metrics(*config_, draining_, workers_.size());
  families.insert(families.end(), std::make_move_iterator(merged.begin()), std::make_move_iterator(merged.end()));
  families.insert(families.end(), std::make_move_iterator(process.begin()), std::make_move_iterator(process.end()));
  co_return families;
}

core::Awaitable<boost::json::object> Control::task_trees() {
  auto control = task_tree_json(core::TaskTree::this_thread().snapshot());
  auto& tasks = control.at("tasks").as_array();
  auto live = control.at("live").as_uint64();
  for (auto& worker : workers_) {
    auto tree = task_tree_json(co_await worker->call([](Server&, core::Nursery*) { return core::TaskTree::this_thread().snapshot(); }));
    live += tree.at("live").as_uint64();
    tasks.push_back(boost::json::object{{"name", "worker " + std::to_string(worker->index())},
                                        {"kind", "worker"},
                                        {"children", std::move(tree.at("tasks"))}});
  }
  control["live"] = live;
  co_return control;
}

core::Awaitable<void> Control::reload() {
  const auto running = config_;
  std::string error;
  std::shared_ptr<const config::Config> next;
  try {
    next = std::make_shared<const config::Config>(config::load_config_file(running->source));
  } catch (const std::exception& e) {  // ConfigError: file:line:col: …
    error = e.what();
  }
  // Every worker prepares the new snapshot; only if all could, all switch to it.
  std::vector<Server::Prepared> prepared(workers_.size());
  std::size_t ready = 0;
  if (next) {
    std::optional<tcp::endpoint> listen;
    try {
      if (next->server.listen != running->server.listen) {
        listen = endpoint_of(next->server.listen);
        check_address_free(*listen, next->server.listen);
      }
      for (; ready < workers_.size(); ++ready) {
        prepared[ready] = co_await workers_[ready]->call(
            [&](Server& server, core::Nursery*) { return server.prepare(next, listen); });
        if (ready == 0 && listen) listen = prepared[0].listener->local_endpoint();  // port 0: the port it got
      }
    } catch (const std::exception& e) {  // an upstream that does not resolve, a taken address
      error = e.what();
    }
  }
  if (!error.empty()) {
    for (std::size_t i = 0; i < ready; ++i) {  // dropped on the thread that made them
      co_await workers_[i]->call([&, i](Server&, core::Nursery*) { prepared[i] = {}; });
    }
    lifecycle_.reloads_failed.Increment();  // counted before it is told: a scrape after the line sees it
    log_event("error", "reload_failed", {{"error", error}, {"config", running->source}, {"running_hash", running->hash}});
    co_return;
  }
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    co_await workers_[i]->call([&, i](Server& server, core::Nursery* tree) {
      auto* listener = server.commit(std::move(prepared[i]));
      if (listener && tree) start_accepting(server, *listener, *tree);
    });
  }
  config_ = next;
  if (next->server.workers != running->server.workers) {
    log_event("warn", "restart_needed", {{"setting", "server.workers"}, {"running", workers_.size()}});
  }
  lifecycle_.reloads_succeeded.Increment();
  log_event("info", "config_reloaded",
            {{"config", next->source}, {"hash", next->hash}, {"previous_hash", running->hash},
             {"routes", next->routes.size()}, {"upstreams", next->upstreams.size()},
             {"listen", config::to_string(next->server.listen)}});
  if (next->server.listen != running->server.listen) {
    for (auto& worker : workers_) {
      co_await worker->call([](Server& server, core::Nursery*) { server.retire_previous_listener(); });
    }
  }
}

core::Awaitable<void> Control::stop(int signal) {
  std::size_t in_flight = 0;
  for (auto& worker : workers_) in_flight += co_await worker->call([](Server& server, core::Nursery*) { return server.in_flight(); });
  if (++stop_signals_ == 1) {
    draining_ = true;
    drain_started_ = core::Clock::now();
    log_event("info", "draining", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}, {"in_flight", in_flight}});
  } else {
    log_event("warn", "second_signal", {{"in_flight", in_flight}});
  }
  for (auto& worker : workers_) worker->request_stop();
}

core::Awaitable<void> Control::run_workers() {
  for (auto& worker : workers_) {
    worker->start([this](const WorkerStopped& stopped) {
      asio::post(executor_, [this, stopped] { worker_stopped(stopped); });
    });
  }
  while (workers_stopped_ < workers_.size()) co_await worker_stopped_.async_wait(as_values);
  if (!draining_) co_return;
  const double drain_seconds = std::chrono::duration<double>(core::Clock::now() - drain_started_).count();
  lifecycle_.drain_seconds.Set(drain_seconds);
  lifecycle_.drain_requests_cut.Set(static_cast<double>(requests_cut_));
  lifecycle_.drain_requests_finished.Set(static_cast<double>(requests_finished_));
  log_event("info", "drained",
            {{"requests_finished", requests_finished_}, {"requests_cut", requests_cut_}, {"drain_seconds", drain_seconds}});
}

void Control::worker_stopped(const WorkerStopped& stopped) {
  ++workers_stopped_;
  requests_finished_ += stopped.requests_finished;
  requests_cut_ += stopped.requests_cut;
  add_tree(workers_tree_, stopped.tree);
  worker_stopped_.cancel();
  if (stopped.crashed && !crashed_) {
    crashed_ = true;
    // One worker down takes the process down, orderly: the others drain.
    if (!draining_) {
      draining_ = true;
      drain_started_ = core::Clock::now();
      for (auto& worker : workers_) worker->request_stop();
    }
  }
}

namespace {

core::Awaitable<void> watch_reload(Control& control, asio::signal_set& signals) {
  for (;;) {
    auto [ec, signal] = co_await signals.async_wait(as_values);
    if (ec) co_return;
    if (!control.draining()) co_await control.reload();
  }
}

core::Awaitable<void> watch_signals(Control& control, asio::signal_set& signals) {
  for (;;) {
    auto [ec, signal] = co_await signals.async_wait(as_values);
    if (ec) co_return;
    co_await control.stop(signal);
  }
}

}  // namespace

core::Awaitable<void> run_control(Control& control, TcpAcceptor* admin, Signals signals) {
  co_await core::open_nursery(
      [&](core::Nursery& tree) -> core::Awaitable<void> {
        if (admin) tree.start_soon("serve_admin", serve_admin(control, *admin, tree));
        tree.start_soon("watch_reload", watch_reload(control, signals.reload));
        tree.start_soon("watch_signals", watch_signals(control, signals.stop));
        co_await control.run_workers();
        tree.cancel_scope().cancel(core::CancelReason::shutdown);
      },
      {.name = "control"});
}

}  // namespace canopy::gateway
