#pragma once
// Writing without waiting: one sendmsg(MSG_DONTWAIT) of what the socket takes
// at once. A message head and a small body fit a socket's send buffer nearly
// always, and then go out without an asynchronous operation and a round through
// the event loop; whatever is left is for async_write (drop_sent() says what).

#include <boost/asio/buffer.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <span>

#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

// Bytes of `buffers` the socket took, in order; 0 when it takes none now (a
// full send buffer is not an error). A failure (the peer reset, …) is left in `ec`.
std::size_t send_now(TcpSocket& socket, std::span<const boost::asio::const_buffer> buffers,
                     boost::system::error_code& ec) noexcept;

// What is left of `buffers` once its first `sent` bytes went: the buffers from
// the first one not wholly sent, that one advanced past its sent part (in place).
std::span<boost::asio::const_buffer> drop_sent(std::span<boost::asio::const_buffer> buffers,
                                               std::size_t sent) noexcept;

// send_now() then drop_sent(): what is left for async_write, empty when all of
// it went at once or the send failed (then `ec` says how).
inline std::span<boost::asio::const_buffer> send_what_goes_now(TcpSocket& socket,
                                                               std::span<boost::asio::const_buffer> buffers,
                                                               boost::system::error_code& ec) noexcept {
  const std::size_t sent = send_now(socket, buffers, ec);
  return ec ? std::span<boost::asio::const_buffer>() : drop_sent(buffers, sent);
}

}  // namespace canopy::gateway
