#pragma once
// The header and idle timeouts of a worker's client connections: one timer for
// all of them instead of one per connection and request.
//
// A connection waiting for a request head (the first one: header_timeout; the
// next ones on a keep-alive connection: idle_timeout) holds a HeadWait for the
// time of the read. A request that arrives in time costs a link and an unlink.
// The worker's one timer is armed for the earliest deadline of all waits; when
// it fires, every wait past its deadline is marked expired and its socket's
// read cancelled, and the timer is armed for the next. A wait that expires ends
// like a read cut short: the connection closes.
//
// On the worker's thread only. run() is a task of the worker's tree.

#include <boost/asio/ip/tcp.hpp>

#include "core/clock.hpp"
#include "core/detail/intrusive_list.hpp"
#include "core/executor.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

class HeadTimeouts;

class HeadWait : public core::detail::ListHook {
 public:
  HeadWait(HeadTimeouts& timeouts, TcpSocket& socket, core::Clock::time_point deadline);
  HeadWait(const HeadWait&) = delete;
  HeadWait& operator=(const HeadWait&) = delete;
  ~HeadWait();

  // The deadline passed before the head was read (the read was cancelled).
  bool expired() const noexcept { return expired_; }

 private:
  friend class HeadTimeouts;
  HeadTimeouts& timeouts_;
  TcpSocket& socket_;
  core::Clock::time_point deadline_;
  bool expired_ = false;
};

class HeadTimeouts {
 public:
  explicit HeadTimeouts(const core::Executor& executor) : timer_(executor) {}
  HeadTimeouts(const HeadTimeouts&) = delete;
  HeadTimeouts& operator=(const HeadTimeouts&) = delete;

  // Expires waits until cancelled (with the worker's tree).
  core::Awaitable<void> run();

  std::size_t waiting() const noexcept { return waits_.size(); }

 private:
  friend class HeadWait;
  void add(HeadWait& wait);
  void remove(HeadWait& wait) noexcept;
  void expire_due();

  core::detail::IntrusiveList<HeadWait> waits_;
  core::SteadyTimer timer_;
  core::Clock::time_point armed_for_ = core::Clock::time_point::max();
};

}  // namespace canopy::gateway
