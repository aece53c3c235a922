#include "gateway/net/receive_now.hpp"

#include <boost/asio/error.hpp>
#include <sys/socket.h>

#include <cerrno>

namespace canopy::gateway {

std::optional<Received> receive_now(int descriptor, boost::asio::mutable_buffer buffer) noexcept {
  for (;;) {
    const ssize_t got = ::recv(descriptor, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (got > 0) return Received{{}, static_cast<std::size_t>(got)};
    if (got == 0) return Received{boost::asio::error::eof, 0};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::nullopt;
    return Received{boost::system::error_code(errno, boost::system::system_category()), 0};
  }
}

}  // namespace canopy::gateway
