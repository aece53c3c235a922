#include "core/nursery.hpp"

#include <algorithm>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <stdexcept>

#include "core/cancelled.hpp"
#include "core/error_group.hpp"
#include "core/executor.hpp"

namespace canopy::core {

namespace asio = boost::asio;

namespace detail {

ChildTask::ChildTask(Nursery& owner, TreeNode& parent, TaskName name)
    : node(owner.node_.tree(), &parent, name, TaskKind::task), nursery(&owner) {}

ChildTask::~ChildTask() {
  // Normally the nursery has forgotten this task in on_task_done(); it still
  // knows it only if the coroutine was destroyed without ending (executor teardown).
  if (nursery && linked()) nursery->forget(*this);
}

void ChildTask::report_done(std::exception_ptr escaped) {
  if (nursery) nursery->on_task_done(*this, std::move(escaped));
}

void ChildTask::cancel() {
  if (cancel_requested_) return;
  cancel_requested_ = true;
  cancel_reason_ = reason_being_delivered();
  // Before its first run the coroutine is not ready for cancellation (Asio's
  // co_spawn prologue would throw it out of the thread); supervise() checks
  // cancel_requested() when it starts instead.
  if (started) signal.emit(asio::cancellation_type::terminal);
}

namespace {
// The completion handler of a task's coroutine; it owns the task's bookkeeping.
struct TaskDone {
  std::unique_ptr<ChildTask> task;

  void operator()(std::exception_ptr error) { task->report_done(std::move(error)); }
};
}  // namespace

}  // namespace detail

Nursery::Nursery(Executor executor, ScopeOptions options, DeadlineQueue* deadlines)
    : executor_(std::move(executor)),
      node_(TaskTree::this_thread(), options.parent ? const_cast<detail::TreeNode*>(&options.parent->node_) : nullptr,
            options.name, TaskKind::nursery),
      scope_(*this, executor_, options.shield) {
  if (deadlines == nullptr && options.parent != nullptr) deadlines = options.parent->scope_.deadlines_;
  scope_.deadlines_ = deadlines;
  if (options.deadline) scope_.set_deadline_at(*options.deadline);
}

Nursery::~Nursery() {
  // Reached with live tasks only if the executor is destroyed while this nursery
  // waits; the task tree counts them as orphans.
  while (!scope_.members_.empty()) {
    auto& task = scope_.members_.pop_front();
    task.nursery = nullptr;
  }
}

void Nursery::start_soon(TaskName name, Awaitable<void> task) { spawn(name, std::move(task), FirstStep::soon); }

std::unique_ptr<detail::ChildTask> Nursery::adopt(TaskName name) {
  if (closed_) {
    throw std::logic_error("cannot start task '" + name.str() + "': nursery '" + node_.name().str() + "' has closed");
  }
  auto task = std::make_unique<detail::ChildTask>(*this, node_, name);
  scope_.members_.push_back(*task);
  ++stats_.live_tasks;
  ++stats_.started_total;
  return task;
}

detail::ChildTask& Nursery::spawn(TaskName name, Awaitable<void> body, FirstStep first) {
  return launch(adopt(name), std::move(body), first);
}

detail::ChildTask& Nursery::launch(std::unique_ptr<detail::ChildTask> task, Awaitable<void> body, FirstStep first) {
  detail::ChildTask& ref = *task;
  if (scope_.cancel_called()) ref.cancel();  // it will end without running
  asio::co_spawn(executor_, supervise(ref, std::move(body), first),
                 asio::bind_cancellation_slot(ref.signal.slot(), detail::TaskDone{std::move(task)}));
  return ref;
}

Awaitable<void> Nursery::supervise(detail::ChildTask& task, Awaitable<void> body, FirstStep first) {
  task.started = true;
  // start_soon() means soon: the starter runs on until it suspends.
  if (first == FirstStep::soon) co_await asio::post(use_awaitable);
  if (!task.cancel_requested()) {
    try {
      co_await std::move(body);
    } catch (...) {
      task.error = std::current_exception();
    }
  }
  // co_spawn's epilogue may co_await; with a cancelled state that await would
  // throw out of the coroutine thread. The task is over: clear the state.
  co_await asio::this_coro::reset_cancellation_state();
}

void Nursery::on_task_done(detail::ChildTask& task, std::exception_ptr error) {
  if (!error) error = task.error;
  if (error && task.cancel_requested() && is_cancellation(error)) {
    ++stats_.cancelled_total;
  } else if (error) {
    ++stats_.failed_total;
    if (std::find(errors_.begin(), errors_.end(), error) == errors_.end()) errors_.push_back(error);
    scope_.cancel_as(CancelReason::sibling_failed, /*by_itself=*/true);
  }
  forget(task);
  maybe_finish();
}

void Nursery::body_ended(std::exception_ptr error, const detail::ChildTask& host) {
  if (error && is_cancellation(error) && (scope_.cancel_called() || host.cancel_requested())) {
    ++stats_.cancelled_total;
  } else if (error) {
    ++stats_.failed_total;
    errors_.push_back(error);
    scope_.cancel_as(CancelReason::sibling_failed, /*by_itself=*/true);
  }
  if (host.cancel_requested()) scope_.cancel_from_outside(host.cancel_reason());
}

void Nursery::close_with_no_tasks() noexcept {
  scope_.stop_timer();
  closed_ = true;
}

Nursery::Hosting::Hosting(detail::ChildTask& task, Nursery& nursery) noexcept : task_(task), nursery_(nursery) {
  nursery_.hosted_before_ = task_.hosting;
  task_.hosting = &nursery_;
  nursery_.host_ = &task_;
}

Nursery::Hosting::~Hosting() {
  task_.hosting = nursery_.hosted_before_;
  nursery_.host_ = nullptr;
}

void Nursery::cancel_nested_in_place(CancelReason reason) {
  for (Nursery* inner = host_->hosting; inner != nullptr && inner != this; inner = inner->hosted_before_) {
    inner->scope_.cancel_from_outside(reason);
  }
}

void Nursery::forget(detail::ChildTask& task) noexcept {
  scope_.members_.erase(task);
  --stats_.live_tasks;
  if (stats_.live_tasks == 0) scope_.stop_timer();
}

void Nursery::maybe_finish() {
  if (stats_.live_tasks == 0 && join_.parked()) {
    closed_ = true;
    join_.wake_at_end_of_completion();
  }
}

Awaitable<std::tuple<boost::system::error_code>> Nursery::join() {
  return join_.park([this](detail::Parking&) { scope_.cancel_from_outside(detail::reason_being_delivered()); });
}

ScopeResult Nursery::result() {
  if (errors_.size() == 1) std::rethrow_exception(errors_.front());
  if (!errors_.empty()) throw ErrorGroup(node_.name().str(), std::move(errors_));
  if (!scope_.cancel_called()) return {};
  if (scope_.cancelled_itself()) return {.outcome = ScopeOutcome::cancelled, .reason = scope_.reason()};
  throw Cancelled(scope_.reason());
}

}  // namespace canopy::core
