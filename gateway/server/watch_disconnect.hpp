#pragma once
// watch_disconnect: a child of the request nursery that cancels the request when
// the client leaves while its answer is being prepared.
//
// It waits until the client socket is readable, then peeks: end of stream or a
// reset means the client left (half-close follows the configured policy);
// bytes mean a pipelined request, which is no disconnect, and the watch ends.
// Start it only after the request body has been read: it must not race the
// body reads for the socket. It is one operation, not a coroutine
// (Nursery::start_operation): every proxied request starts one.

#include "config/config.hpp"
#include "core/nursery.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

void watch_disconnect(core::Nursery& request, TcpSocket& client, config::HalfClose policy);

}  // namespace canopy::gateway
