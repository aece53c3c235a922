// canopy: the gateway's entry point. Parses the command line, loads the TOML
// configuration, binds the listener and runs the server until it is drained.
//
// Exit codes: 0 clean stop (or --check passed), 1 bad configuration or startup
// failure, 2 bad command line.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <prometheus/registry.h>
#include <string>
#include <vector>

#include "config/load.hpp"
#include "config/worker_share.hpp"
#include "core/cancelled.hpp"
#include "core/error_group.hpp"
#include "core/task_tree.hpp"
#include "gateway/log/json_log.hpp"
#include "gateway/metrics/lifecycle_metrics.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/control.hpp"

namespace asio = boost::asio;
using namespace canopy;

namespace {

constexpr const char* usage = R"(usage: canopy --config FILE     run the gateway
       canopy --check FILE      validate FILE and exit (0: valid, 1: not)
       canopy --help | --version

Canopy is an HTTP API gateway in which every request is a tree of tasks:
when the client leaves, the deadline passes or the gateway stops, every
upstream call of the request is cancelled and its connection closed.
Logs are JSON lines: access lines on stdout, events on stderr.
Signals: SIGTERM or SIGINT drain (server.drain_timeout) and stop; SIGHUP
reloads the config file (a bad file is reported and the running config kept).
)";

void listen_on(gateway::TcpAcceptor& acceptor, const config::Address& address) {
  const auto endpoint = gateway::endpoint_of(address);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(asio::socket_base::max_listen_connections);
}

std::string address_of(const asio::ip::tcp::endpoint& bound) {
  return bound.address().to_string() + ":" + std::to_string(bound.port());
}

int run(const std::shared_ptr<const config::Config>& config) {
  asio::io_context control_io{1};  // main's thread: signals, reloads, the admin listener
  // Before anything can take time: no window for a signal's default action.
  asio::signal_set stop_signals(control_io, SIGINT, SIGTERM);
  asio::signal_set reload_signals(control_io, SIGHUP);
  prometheus::Registry registry;  // the process' own metrics (reloads, drains); each worker has its own
  gateway::LifecycleMetrics lifecycle(registry);
  const unsigned worker_count = config::effective_workers(config->server);
  std::vector<std::unique_ptr<gateway::Worker>> workers;
  std::optional<gateway::TcpAcceptor> admin;
  try {
    auto listen = gateway::endpoint_of(config->server.listen);
    gateway::check_address_free(listen, config->server.listen);
    for (unsigned i = 0; i < worker_count; ++i) {
      workers.push_back(std::make_unique<gateway::Worker>(i, config, worker_count, listen));
      listen = workers.front()->local_endpoint();  // port 0: the others listen where the first got
    }
    std::vector<gateway::Worker*> others;
    for (std::size_t i = 1; i < workers.size(); ++i) others.push_back(workers[i].get());
    workers.front()->check_health_for(others);
    if (config->admin.listen) listen_on(admin.emplace(control_io), *config->admin.listen);
  } catch (const std::exception& e) {
    gateway::log_event("error", "startup_failed", {{"error", e.what()}, {"config", config->source}});
    return 1;
  }
  boost::json::object listening{{"address", address_of(workers.front()->local_endpoint())},
                                {"workers", worker_count},
                                {"config", config->source},
                                {"config_hash", config->hash},
                                {"routes", config->routes.size()},
                                {"upstreams", config->upstreams.size()},
                                {"version", CANOPY_VERSION}};
  if (admin) listening["admin_address"] = address_of(admin->local_endpoint());
  gateway::log_event("info", "listening", std::move(listening));

  gateway::Control control(control_io.get_executor(), workers, config, registry, lifecycle);
  int status = 0;
  // The control tree's root; each worker's tree has its own on its thread.
  asio::co_spawn(control_io,
                 gateway::run_control(control, admin ? &*admin : nullptr, {stop_signals, reload_signals}),
                 [&](std::exception_ptr error) {
    if (error && !core::is_cancellation(error)) {
      gateway::log_event("error", "crashed", {{"error", core::describe(error)}});
      status = 1;
    }
  });
  control_io.run();
  // Normally every worker has stopped by now; if the control tree failed, cut them short.
  for (auto& worker : workers) {
    worker->request_stop();
    worker->request_stop();
  }
  for (auto& worker : workers) worker->finish();
  if (control.crashed()) status = 1;
  auto tree = control.workers_tree();
  const auto own = core::TaskTree::this_thread().stats();
  gateway::log_event("info", "stopped", {{"live_tasks", tree.live_tasks + own.live_tasks},
                                         {"orphaned_tasks", tree.orphaned_total + own.orphaned_total},
                                         {"workers", worker_count}});
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 0;
    }
    if (arg == "--version") {
      std::cout << "canopy " << CANOPY_VERSION << "\n";
      return 0;
    }
    if ((arg == "--config" || arg == "--check") && i + 1 < argc) {
      check_only = arg == "--check";
      config_path = argv[++i];
      continue;
    }
    std::cerr << "canopy: unexpected argument \"" << arg << "\"\n\n" << usage;
    return 2;
  }
  if (config_path.empty()) {
    std::cerr << "canopy: give a configuration with --config FILE\n\n" << usage;
    return 2;
  }

  std::shared_ptr<const config::Config> config;
  try {
    config = std::make_shared<const config::Config>(config::load_config_file(config_path));
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  if (check_only) {
    std::cout << config_path << ": ok (" << config->routes.size() << " routes, " << config->upstreams.size()
              << " upstreams)\n";
    return 0;
  }
  return run(config);
}
