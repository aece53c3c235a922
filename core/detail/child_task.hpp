#pragma once
// A task started through a nursery: its place in the task tree, its membership
// in the nursery's cancel scope, and the Asio cancellation signal bound to its
// coroutine. Owned by the coroutine's completion handler, so it lives exactly as
// long as the coroutine may still run.

#include <boost/asio/cancellation_signal.hpp>
#include <exception>
#include <string>

#include "core/cancel_reason.hpp"
#include "core/detail/intrusive_list.hpp"
#include "core/task_tree.hpp"

namespace canopy::core {
class Nursery;
}

namespace canopy::core::detail {

class ChildTask : public ListHook {
 public:
  ChildTask(Nursery& nursery, TreeNode& parent, TaskName name);
  ChildTask(const ChildTask&) = delete;
  ChildTask& operator=(const ChildTask&) = delete;
  ~ChildTask();

  // Cancels this task: its awaited operation is cancelled now and every later
  // co_await in it throws. A task that has not started yet never starts.
  void cancel();

  bool cancel_requested() const noexcept { return cancel_requested_; }
  // The reason its cancel() was delivered with; meaningful once cancel_requested().
  CancelReason cancel_reason() const noexcept { return cancel_reason_; }

  // The coroutine ended; `escaped` is what escaped it (normally nothing).
  void report_done(std::exception_ptr escaped);

  TreeNode node;
  boost::asio::cancellation_signal signal;
  Nursery* nursery;            // null once the nursery is gone (an orphan)
  std::exception_ptr error;    // what the task's body threw
  bool started = false;        // its coroutine has run; signals may be emitted to it
  // The innermost nursery whose body runs in this task right now (open_nursery_in_task).
  Nursery* hosting = nullptr;

 private:
  bool cancel_requested_ = false;
  CancelReason cancel_reason_ = CancelReason::explicit_cancel;
};

}  // namespace canopy::core::detail
