#pragma once
// watch_disconnect: a task of the request nursery that cancels the request when
// the client leaves while its answer is being prepared.
//
// It waits until the client socket is readable, then peeks: end of stream or a
// reset means the client left (half-close follows the configured policy);
// bytes mean a pipelined request, which is no disconnect, and the watch ends.
// Start it only after the request body has been read: it must not race the
// body reads for the socket.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "config/config.hpp"
#include "core/cancel_scope.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

core::Awaitable<void> watch_disconnect(TcpSocket& client, core::CancelScope& request,
                                              config::HalfClose policy);

}  // namespace canopy::gateway
