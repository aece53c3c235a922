#include "gateway/server/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/log/json_log.hpp"
#include "gateway/server/session.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

asio::awaitable<void> accept_connections(Server& server, tcp::acceptor& acceptor, core::Nursery& connections) {
  for (;;) {
    core::Admission slot = co_await server.connection_slots().acquire();  // waits while at max_connections
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors and the like: say so, and give the system a moment.
      log_event("warn", "accept_failed", {{"error", ec.message()}});
      asio::steady_timer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    connections.start_soon("connection", serve_connection(server, std::move(socket), std::move(slot.permit)));
  }
}

}  // namespace canopy::gateway
