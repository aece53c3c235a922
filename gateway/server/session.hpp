#pragma once
// One downstream connection, from accept to close. The life of every request
// on it reads top to bottom in session.cpp; docs/request-lifecycle.md draws it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/capacity_limiter.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/server.hpp"

namespace canopy::gateway {

// `slot` is the connection's place under max_connections; it is given back
// when the connection closes.
core::Awaitable<void> serve_connection(Server& server, TcpSocket socket,
                                       core::Permit slot);

}  // namespace canopy::gateway
