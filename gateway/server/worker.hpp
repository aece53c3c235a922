#pragma once
// A worker: one thread running its own io_context, with its own Server (its
// SO_REUSEPORT listener, snapshots, upstream pools, limits' share) and its own
// task tree. A request's whole task tree lives on one worker, so nothing on the
// hot path is shared between threads but metric atomics.
//
// The control thread (signals, reloads, the admin listener) reaches a worker
// only through call() and request_stop(), which run on the worker's thread.
//
// Lifetime: construct (binds), start(), then — after on_stopped has been called
// and nothing will call() it any more — finish() joins the thread. Until
// finish(), the thread keeps running even with an empty tree, so that a late
// call() is still answered.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "core/task_tree.hpp"
#include "gateway/server/server.hpp"

namespace canopy::gateway {

// How a worker's tree ended.
struct WorkerStopped {
  bool crashed = false;  // an error escaped the tree (logged)
  std::uint64_t requests_finished = 0;
  std::size_t requests_cut = 0;
  core::TaskTreeStats tree;  // after the tree ended: live_tasks must be 0
};

class Worker {
 public:
  Worker(std::size_t index, std::shared_ptr<const config::Config> config, unsigned workers,
         const boost::asio::ip::tcp::endpoint& listen);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();

  std::size_t index() const noexcept { return index_; }
  // The address this worker listens on (before start(): the control thread reads it once).
  boost::asio::ip::tcp::endpoint local_endpoint() const { return server_->listener().local_endpoint(); }

  // Starts the thread. `on_stopped` runs on the worker's thread once its tree has ended.
  void start(std::function<void(const WorkerStopped&)> on_stopped);

  // Before start(): this worker runs the active health checks for `others` as
  // well, which run none and apply what it finds on their own threads.
  void check_health_for(const std::vector<Worker*>& others);

  // SIGTERM passed on: the first starts the drain, a second cuts it short.
  void request_stop();

  // Runs fn(server, tree) on the worker's thread (tree: null once the worker's
  // tree has ended) and resumes the caller on its own executor with the result,
  // or what fn threw. Not cancellable: fn must not wait.
  template <typename F>
  core::Awaitable<std::invoke_result_t<F&, Server&, core::Nursery*>> call(F fn) {
    using Result = std::invoke_result_t<F&, Server&, core::Nursery*>;
    co_return co_await boost::asio::co_spawn(
        io_.get_executor(),
        [this, fn = std::move(fn)]() mutable -> core::Awaitable<Result> { co_return fn(*server_, tree_); },
        boost::asio::bind_cancellation_slot(boost::asio::cancellation_slot(), core::use_awaitable));
  }

  // Lets the thread end and joins it.
  void finish();

 private:
  core::Awaitable<void> serve(std::function<void(const WorkerStopped&)> on_stopped);

  std::size_t index_;
  // One thread runs it, and every socket and timer of the worker is used on that
  // thread only (the control thread goes through call() and request_stop(),
  // which post): the reactor need not lock a socket's state per operation.
  // Posting from other threads stays safe (the scheduler still locks).
  boost::asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> keep_running_;
  std::unique_ptr<Server> server_;
  core::Nursery* tree_ = nullptr;  // the worker's root nursery while it runs
  std::thread thread_;
};

}  // namespace canopy::gateway
