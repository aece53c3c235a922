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
// that woke it, so primitives need not be reentrant. The one exception is a
// wake handed to a ResumeAtEnd (below): the coroutine then runs at the end of
// the completion handler that woke it, after all of its bookkeeping.

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

class ResumeAtEnd;

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
  void wake(boost::system::error_code ec = {}) { post_resume(unpark(), ec); }

  // Completes the wait with `ec`, resumed by the innermost ResumeAtEnd on this
  // thread when there is one that holds no wake yet; as wake() otherwise.
  void wake_at_end_of_completion(boost::system::error_code ec = {});

 private:
  friend class ResumeAtEnd;

  // What `as_tuple(use_awaitable)` hands an initiation, named so that waking
  // posts the coroutine's own handler to its own executor. Type-erased
  // (any_completion_handler) the wake went through any_io_executor, a work
  // dispatcher and a heap-allocated function (600 instructions of a proxied
  // request's 43k). A different token fails to compile here, not at run time.
  using Handler = boost::asio::detail::as_tuple_handler<
      boost::asio::detail::awaitable_handler<Executor, std::tuple<boost::system::error_code>>>;

  static void post_resume(Handler handler, boost::system::error_code ec) {
    const Executor executor = boost::asio::get_associated_executor(handler);
    // Posted as a plain function object: Asio wraps a handler that names its
    // executor in a work dispatcher (work counting, a second dispatch), which
    // buys nothing here since it is posted to that same executor.
    boost::asio::post(executor, [handler = std::move(handler), ec]() mutable { std::move(handler)(ec); });
  }

  // Ends the wait and hands over the waiting coroutine's handler.
  Handler unpark() {
    assert(parked_);
    parked_ = false;
    // Inside on_cancel the slot's handler is our caller and must outlive this
    // call; Asio clears the slot itself when the coroutine resumes.
    if (!in_cancel_ && slot_.is_connected()) slot_.clear();
    slot_ = {};
    Handler handler = std::move(*handler_);
    handler_.reset();
    return handler;
  }

  std::optional<Handler> handler_;
  boost::asio::cancellation_slot slot_;
  bool parked_ = false;
  bool in_cancel_ = false;
};

// The last act of a completion handler that may wake a coroutine: resuming it
// at once, in resume(), instead of posting it through the event loop.
//
// Why: a proxied request's nursery ends when its last child, the disconnect
// watcher (cancelled once the answer is complete), reports done; posting the
// nursery's waiter from there cost every request a second trip through the
// scheduler after the watcher's own.
//
// Guarantees: only Parking::wake_at_end_of_completion() hands a wake over, only
// to the innermost ResumeAtEnd of this thread, and only the first one; the
// coroutine never runs before resume(), so the handler's bookkeeping finishes
// first (and must not touch, after resume(), anything the coroutine may free).
// Destroyed without resume() (an exception on the way), it posts the wake.
class ResumeAtEnd {
 public:
  ResumeAtEnd() noexcept : outer_(innermost_) { innermost_ = this; }
  ~ResumeAtEnd() {
    if (innermost_ == this) innermost_ = outer_;
    if (handler_) Parking::post_resume(std::move(*handler_), ec_);
  }
  ResumeAtEnd(const ResumeAtEnd&) = delete;
  ResumeAtEnd& operator=(const ResumeAtEnd&) = delete;

  // Resumes the coroutine handed over, if any; from here on wakes are posted.
  void resume() {
    innermost_ = outer_;
    if (!handler_) return;
    Parking::Handler handler = std::move(*handler_);
    handler_.reset();
    std::move(handler)(ec_);
  }

 private:
  friend class Parking;
  static inline thread_local ResumeAtEnd* innermost_ = nullptr;
  ResumeAtEnd* outer_;
  std::optional<Parking::Handler> handler_;
  boost::system::error_code ec_;
};

inline void Parking::wake_at_end_of_completion(boost::system::error_code ec) {
  ResumeAtEnd* at_end = ResumeAtEnd::innermost_;
  if (at_end == nullptr || at_end->handler_) {
    wake(ec);
    return;
  }
  at_end->handler_.emplace(unpark());
  at_end->ec_ = ec;
}

}  // namespace canopy::core::detail
