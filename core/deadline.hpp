#pragma once
// Deadlines as scopes: run one awaitable under a deadline.
//
//   move_on_after(d, work)  returns when work ends or the deadline passes,
//                           and says which; the work is cancelled at the deadline.
//   fail_after(d, work)     the same, but a passed deadline throws TooSlowError.
//
// `_after` takes a duration from now, `_at` a time point. The deadline is a
// cancel scope: when it passes, the work's pending operation is cancelled, its
// sockets and timers close with its frame, and only then does the call return.
// A deadline already past cancels the work before it runs. A nearer enclosing
// deadline wins: it cancels through this scope and Cancelled propagates out.

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "core/executor.hpp"
#include "core/nursery.hpp"

namespace canopy::core {

class TooSlowError : public std::runtime_error {
 public:
  TooSlowError() : std::runtime_error("deadline exceeded") {}
};

enum class DeadlineOutcome {
  met,      // the work ended before the deadline
  expired,  // the deadline passed and the work was cancelled
};

template <typename T>
using MoveOnResult = std::conditional_t<std::is_void_v<T>, DeadlineOutcome, std::optional<T>>;

namespace detail {
template <typename T>
Awaitable<std::pair<ScopeResult, std::optional<StartedValue<T>>>> run_with_deadline(
    Clock::time_point deadline, Awaitable<T> work) {
  std::optional<StartedValue<T>> value;
  auto body = [&](Nursery&) -> Awaitable<void> {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(work);
      value.emplace();
    } else {
      value.emplace(co_await std::move(work));
    }
  };
  auto result = co_await open_nursery(body, {.name = "deadline", .deadline = deadline});
  co_return std::pair{result, std::move(value)};
}
}  // namespace detail

// void work: DeadlineOutcome; work returning T: the value, or nullopt when the deadline passed.
template <typename T>
Awaitable<MoveOnResult<T>> move_on_at(Clock::time_point deadline, Awaitable<T> work) {
  auto [scope, value] = co_await detail::run_with_deadline(deadline, std::move(work));
  const bool expired = scope.outcome == ScopeOutcome::cancelled;
  if constexpr (std::is_void_v<T>) {
    co_return expired ? DeadlineOutcome::expired : DeadlineOutcome::met;
  } else {
    if (expired) co_return std::nullopt;
    co_return std::move(*value);
  }
}

template <typename T>
Awaitable<MoveOnResult<T>> move_on_after(Clock::duration timeout, Awaitable<T> work) {
  return move_on_at(Clock::now() + timeout, std::move(work));
}

template <typename T>
Awaitable<T> fail_at(Clock::time_point deadline, Awaitable<T> work) {
  auto [scope, value] = co_await detail::run_with_deadline(deadline, std::move(work));
  if (scope.outcome == ScopeOutcome::cancelled) throw TooSlowError();
  if constexpr (!std::is_void_v<T>) co_return std::move(*value);
}

template <typename T>
Awaitable<T> fail_after(Clock::duration timeout, Awaitable<T> work) {
  return fail_at(Clock::now() + timeout, std::move(work));
}

}  // namespace canopy::core
