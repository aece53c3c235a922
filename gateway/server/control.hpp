#pragma once
// The control thread (main's): the process' signals, reloads and the admin
// listener. It serves no request; every request lives on a worker.
//
//   control nursery ─┬─ serve_admin ── admin connection … (with [admin] listen)
//                    ├─ watch_reload   SIGHUP: read the file once, prepare the
//                    │                 new snapshot on every worker, then commit
//                    │                 it on every worker (or on none)
//                    ├─ watch_signals  SIGTERM/SIGINT: every worker drains; a
//                    │                 second signal cuts every drain short
//                    └─ until_workers_stopped: logs how the drain went, then
//                                      ends the control tree
//
// run_control returns when every worker's tree and its own have ended.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/object.hpp>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <memory>
#include <vector>

#include "config/config.hpp"
#include "gateway/metrics/lifecycle_metrics.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/worker.hpp"

namespace canopy::gateway {

// The signals main listens for from its first instant, so that none of them
// takes its default action (SIGHUP's would end the process).
struct Signals {
  boost::asio::signal_set& stop;    // SIGTERM, SIGINT
  boost::asio::signal_set& reload;  // SIGHUP
};

class Control {
 public:
  Control(core::Executor executor, std::vector<std::unique_ptr<Worker>>& workers,
          std::shared_ptr<const config::Config> config, prometheus::Registry& registry, LifecycleMetrics& lifecycle);

  // The config new requests run on (the whole gateway's, not a worker's share).
  const config::Config& config() const noexcept { return *config_; }
  bool draining() const noexcept { return draining_; }
  std::size_t worker_count() const noexcept { return workers_.size(); }

  // Every worker's request and runtime metrics merged, the control thread's
  // tasks, the process' metrics and those of the process' registry.
  core::Awaitable<std::vector<prometheus::MetricFamily>> collect_metrics();
  // The live task trees: the control thread's, then one node per worker.
  core::Awaitable<boost::json::object> task_trees();

  // Reads the config file again. A valid file becomes every worker's snapshot
  // for new requests; a bad one (or one a worker cannot build or bind) is
  // logged with its error and changes nothing. Counted either way.
  core::Awaitable<void> reload();

  // Starts the drain on every worker (again: cuts it short).
  core::Awaitable<void> stop(int signal);

  // Starts every worker; returns once every one has stopped; logs how the drain went.
  core::Awaitable<void> run_workers();

  // Whether a worker crashed; the tree counts summed over the workers' ended trees.
  bool crashed() const noexcept { return crashed_; }
  const core::TaskTreeStats& workers_tree() const noexcept { return workers_tree_; }

 private:
  void worker_stopped(const WorkerStopped& stopped);

  core::Executor executor_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  std::shared_ptr<const config::Config> config_;
  prometheus::Registry& registry_;
  LifecycleMetrics& lifecycle_;
  bool draining_ = false;
  unsigned stop_signals_ = 0;
  core::Clock::time_point drain_started_{};
  std::size_t workers_stopped_ = 0;
  core::SteadyTimer worker_stopped_;  // never expires; a stopped worker cancels its waits
  bool crashed_ = false;
  std::uint64_t requests_finished_ = 0;
  std::size_t requests_cut_ = 0;
  core::TaskTreeStats workers_tree_;
};

// Serves until every worker has stopped; `admin` may be null (no [admin] listen).
core::Awaitable<void> run_control(Control& control, TcpAcceptor* admin, Signals signals);

}  // namespace canopy::gateway
