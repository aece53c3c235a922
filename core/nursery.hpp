#pragma once
// A nursery: a scope that tasks are started in, and that ends only when every
// one of them has ended. Trio's nursery, on Asio's C++20 coroutines.
//
//   auto result = co_await core::open_nursery([&](core::Nursery& n) -> Awaitable<void> {
//     n.start_soon("users", call(users));
//     n.start_soon("orders", call(orders));
//     co_return;
//   }, {.name = "request", .deadline = core::Clock::now() + 2s});
//
// Guarantees
// - The body and every started task run concurrently on the caller's executor;
//   open_nursery() returns only after all of them have ended, its deadline
//   unqueued. No API lets a task outlive its nursery.
// - The first task (or body) that throws cancels the scope (reason
//   sibling_failed); when all have ended its error is rethrown: alone as itself,
//   with the others as an ErrorGroup. Tasks that end by cancellation are not errors.
// - Cancelling the caller cancels the nursery's scope (same reason), and the
//   caller still waits for every task to end before Cancelled is thrown.
// - start_soon() queues the task: it first runs after the caller next suspends.
// - start_operation() makes one Asio operation a child, with the same
//   guarantees and without a coroutine.
// - open_nursery_in_task(self, body) runs the body in place, in the calling
//   task `self` (Trio's `async with`), instead of as a task of its own (a
//   coroutine thread, its cancellation state and its completion: ~2.9k
//   instructions of a proxied request). The same guarantees hold: cancelling
//   the scope cancels what the body awaits, and every later co_await of the
//   body throws, until the body ends; the calling task then awaits normally
//   again (for the children, and after). A task cancelled from outside while
//   the body runs ends the nursery as open_nursery() does (Cancelled(reason)
//   after every child has ended) and stays cancelled. Such nurseries nest in
//   one task: cancelling one cancels those opened in place inside it, with its
//   reason, as it cancels nested nurseries of any kind. No shield.
//
// Thread-safety: none; one executor's thread. Throws std::logic_error when a
// task is started in a nursery that has closed.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/this_coro.hpp>
#include <concepts>
#include <cstddef>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "core/cancel_scope.hpp"
#include "core/detail/child_task.hpp"
#include "core/detail/operation_done.hpp"
#include "core/detail/parking.hpp"
#include "core/executor.hpp"
#include "core/task_status.hpp"
#include "core/task_tree.hpp"
#include "core/this_task.hpp"

namespace canopy::core {

class Nursery;

// Trivially copyable on purpose: GCC 12 relocates a braced temporary passed to a
// coroutine bit by bit in some contexts (inside try blocks), which corrupts
// members such as std::string. The nursery copies the name when it opens.
struct ScopeOptions {
  std::string_view name = "nursery";
  std::optional<Clock::time_point> deadline;
  Shield shield = Shield::none();
  // The nursery this one is opened under, for the task tree only (/debug/tasks).
  const Nursery* parent = nullptr;
};

static_assert(std::is_trivially_copyable_v<ScopeOptions>);

enum class ScopeOutcome {
  completed,  // every task ended on its own
  cancelled,  // the scope cancelled itself (cancel(), its deadline); reason says which
};

struct ScopeResult {
  ScopeOutcome outcome = ScopeOutcome::completed;
  CancelReason reason = CancelReason::explicit_cancel;  // when outcome == cancelled
};

struct NurseryStats {
  std::size_t live_tasks = 0;
  std::uint64_t started_total = 0;
  std::uint64_t failed_total = 0;
  std::uint64_t cancelled_total = 0;  // tasks that ended by cancellation
};

// Opens a nursery, runs body(nursery) in it, and returns when everything started
// in it has ended. See Nursery for the guarantees.
template <typename Body>
Awaitable<ScopeResult> open_nursery(Body body, ScopeOptions options);

// The same, with the body run in place in `self`, the task calling it (see above).
template <typename Body>
Awaitable<ScopeResult> open_nursery_in_task(ThisTask self, Body body, ScopeOptions options);

// An overload, not a default argument: GCC 12 copies a coroutine parameter that
// comes from a default argument bit by bit, corrupting a std::string in it.
template <typename Body>
Awaitable<ScopeResult> open_nursery(Body body) {
  return open_nursery(std::move(body), ScopeOptions{});
}

template <typename F>
concept TaskFactory = std::invocable<F&> && std::same_as<std::invoke_result_t<F&>, Awaitable<void>>;

// A factory given the task it starts; it is called at once, and what it returns
// must not refer to the factory (return a coroutine that took its arguments).
template <typename F>
concept TaskFactoryInTask =
    std::invocable<F&, ThisTask> && std::same_as<std::invoke_result_t<F&, ThisTask>, Awaitable<void>>;

class Nursery {
 public:
  Nursery(const Nursery&) = delete;
  Nursery& operator=(const Nursery&) = delete;
  ~Nursery();

  void start_soon(TaskName name, Awaitable<void> task);

  // For a callable (a lambda coroutine): the nursery keeps it alive while it runs.
  template <TaskFactory F>
  void start_soon(TaskName name, F factory) {
    start_soon(name, run_owned(std::move(factory)));
  }

  // For a coroutine that needs to know its task (to open a nursery in it).
  template <TaskFactoryInTask F>
  void start_soon(TaskName name, F factory) {
    auto task = adopt(name);
    Awaitable<void> body = factory(ThisTask(*task));
    launch(std::move(task), std::move(body), FirstStep::soon);
  }

  // A child that is one asynchronous operation instead of a coroutine: the same
  // place in the task tree, the same cancellation and the same join, without a
  // coroutine's frames and scheduling (a tenth of a proxied request when the
  // disconnect watcher was a task). `initiate(handler)` starts the operation
  // with a completion handler that carries the child's cancellation slot;
  // `complete(args...)` runs with the operation's result, always, exactly once
  // (with operation_aborted when the scope cancelled it; a scope cancelled
  // already cancels it as it starts). What `complete` throws fails the nursery
  // as a task's error does. The operation's I/O object must belong to the
  // nursery's executor: its completion does the nursery's bookkeeping and, when
  // it is the last child, resumes the nursery's waiter in place.
  template <typename Initiate, typename Complete>
  void start_operation(TaskName name, Initiate initiate, Complete complete);

  // Trio's nursery.start(): starts `fn(TaskStatus<T>&)` and returns once it calls
  // status.started(value), with that value. If the task ends or fails first, its
  // error is thrown here (and the nursery sees it too). Cancelling the caller
  // cancels the task being started.
  template <typename T = void, typename F>
  Awaitable<T> start(TaskName name, F fn);

  CancelScope& cancel_scope() noexcept { return scope_; }
  const CancelScope& cancel_scope() const noexcept { return scope_; }
  NurseryStats stats() const noexcept { return stats_; }
  bool closed() const noexcept { return closed_; }
  const Executor& get_executor() const noexcept { return executor_; }

 private:
  template <typename Body>
  friend Awaitable<ScopeResult> open_nursery(Body body, ScopeOptions options);
  template <typename Body>
  friend Awaitable<ScopeResult> open_nursery_in_task(ThisTask self, Body body, ScopeOptions options);
  friend class CancelScope;
  friend class detail::ChildTask;

  // `deadlines`: the context's deadline queue when the opener knows it (its
  // host task's nursery); otherwise the parent's, or looked up when needed.
  Nursery(Executor executor, ScopeOptions options, DeadlineQueue* deadlines = nullptr);

  // Waits until every task has ended; cancelling the waiter cancels the scope.
  // Not a coroutine: one frame less per nursery.
  Awaitable<std::tuple<boost::system::error_code>> join();
  // How a task's first step runs: after the starter next suspends (start_soon's
  // promise), or at once, inside spawn() (the nursery's own body, as in Trio).
  enum class FirstStep { soon, now };
  detail::ChildTask& spawn(TaskName name, Awaitable<void> task, FirstStep first);
  detail::ChildTask& launch(std::unique_ptr<detail::ChildTask> task, Awaitable<void> body, FirstStep first);
  // The body run in place has ended with `error` (or nothing): a failure fails
  // the nursery; the host's cancellation from outside reaches the children.
  void body_ended(std::exception_ptr error, const detail::ChildTask& host);
  void close_with_no_tasks() noexcept;
  // While a body runs in place: its task is the host, which the scope's cancel reaches.
  class Hosting {
   public:
    Hosting(detail::ChildTask& task, Nursery& nursery) noexcept;
    ~Hosting();
    Hosting(const Hosting&) = delete;
    Hosting& operator=(const Hosting&) = delete;

   private:
    detail::ChildTask& task_;
    Nursery& nursery_;
  };
  DeadlineQueue& deadline_queue() { return scope_.deadline_queue(); }
  // Cancels, from outside, the nurseries the host runs in place inside this one.
  void cancel_nested_in_place(CancelReason reason);
  std::unique_ptr<detail::ChildTask> adopt(TaskName name);
  Awaitable<void> supervise(detail::ChildTask& task, Awaitable<void> body, FirstStep first);
  void on_task_done(detail::ChildTask& task, std::exception_ptr error);
  void forget(detail::ChildTask& task) noexcept;
  void maybe_finish();
  ScopeResult result();

  template <TaskFactory F>
  static Awaitable<void> run_owned(F factory) {
    co_await factory();
  }

  Executor executor_;
  detail::TreeNode node_;
  CancelScope scope_;
  detail::Parking join_;
  std::vector<std::exception_ptr> errors_;
  NurseryStats stats_;
  detail::ChildTask* host_ = nullptr;  // the task running the body in place, while it runs
  Nursery* hosted_before_ = nullptr;   // the nursery host_ ran in place when this one opened
  bool closed_ = false;
};

template <typename Body>
Awaitable<ScopeResult> open_nursery(Body body, ScopeOptions options) {
  static_assert(std::is_invocable_r_v<Awaitable<void>, Body&, Nursery&>,
                "the body of a nursery is a callable Nursery& -> Awaitable<void>");
  Nursery nursery(co_await boost::asio::this_coro::executor, std::move(options));
  // The body runs until it first suspends before the join parks. Its end is
  // always reported later, from the executor (co_spawn posts a completion that
  // did not suspend), so the wake-up finds the join parked.
  nursery.spawn("body", body(nursery), Nursery::FirstStep::now);
  co_await nursery.join();
  co_return nursery.result();
}

template <typename Body>
Awaitable<ScopeResult> open_nursery_in_task(ThisTask self, Body body, ScopeOptions options) {
  static_assert(std::is_invocable_r_v<Awaitable<void>, Body&, Nursery&>,
                "the body of a nursery is a callable Nursery& -> Awaitable<void>");
  detail::ChildTask& task = self.task();
  if (options.shield.active()) throw std::logic_error("a nursery opened in place cannot be shielded");
  Nursery nursery(co_await boost::asio::this_coro::executor, std::move(options),
                  task.nursery != nullptr ? &task.nursery->deadline_queue() : nullptr);
  std::exception_ptr error;
  {
    const Nursery::Hosting hosting(task, nursery);
    if (!nursery.scope_.cancel_called()) {  // a deadline already past: the body does not run
      try {
        co_await body(nursery);
      } catch (...) {
        error = std::current_exception();
      }
    }
  }
  // The scope (or the task's own cancellation) left the task's cancellation
  // state cancelled: it awaits its children, and what comes after, normally.
  const auto state = co_await boost::asio::this_coro::cancellation_state;
  if (state.cancelled() != boost::asio::cancellation_type::none) co_await boost::asio::this_coro::reset_cancellation_state();
  nursery.body_ended(std::move(error), task);
  if (nursery.stats_.live_tasks > 0) {
    co_await nursery.join();
  } else {
    nursery.close_with_no_tasks();
  }
  // A task cancelled from outside, or by a nursery it runs in place around this
  // one, stays cancelled: its later co_awaits throw.
  if (task.cancel_requested() || nursery.scope_.outer_cancel_seen()) {
    task.signal.emit(boost::asio::cancellation_type::terminal);
  }
  co_return nursery.result();
}

template <typename Initiate, typename Complete>
void Nursery::start_operation(TaskName name, Initiate initiate, Complete complete) {
  std::unique_ptr<detail::ChildTask> task = adopt(name);
  detail::ChildTask& ref = *task;
  ref.started = true;  // from here on its slot holds the operation's cancellation handler
  initiate(boost::asio::bind_cancellation_slot(
      ref.signal.slot(), detail::OperationDone<Complete>{std::move(task), std::move(complete)}));
  if (scope_.cancel_called()) ref.cancel();
}

template <typename T, typename F>
Awaitable<T> Nursery::start(TaskName name, F fn) {
  static_assert(std::is_invocable_r_v<Awaitable<void>, F&, TaskStatus<T>&>,
                "start() takes a callable TaskStatus<T>& -> Awaitable<void>");
  detail::StartWaiter<T> waiter;
  detail::ChildTask& task = spawn(name, detail::run_startable<T>(std::move(fn), waiter), FirstStep::soon);
  if (!waiter.value && !waiter.error) {
    auto [ec] = co_await waiter.parking.park([&task, &waiter](detail::Parking& parking) {
      waiter.detach();
      task.cancel();
      parking.wake(boost::asio::error::operation_aborted);
    });
    if (ec) throw boost::system::system_error(ec, "Nursery::start");
  }
  if (waiter.error) std::rethrow_exception(waiter.error);
  if constexpr (!std::is_void_v<T>) co_return std::move(*waiter.value);
}

}  // namespace canopy::core
