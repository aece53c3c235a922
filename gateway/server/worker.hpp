#pragma once
// A worker: one thread running its own io_context, with its own Server (its
// SO_REUSEPORT listener, snapshots, upstream pools, limits' share) and its own
// task tree. A request's whole task tree lives on one worker, so nothing on the
// hot path is shared between threads but metric atomics.
//
// The control thread (signals, reloads, the admin listener) and the other
// workers reach a worker only through its Inbox — call(), request_stop(),
// health changes — which runs what they ask on the worker's thread. The
// worker's io_context takes no locks at all.
//
// Lifetime: construct (binds), start(), then — after on_stopped has been called
// and nothing will call() it any more — finish() joins the thread. Until
// finish(), the thread keeps running even with an empty tree, so that a late
// call() is still answered.

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/executor.hpp"
#include "core/nursery.hpp"
#include "core/task_tree.hpp"
#include "gateway/server/inbox.hpp"
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
    using Value = std::conditional_t<std::is_void_v<Result>, std::monostate, Result>;
    auto answer = co_await boost::asio::async_initiate<decltype(core::use_awaitable),
                                                       void(std::exception_ptr, std::optional<Value>)>(
        [this, &fn](auto handler) {
          inbox_.put([this, fn = std::move(fn), handler = std::move(handler)]() mutable {
            std::exception_ptr error;
            std::optional<Value> value;
            try {
              if constexpr (std::is_void_v<Result>) {
                fn(*server_, tree_);
                value.emplace();
              } else {
                value.emplace(fn(*server_, tree_));
              }
            } catch (...) {
              error = std::current_exception();
            }
            const auto caller = boost::asio::get_associated_executor(handler);
            boost::asio::post(caller, [handler = std::move(handler), error, value = std::move(value)]() mutable {
              std::move(handler)(error, std::move(value));
            });
          });
        },
        core::use_awaitable);
    if constexpr (!std::is_void_v<Result>) co_return std::move(*answer);
  }

  // Lets the thread end and joins it.
  void finish();

 private:
  core::Awaitable<void> serve(std::function<void(const WorkerStopped&)> on_stopped);

  std::size_t index_;
  // Touched by the worker's thread only (others go through inbox_): no locks.
  boost::asio::io_context io_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE};
  Inbox inbox_{io_.get_executor()};  // open from start() to finish(): keeps run() running
  std::unique_ptr<Server> server_;
  core::Nursery* tree_ = nullptr;  // the worker's root nursery while it runs
  std::thread thread_;
};

}  // namespace canopy::gateway
