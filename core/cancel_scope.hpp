#pragma once
// A cancel scope: the unit of cancellation. Every Nursery owns one; its tasks
// are the scope's members.
//
// Guarantees
// - cancel(reason) cancels every member at once: the operation each one is
//   awaiting completes with operation_aborted, and cancellation is level-
//   triggered: every later co_await in a cancelled task throws at once, until
//   the task ends. A task that had not started yet never starts.
// - Nested scopes: cancelling a scope cancels every scope opened inside its
//   tasks, with the same reason, unless that scope is shielded (shield.hpp).
// - A deadline is a cancellation with reason `deadline` when the time passes;
//   a deadline already past cancels before any member runs.
// - The scope that cancelled itself absorbs its cancellation: open_nursery()
//   returns ScopeOutcome::cancelled. A scope cancelled from outside throws
//   Cancelled(reason) to its caller so that the outer scope can absorb it.
//
// Thread-safety: none. A scope and its tasks belong to one executor's thread
// (Asio's cancellation signals are not thread-safe either).

#include <optional>

#include "core/cancel_reason.hpp"
#include "core/clock.hpp"
#include "core/detail/child_task.hpp"
#include "core/deadline_queue.hpp"
#include "core/detail/intrusive_list.hpp"
#include "core/executor.hpp"
#include "core/shield.hpp"

namespace canopy::core {

class Nursery;

// Its deadline is an entry of its context's DeadlineQueue: no timer of its own.
class CancelScope : private DeadlineQueue::Entry {
 public:
  CancelScope(const CancelScope&) = delete;
  CancelScope& operator=(const CancelScope&) = delete;
  ~CancelScope();

  // Idempotent; the first reason is the one that sticks.
  void cancel(CancelReason reason = CancelReason::explicit_cancel);

  bool cancel_called() const noexcept { return cancel_called_; }
  // The reason of the first cancellation; meaningful once cancel_called().
  CancelReason reason() const noexcept { return reason_; }
  // Whether this scope cancelled itself (cancel(), its deadline, a failed task),
  // as opposed to being reached by an enclosing scope's cancellation.
  bool cancelled_itself() const noexcept { return cancelled_itself_; }
  // An enclosing scope was cancelled; with a shield this scope may still run.
  bool outer_cancel_seen() const noexcept { return outer_cancel_seen_; }

  std::optional<Clock::time_point> deadline() const noexcept { return deadline_; }
  // Moves the deadline, earlier or later, while the scope runs.
  void set_deadline_at(Clock::time_point deadline);
  void set_deadline_after(Clock::duration timeout) { set_deadline_at(Clock::now() + timeout); }

  const Shield& shield() const noexcept { return shield_; }

 private:
  friend class Nursery;
  friend class detail::ChildTask;

  CancelScope(Nursery& owner, Executor executor, Shield shield);

  void cancel_as(CancelReason reason, bool by_itself);
  // An enclosing scope's cancellation reached the task that opened this scope.
  void cancel_from_outside(CancelReason reason);
  // The context's deadline queue, looked up (a lock in Asio's service registry)
  // only by a scope that neither inherited it nor has needed it before.
  DeadlineQueue& deadline_queue();
  // Queues the earlier of the deadline and the shield's grace deadline.
  void arm_timer();
  void on_due() noexcept;
  void stop_timer() noexcept;

  Nursery& owner_;
  Executor executor_;
  Shield shield_;
  detail::IntrusiveList<detail::ChildTask> members_;
  DeadlineQueue* deadlines_ = nullptr;
  std::optional<Clock::time_point> deadline_;
  std::optional<Clock::time_point> grace_deadline_;
  CancelReason grace_reason_ = CancelReason::explicit_cancel;
  bool timer_stopped_ = false;
  bool cancel_called_ = false;
  bool cancelled_itself_ = false;
  bool outer_cancel_seen_ = false;
  CancelReason reason_ = CancelReason::explicit_cancel;
};

namespace detail {
// The reason of the cancellation this thread is delivering right now, so that a
// nested scope reached through Asio's cancellation slots inherits it. A
// cancellation that did not come from a CancelScope reads as explicit_cancel.
CancelReason reason_being_delivered() noexcept;
}  // namespace detail

}  // namespace canopy::core
