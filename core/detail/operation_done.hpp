#pragma once
// The completion handler of a child that is one asynchronous operation
// (Nursery::start_operation): runs the caller's completion, then reports the
// child done. Owns the child's bookkeeping, like a task's coroutine handler: if
// the executor is torn down with the operation pending, destroying the handler
// unlinks the child.

#include <exception>
#include <memory>
#include <utility>

#include "core/detail/child_task.hpp"
#include "core/detail/parking.hpp"

namespace canopy::core::detail {

template <typename Complete>
struct OperationDone {
  std::unique_ptr<ChildTask> task;
  Complete complete;

  template <typename... Args>
  void operator()(Args&&... args) {
    // The operation left its cancellation handler in the slot (Asio clears slots
    // only for coroutines); a cancel from here on must find none.
    task->signal.slot().clear();
    std::exception_ptr error;
    try {
      complete(std::forward<Args>(args)...);
    } catch (...) {
      error = std::current_exception();
    }
    // The nursery's waiter, if this was its last child, resumes at once, but
    // only once the task is gone: the nursery may end as soon as it runs.
    ResumeAtEnd resume_at_end;
    task->report_done(std::move(error));
    task.reset();
    resume_at_end.resume();
  }
};

}  // namespace canopy::core::detail
