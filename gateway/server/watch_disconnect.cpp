#include "gateway/server/watch_disconnect.hpp"

#include <boost/asio/as_tuple.hpp>

#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

core::Awaitable<void> watch_disconnect(TcpSocket& client, core::CancelScope& request, config::HalfClose policy) {
  auto [ec] = co_await client.async_wait(TcpSocket::wait_read, asio::as_tuple(core::use_awaitable));
  if (ec == asio::error::operation_aborted) co_return;  // the answer is complete, or the request was cancelled
  char byte;
  boost::system::error_code peek_ec;
  const auto n = client.receive(asio::buffer(&byte, 1), TcpSocket::message_peek, peek_ec);
  // Asio reports a zero-byte read on a stream socket as error::eof.
  const bool end_of_stream = peek_ec == asio::error::eof || (!peek_ec && n == 0);
  const bool reset = ec || (peek_ec && !end_of_stream && peek_ec != asio::error::would_block);
  if (reset || (end_of_stream && policy == config::HalfClose::abort)) {
    request.cancel(core::CancelReason::client_disconnect);
  }
}

}  // namespace canopy::gateway
