#pragma once
// The one way into a worker's io_context from another thread.
//
// A worker's io_context runs without any locks (BOOST_ASIO_CONCURRENCY_HINT_UNSAFE):
// its scheduler, reactor and timers are touched by its own thread only, which
// saves a lock and unlock per handler run (4 % of a proxied request's
// instructions). Whatever another thread wants done there — a control call, a
// stop, a health change — is put() here: a locked queue, and an eventfd the
// worker's reactor watches. The worker runs the queued functions in order, on
// its thread, until close().
//
// Lifetime: construct before the worker's thread starts; open() and close() run
// on the worker's thread (close() through put() from elsewhere). While open, the
// pending read keeps the io_context's run() from returning.

#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/executor.hpp"

namespace canopy::gateway {

class Inbox {
 public:
  explicit Inbox(const core::Executor& executor);
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;
  ~Inbox();

  // Any thread: runs fn() on the worker's thread, after what was put before it.
  // Put after close(): dropped (the worker has stopped listening).
  template <typename F>
  void put(F fn) {
    struct Call final : Message {
      explicit Call(F f) : fn(std::move(f)) {}
      void run() override { fn(); }
      F fn;
    };
    put_message(std::make_unique<Call>(std::move(fn)));
  }

  // The worker's thread: starts running what is put, until close().
  void open();
  // The worker's thread: stops listening; what is queued is dropped.
  void close();

 private:
  struct Message {
    virtual ~Message() = default;
    virtual void run() = 0;
  };
  void put_message(std::unique_ptr<Message> message);
  void read_next();
  void run_queued();

  std::mutex mutex_;
  std::vector<std::unique_ptr<Message>> queued_;  // guarded by mutex_
  bool closed_ = false;                           // guarded by mutex_
  int eventfd_ = -1;  // wakeup_'s descriptor; put() writes to it under mutex_ until closed_
  boost::asio::posix::basic_stream_descriptor<core::Executor> wakeup_;
  std::uint64_t wakeups_ = 0;  // the read's buffer
};

}  // namespace canopy::gateway
