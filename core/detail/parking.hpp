#pragma once
// A coroutine suspended until one of core/'s primitives wakes it, exactly once.
//
// Every wait in core/ (channel send/receive, limiter acquire, nursery join) is a
// Parking on the waiting coroutine's frame plus a queue that holds it. The wait
// is an Asio asynchronous operation, so it takes part in Asio's per-operation
// cancellation: when the waiting coroutine is cancelled, `on_cancel` runs
// synchronously, inside the emit() that cancelled it. A primitive's on_cancel
// unlinks the waiter and wakes it with operation_aborted; the nursery's
// on_cancel instead cancels its scope and keeps waiting for its children.
//
// Waking posts the completion: a woken coroutine never runs inside the call
// that woke it, so primitives need not be reentrant.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/error_code.hpp>
#include <cassert>
#include <optional>
#include <tuple>
#include <utility>

#include "core/detail/intrusive_list.hpp"
#include "core/executor.hpp"

namespace canopy::core::detail {

class Parking : public ListHook {
 public:
  Parking() = default;
  Parking(const Parking&) = delete;
  Parking& operator=(const Parking&) = delete;
  // Destroyed while parked only when the executor tears the waiting frame down.
  ~Parking() = default;

  bool parked() const noexcept { return parked_; }

  // Suspends until wake(); `auto [ec] = co_await parking.park(...)`. on_cancel(Parking&)
  // runs if the waiting coroutine is cancelled while parked; it is never called
  // after wake(). Not a coroutine itself: the operation's own awaitable is
  // returned (one coroutine frame less per wait).
  template <typename OnCancel>
  Awaitable<std::tuple<boost::system::error_code>> park(OnCancel on_cancel) {
    auto token = boost::asio::as_tuple(use_awaitable);
    return boost::asio::async_initiate<decltype(token), void(boost::system::error_code)>(
        [this, on_cancel = std::move(on_cancel)](Handler handler) mutable {
          auto slot = boost::asio::get_associated_cancellation_slot(handler);
          handler_.emplace(std::move(handler));
          parked_ = true;
          if (slot.is_connected()) {
            slot_ = slot;
            slot.assign([this, on_cancel = std::move(on_cancel)](boost::asio::cancellation_type) mutable {
              if (!parked_) return;
              in_cancel_ = true;
              on_cancel(*this);
              in_cancel_ = false;
            });
          }
        },
        token);
  }

  // Completes the wait with `ec`; the coroutine resumes later, from the executor.
  void wake(boost::system::error_code ec = {}) {
    assert(parked_);
    parked_ = false;
    // Inside on_cancel the slot's handler is our caller and must outlive this
    // call; Asio clears the slot itself when the coroutine resumes.
    if (!in_cancel_ && slot_.is_connected()) slot_.clear();
    slot_ = {};
    const Executor executor = boost::asio::get_associated_executor(*handler_);
    // Posted as a plain function object: Asio wraps a handler that names its
    // executor in a work dispatcher (work counting, a second dispatch), which
    // buys nothing here since it is posted to that same executor.
    boost::asio::post(executor, [handler = std::move(*handler_), ec]() mutable { std::move(handler)(ec); });
    handler_.reset();
  }

 private:
  // What `as_tuple(use_awaitable)` hands an initiation, named so that waking
  // posts the coroutine's own handler to its own executor. Type-erased
  // (any_completion_handler) the wake went through any_io_executor, a work
  // dispatcher and a heap-allocated function (600 instructions of a proxied
  // request's 43k). A different token fails to compile here, not at run time.
  using Handler = boost::asio::detail::as_tuple_handler<
      boost::asio::detail::awaitable_handler<Executor, std::tuple<boost::system::error_code>>>;

  std::optional<Handler> handler_;
  boost::asio::cancellation_slot slot_;
  bool parked_ = false;
  bool in_cancel_ = false;
};

}  // namespace canopy::core::detail
