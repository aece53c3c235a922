#pragma once
// The task a coroutine runs in, handed to it when it is started (a factory
// taking ThisTask, given to Nursery::start_soon), so that it can open a nursery
// whose body runs in place, in this very task (open_nursery_in_task).

namespace canopy::core {

namespace detail {
class ChildTask;
}

class ThisTask {
 public:
  explicit ThisTask(detail::ChildTask& task) noexcept : task_(&task) {}
  detail::ChildTask& task() const noexcept { return *task_; }

 private:
  detail::ChildTask* task_;
};

}  // namespace canopy::core
