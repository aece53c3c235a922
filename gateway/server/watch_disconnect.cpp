#include "gateway/server/watch_disconnect.hpp"

#include <boost/system/error_code.hpp>
#include <sys/socket.h>

#include <cerrno>

namespace canopy::gateway {

namespace asio = boost::asio;

void watch_disconnect(core::Nursery& request, Downstream& client, config::HalfClose policy) {
  client.watched = true;
  request.start_operation(
      "watch_disconnect",
      [&socket = client.socket](auto handler) { socket.async_wait(TcpSocket::wait_read, std::move(handler)); },
      [&request, &client, policy](boost::system::error_code ec) {
        if (ec == asio::error::operation_aborted) return;  // the answer is complete, or the request was cancelled
        char byte;
        const ssize_t peeked = ::recv(client.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        if (!ec && peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
          // Epoll's report of bytes the connection had read by then (a report is
          // handled after the handlers queued before it): nothing to tell yet.
          // Never wait here: the whole worker would wait with it.
          if (!request.cancel_scope().cancel_called()) watch_disconnect(request, client, policy);
          return;
        }
        const bool end_of_stream = peeked == 0;
        const bool reset = ec || peeked < 0;
        if (reset || (end_of_stream && policy == config::HalfClose::abort)) {
          request.cancel_scope().cancel(core::CancelReason::client_disconnect);
        }
      });
}

}  // namespace canopy::gateway
