#include "gateway/server/worker.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <pthread.h>
#include <string>

#include "core/cancelled.hpp"
#include "core/error_group.hpp"
#include "core/executor.hpp"
#include "gateway/log/access_log.hpp"
#include "gateway/log/json_log.hpp"
#include "gateway/server/lifecycle.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;

Worker::Worker(std::size_t index, std::shared_ptr<const config::Config> config, unsigned workers,
               const asio::ip::tcp::endpoint& listen)
    : index_(index), server_(std::make_unique<Server>(io_.get_executor(), std::move(config), workers, listen)) {}

Worker::~Worker() {
  if (thread_.joinable()) {
    inbox_.put([this] { io_.stop(); });
    thread_.join();
  }
}

void Worker::start(std::function<void(const WorkerStopped&)> on_stopped) {
  thread_ = std::thread([this, on_stopped = std::move(on_stopped)]() mutable {
    // "canopy-w0", "canopy-w1", …: what top -H, perf and /proc show for the worker's thread.
    const std::string name = "canopy-w" + std::to_string(index_);
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    inbox_.open();
    // The root of this worker's task tree; serve() catches whatever ends it.
    asio::co_spawn(io_, serve(std::move(on_stopped)), asio::detached);
    io_.run();
  });
}

core::Awaitable<void> Worker::serve(std::function<void(const WorkerStopped&)> on_stopped) {
  WorkerStopped stopped;
  try {
    co_await run_worker(*server_, tree_, stopped);
  } catch (...) {
    const auto error = std::current_exception();
    if (!core::is_cancellation(error)) {
      log_event("error", "crashed", {{"worker", index_}, {"error", core::describe(error)}});
      stopped.crashed = true;
    }
  }
  tree_ = nullptr;
  flush_access_log_to_the_end();
  stopped.tree = core::TaskTree::this_thread().stats();
  on_stopped(stopped);
}

void Worker::check_health_for(const std::vector<Worker*>& others) {
  for (auto* other : others) other->server_->leave_health_checks_to_another_worker();
  // Runs on this worker's thread; each change is applied on the other's. The
  // others outlive this worker's checks: finish() comes after every tree ended.
  server_->publish_health_to([others](const HealthChange& change) {
    for (auto* other : others) {
      other->inbox_.put([other, change] { other->server_->apply_health_change(change); });
    }
  });
}

void Worker::request_stop() {
  inbox_.put([this] { server_->request_stop(); });
}

void Worker::finish() {
  inbox_.put([this] { inbox_.close(); });
  if (thread_.joinable()) thread_.join();
}

}  // namespace canopy::gateway
