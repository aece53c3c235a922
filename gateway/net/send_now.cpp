#include "gateway/net/send_now.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cerrno>

namespace canopy::gateway {

std::size_t send_now(TcpSocket& socket, std::span<const boost::asio::const_buffer> buffers,
                     boost::system::error_code& ec) noexcept {
  std::array<iovec, 16> pieces;
  std::size_t count = 0;
  for (const auto& buffer : buffers) {
    if (count == pieces.size()) break;  // the rest goes with async_write
    if (buffer.size() == 0) continue;
    pieces[count++] = iovec{const_cast<void*>(buffer.data()), buffer.size()};
  }
  if (count == 0) return 0;
  msghdr message{};
  message.msg_iov = pieces.data();
  message.msg_iovlen = count;
  for (;;) {
    const ssize_t sent = ::sendmsg(socket.native_handle(), &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent >= 0) return static_cast<std::size_t>(sent);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) ec.assign(errno, boost::system::system_category());
    return 0;
  }
}

std::span<boost::asio::const_buffer> drop_sent(std::span<boost::asio::const_buffer> buffers,
                                               std::size_t sent) noexcept {
  while (!buffers.empty() && sent >= buffers.front().size()) {
    sent -= buffers.front().size();
    buffers = buffers.subspan(1);
  }
  if (!buffers.empty()) buffers.front() += sent;
  return buffers;
}

}  // namespace canopy::gateway
