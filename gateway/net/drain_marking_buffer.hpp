#pragma once
// A read buffer whose read, when it comes back short, marks the socket drained
// in Asio's reactor, so that the next read on that socket waits for epoll to
// report new bytes instead of trying recv() at once.
//
// Why: Asio tries every receive at once (a "speculative" recv) unless the last
// one ended the stream. Between requests that try nearly always fails with
// EAGAIN: the next request head is read right after the answer went out, the
// upstream's answer right after its request did. That was 1.5 of the 3.6
// recv calls of a proxied request (`perf stat` on the worker, 64 connections).
// A recv that returns fewer bytes than asked for has emptied the socket's
// receive queue, so the next one can wait for the edge-triggered event.
//
// Guarantees: nothing is missed. Every arrival of bytes after the short read
// makes epoll report the socket again, and that report (Asio's reactor sets
// the socket's try-at-once flag on every event, with or without a read
// waiting) lets the next read try at once or completes the waiting one. A read
// that filled its buffer leaves the flag alone: more may be waiting.
//
// How: Asio's receive operation is a template on the buffer sequence type; its
// base (the part that calls recv) is specialised below for this type alone,
// and reports a short read as `done_and_exhausted`, which Asio already uses
// for the end of a stream. Everything else (cancellation, non-blocking mode,
// completion) stays Asio's. It depends on Asio 1.81's reactor internals,
// checked when compiled.

#include <boost/asio/buffer.hpp>
#include <boost/version.hpp>

#include "gateway/net/sockets.hpp"  // before Asio's receive operation, which needs what it includes

#include <boost/asio/detail/reactive_socket_recv_op.hpp>

namespace canopy::gateway {

class DrainMarkingBuffer : public boost::asio::mutable_buffer {
 public:
  explicit DrainMarkingBuffer(boost::asio::mutable_buffer buffer) noexcept : boost::asio::mutable_buffer(buffer) {}
};

inline DrainMarkingBuffer drain_marking(boost::asio::mutable_buffer buffer) noexcept {
  return DrainMarkingBuffer(buffer);
}

}  // namespace canopy::gateway

#if !defined(BOOST_ASIO_HAS_IOCP) && !defined(BOOST_ASIO_HAS_IO_URING_AS_DEFAULT)
namespace boost::asio::detail {

static_assert(BOOST_VERSION / 100 == 1081,
              "drain_marking_buffer.hpp specialises Asio 1.81's receive operation: check it against this Boost");

template <>
class reactive_socket_recv_op_base<canopy::gateway::DrainMarkingBuffer> : public reactor_op {
 public:
  reactive_socket_recv_op_base(const boost::system::error_code& success_ec, socket_type socket,
                               socket_ops::state_type state, const canopy::gateway::DrainMarkingBuffer& buffer,
                               socket_base::message_flags flags, func_type complete_func)
      : reactor_op(success_ec, &reactive_socket_recv_op_base::do_perform, complete_func),
        socket_(socket), state_(state), buffer_(buffer), flags_(flags) {}

  static status do_perform(reactor_op* base) {
    auto* op = static_cast<reactive_socket_recv_op_base*>(base);
    const bool stream = (op->state_ & socket_ops::stream_oriented) != 0;
    if (!socket_ops::non_blocking_recv1(op->socket_, op->buffer_.data(), op->buffer_.size(), op->flags_, stream,
                                        op->ec_, op->bytes_transferred_)) {
      return not_done;
    }
    // Short (an end of stream included): the receive queue is empty now.
    return stream && op->bytes_transferred_ < op->buffer_.size() ? done_and_exhausted : done;
  }

 private:
  socket_type socket_;
  socket_ops::state_type state_;
  canopy::gateway::DrainMarkingBuffer buffer_;
  socket_base::message_flags flags_;
};

}  // namespace boost::asio::detail
#endif
