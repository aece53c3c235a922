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
    task->report_done(std::move(error));
  }
};

}  // namespace canopy::core::detail
