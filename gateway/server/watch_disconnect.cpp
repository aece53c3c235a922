#include "gateway/server/watch_disconnect.hpp"

#include <boost/system/error_code.hpp>

namespace canopy::gateway {

namespace asio = boost::asio;

void watch_disconnect(core::Nursery& request, TcpSocket& client, config::HalfClose policy) {
  request.start_operation(
      "watch_disconnect", [&client](auto handler) { client.async_wait(TcpSocket::wait_read, std::move(handler)); },
      [&client, &scope = request.cancel_scope(), policy](boost::system::error_code ec) {
        if (ec == asio::error::operation_aborted) return;  // the answer is complete, or the request was cancelled
        char byte;
        boost::system::error_code peek_ec;
        const auto n = client.receive(asio::buffer(&byte, 1), TcpSocket::message_peek, peek_ec);
        // Asio reports a zero-byte read on a stream socket as error::eof.
        const bool end_of_stream = peek_ec == asio::error::eof || (!peek_ec && n == 0);
        const bool reset = ec || (peek_ec && !end_of_stream && peek_ec != asio::error::would_block);
        if (reset || (end_of_stream && policy == config::HalfClose::abort)) {
          scope.cancel(core::CancelReason::client_disconnect);
        }
      });
}

}  // namespace canopy::gateway
