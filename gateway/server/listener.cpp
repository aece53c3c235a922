#include "gateway/server/listener.hpp"

#include <boost/asio/as_tuple.hpp>

#include "gateway/log/json_log.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/session.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

void serve(Server& server, TcpSocket socket, const tcp::endpoint& peer, core::Permit slot, core::Nursery& connections) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  connections.start_soon("connection", [&server, socket = std::move(socket), peer,
                                        slot = std::move(slot)](core::ThisTask self) mutable {
    return serve_connection(server, std::move(socket), peer, std::move(slot), self);
  });
}

// A listener replaced by a reload: the clients already in its accept queue
// connected to us and are served; then it closes.
void retire(Server& server, TcpAcceptor& acceptor, core::Nursery& connections) {
  boost::system::error_code ec;
  acceptor.non_blocking(true, ec);
  std::size_t taken = 0;
  while (!ec) {
    core::Permit slot = server.connection_slots().try_acquire();
    if (!slot) break;  // at max_connections: the rest are refused by the close
    TcpSocket socket(acceptor.get_executor());
    tcp::endpoint peer;
    acceptor.accept(socket, peer, ec);
    if (!ec) {
      serve(server, std::move(socket), peer, std::move(slot), connections);
      ++taken;
    }
  }
  acceptor.close(ec);
  log_event("info", "listener_retired", {{"queued_connections_served", taken}});
}

}  // namespace

core::Awaitable<void> accept_connections(Server& server, TcpAcceptor& acceptor, core::Nursery& connections) {
  for (;;) {
    core::Permit slot = server.connection_slots().try_acquire();  // no coroutine frame while there is room
    if (!slot) {
      core::Admission admitted = co_await server.connection_slots().acquire();  // waits while at max_connections
      slot = std::move(admitted.permit);
    }
    if (server.retired(acceptor)) break;
    tcp::endpoint peer;  // from accept() itself: no getpeername() per connection
    auto [ec, socket] = co_await acceptor.async_accept(peer, asio::as_tuple(core::use_awaitable));
    if (!acceptor.is_open()) co_return;  // closed: the drain
    if (ec == asio::error::operation_aborted) {
      if (server.retired(acceptor)) break;
      continue;
    }
    if (ec) {
      // Out of descriptors and the like: say so, and give the system a moment.
      log_event("warn", "accept_failed", {{"error", ec.message()}});
      core::SteadyTimer pause(acceptor.get_executor(), std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::as_tuple(core::use_awaitable));
      continue;
    }
    serve(server, std::move(socket), peer, std::move(slot), connections);
  }
  retire(server, acceptor, connections);
}

}  // namespace canopy::gateway
