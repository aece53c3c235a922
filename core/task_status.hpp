#pragma once
// TaskStatus: how a task started with Nursery::start() tells its starter that
// it is ready (a listener bound, a connection established), and with what value.
//
// Guarantees: started() wakes the starter at most once; later calls do nothing.
// If the task ends without calling started(), the starter gets the task's error,
// or std::logic_error when the task returned normally.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/detail/parking.hpp"
#include "core/executor.hpp"

namespace canopy::core {

template <typename T>
class TaskStatus;

namespace detail {

template <typename T>
using StartedValue = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

// The starter's half, on the frame of Nursery::start().
template <typename T>
struct StartWaiter {
  Parking parking;
  TaskStatus<T>* status = nullptr;
  std::optional<StartedValue<T>> value;
  std::exception_ptr error;

  StartWaiter() = default;
  StartWaiter(const StartWaiter&) = delete;
  ~StartWaiter();
  void detach() noexcept;
};

}  // namespace detail

template <typename T>
class TaskStatus {
 public:
  explicit TaskStatus(detail::StartWaiter<T>& waiter) noexcept : waiter_(&waiter) { waiter.status = this; }
  TaskStatus(const TaskStatus&) = delete;
  TaskStatus& operator=(const TaskStatus&) = delete;
  ~TaskStatus() { finish(nullptr); }

  template <typename... V>
  void started(V&&... value) {
    static_assert(sizeof...(V) == (std::is_void_v<T> ? 0 : 1), "started() takes the start value");
    if (!waiter_) return;
    if constexpr (std::is_void_v<T>) {
      waiter_->value.emplace();
    } else {
      waiter_->value.emplace(std::forward<V>(value)...);
    }
    release();
  }

  // The task ended; `error` is what it threw, if anything.
  void finish(std::exception_ptr error) {
    if (!waiter_) return;
    waiter_->error = error ? error
                           : std::make_exception_ptr(std::logic_error("task ended before it called started()"));
    release();
  }

 private:
  friend struct detail::StartWaiter<T>;

  void release() {
    auto* waiter = std::exchange(waiter_, nullptr);
    waiter->status = nullptr;
    if (waiter->parking.parked()) waiter->parking.wake();
  }

  detail::StartWaiter<T>* waiter_;
};

namespace detail {

template <typename T>
StartWaiter<T>::~StartWaiter() {
  detach();
}

template <typename T>
void StartWaiter<T>::detach() noexcept {
  if (status) std::exchange(status, nullptr)->waiter_ = nullptr;
}

template <typename T, typename F>
Awaitable<void> run_startable(F fn, StartWaiter<T>& waiter) {
  TaskStatus<T> status(waiter);
  std::exception_ptr error;
  try {
    co_await fn(status);
  } catch (...) {
    error = std::current_exception();
  }
  status.finish(error);
  if (error) std::rethrow_exception(error);
}

}  // namespace detail

}  // namespace canopy::core
