#pragma once
// The header and idle timeouts of client connections: a connection waiting for
// a request head (the first one: header_timeout; the next ones on a keep-alive
// connection: idle_timeout) holds a HeadWait for the time of the read.
//
// A HeadWait is an entry of the worker's deadline queue (core::DeadlineQueue),
// whose one timer also keeps every request scope's deadline: a head that
// arrives in time costs a link and an unlink. One whose deadline passes first
// is marked expired and its socket's read cancelled; that read ends like one
// cut short, and the connection closes.
//
// On the worker's thread only.

#include "core/clock.hpp"
#include "core/deadline_queue.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

class HeadWait : private core::DeadlineQueue::Entry {
 public:
  HeadWait(core::DeadlineQueue& deadlines, TcpSocket& socket, core::Clock::time_point deadline);
  HeadWait(const HeadWait&) = delete;
  HeadWait& operator=(const HeadWait&) = delete;
  ~HeadWait() = default;  // leaves the queue (the Entry's destructor)

  // The deadline passed before the head was read (the read was cancelled).
  bool expired() const noexcept { return expired_; }

 private:
  static void on_due(core::DeadlineQueue::Entry& entry) noexcept;

  TcpSocket& socket_;
  bool expired_ = false;
};

}  // namespace canopy::gateway
