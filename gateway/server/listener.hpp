#pragma once
// The accept loop: one task per downstream connection, started in the server
// nursery. At max_connections it stops accepting (the kernel's backlog holds
// new clients) instead of accepting and dropping them, and resumes when a
// connection closes. Ends when the acceptor is closed (drain), or when a reload
// has replaced it (Server::retired): then the connections already queued on it
// are served and it closes, so that moving the listener drops nobody.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/nursery.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/server.hpp"

namespace canopy::gateway {

core::Awaitable<void> accept_connections(Server& server, TcpAcceptor& acceptor,
                                         core::Nursery& connections);

}  // namespace canopy::gateway
