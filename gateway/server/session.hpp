#pragma once
// One downstream connection, from accept to close. The life of every request
// on it reads top to bottom in session.cpp; docs/request-lifecycle.md draws it.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/capacity_limiter.hpp"
#include "core/this_task.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/server.hpp"

namespace canopy::gateway {

// `peer` is the client's address as accept() gave it. `slot` is the
// connection's place under max_connections; it is given back when the
// connection closes. `self` is the connection's task: each request's nursery
// runs its body in it (core::open_nursery_in_task).
core::Awaitable<void> serve_connection(Server& server, TcpSocket socket, boost::asio::ip::tcp::endpoint peer,
                                       core::Permit slot, core::ThisTask self);

}  // namespace canopy::gateway
