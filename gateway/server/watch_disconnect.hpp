#pragma once
// watch_disconnect: a child of the request nursery that cancels the request when
// the client leaves while its answer is being prepared.
//
// It waits until the client socket is readable, then peeks: end of stream or a
// reset means the client left (half-close follows the configured policy);
// bytes mean a pipelined request, which is no disconnect, and the watch ends.
// Start it only after the request body has been read: it must not race the
// body reads for the socket. It is one operation, not a coroutine
// (Nursery::start_operation): every proxied request starts one. It sets
// `client.watched`: the client's next head may then be waited for at once
// (read_request_head), since epoll has reported whatever came after the
// request.

#include "config/config.hpp"
#include "core/nursery.hpp"
#include "gateway/proxy/proxy.hpp"

namespace canopy::gateway {

void watch_disconnect(core::Nursery& request, Downstream& client, config::HalfClose policy);

}  // namespace canopy::gateway
