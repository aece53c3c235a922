#include "core/cancel_scope.hpp"

#include <algorithm>

#include "core/executor.hpp"
#include "core/nursery.hpp"

namespace canopy::core {

namespace detail {
namespace {
thread_local std::optional<CancelReason> delivering;

// Marks the reason for the duration of one cancel(): every scope that Asio's
// slots reach synchronously from here inherits it.
class DeliveringReason {
 public:
  explicit DeliveringReason(CancelReason reason) noexcept : previous_(delivering) { delivering = reason; }
  ~DeliveringReason() { delivering = previous_; }
  DeliveringReason(const DeliveringReason&) = delete;
  DeliveringReason& operator=(const DeliveringReason&) = delete;

 private:
  std::optional<CancelReason> previous_;
};
}  // namespace

CancelReason reason_being_delivered() noexcept { return delivering.value_or(CancelReason::explicit_cancel); }
}  // namespace detail

CancelScope::CancelScope(Nursery& owner, Executor executor, Shield shield)
    : DeadlineQueue::Entry(
          [](DeadlineQueue::Entry& entry) noexcept { static_cast<CancelScope&>(entry).on_due(); }),
      owner_(owner),
      executor_(std::move(executor)),
      shield_(shield) {}

CancelScope::~CancelScope() {
  // Only reached with members when the executor is torn down under a running
  // nursery; Nursery::~Nursery has already let go of them.
  while (!members_.empty()) members_.pop_front();
}

void CancelScope::cancel(CancelReason reason) { cancel_as(reason, /*by_itself=*/true); }

void CancelScope::cancel_as(CancelReason reason, bool by_itself) {
  if (by_itself && !cancelled_itself_) {
    cancelled_itself_ = true;
    if (!cancel_called_) owner_.node_.tree().record_cancellation(reason);
  }
  if (cancel_called_) return;
  cancel_called_ = true;
  reason_ = reason;
  owner_.node_.mark_cancelled(reason);
  stop_timer();
  detail::DeliveringReason delivering(reason);
  members_.for_each([](detail::ChildTask& task) { task.cancel(); });
  // A body running in place: what its task awaits now is the body's (or that
  // of a nursery opened in place inside it, which is cancelled first).
  if (owner_.host_ != nullptr) {
    owner_.cancel_nested_in_place(reason);
    owner_.host_->signal.emit(boost::asio::cancellation_type::terminal);
  }
}

void CancelScope::cancel_from_outside(CancelReason reason) {
  outer_cancel_seen_ = true;
  if (!shield_.active()) {
    cancel_as(reason, /*by_itself=*/false);
    return;
  }
  if (auto grace = shield_.grace_period(); grace && !grace_deadline_) {
    grace_deadline_ = Clock::now() + *grace;
    grace_reason_ = reason;
    arm_timer();
  }
}

void CancelScope::set_deadline_at(Clock::time_point deadline) {
  deadline_ = deadline;
  if (cancel_called_) return;
  if (deadline <= Clock::now()) {
    cancel_as(CancelReason::deadline, /*by_itself=*/true);
    return;
  }
  arm_timer();
}

void CancelScope::arm_timer() {
  if (cancel_called_ || timer_stopped_) return;
  std::optional<Clock::time_point> due = deadline_;
  if (grace_deadline_) due = due ? std::min(*due, *grace_deadline_) : *grace_deadline_;
  if (!due) return;
  deadline_queue().add(*this, *due);
}

DeadlineQueue& CancelScope::deadline_queue() {
  if (deadlines_ == nullptr) deadlines_ = &DeadlineQueue::of(executor_);
  return *deadlines_;
}

void CancelScope::on_due() noexcept {
  if (cancel_called_ || timer_stopped_) return;
  const auto now = Clock::now();
  if (grace_deadline_ && now >= *grace_deadline_) {
    cancel_as(grace_reason_, /*by_itself=*/false);
  } else if (deadline_ && now >= *deadline_) {
    cancel_as(CancelReason::deadline, /*by_itself=*/true);
  } else {
    arm_timer();  // the deadline moved later since it was queued
  }
}

void CancelScope::stop_timer() noexcept {
  timer_stopped_ = true;
  remove();
}

}  // namespace canopy::core
