#pragma once
// Reading without waiting: one recv(MSG_DONTWAIT) into a buffer, for a read
// that continues a message after a short read.
//
// Why: a short read marks its socket drained (drain_marking_buffer.hpp), and
// Asio then waits for epoll before reading it again. That is right when the
// peer owes us a new message, and wrong when it had already closed or reset
// the connection as we read: the end of stream then waits in the socket while
// epoll, which reported it with the bytes, reports nothing more. A read that
// continues a message (more of a head, a body) therefore tries once at once,
// as Asio's own first try would, and waits only when that finds nothing.

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <optional>

namespace canopy::gateway {

struct Received {
  boost::system::error_code ec;  // asio::error::eof at the end of the stream, as Asio's reads say it
  std::size_t bytes = 0;
};

// What `descriptor` has now, up to the size of `buffer` (not empty: a read of
// nothing would look like the end of the stream); nullopt when it has nothing
// yet (the read must wait).
std::optional<Received> receive_now(int descriptor, boost::asio::mutable_buffer buffer) noexcept;

}  // namespace canopy::gateway
