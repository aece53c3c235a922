#pragma once
// proxy: one request to one upstream, streamed both ways, as a step of the
// request nursery. Outcomes land in the Exchange; nothing expected throws.
//
//   checkout → send header and body → (watch_disconnect starts) → read response
//   header → send it to the client → stream the body → return the connection
//
// A call on a reused keep-alive connection that fails before the upstream
// answered a single byte is replayed once on a new connection (the upstream
// closed an idle connection as we picked it). With route.retries, a failed try
// is made again on another endpoint when it is safe (config::RetryConfig) and
// the route's retry budget allows; each try is bounded by per_try_timeout
// until its response head. Once a response head reaches the client, that is it.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "core/nursery.hpp"
#include "core/this_task.hpp"
#include "gateway/http/client_request_parser.hpp"
#include "gateway/http/upstream_response_parser.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/proxy/attempt_budget.hpp"
#include "gateway/server/exchange.hpp"
#include "gateway/upstream/cluster.hpp"

namespace canopy::gateway {

// An upstream connection whose response header has been read; its body is still on the wire.
struct UpstreamAnswer {
  Lease lease;
  UpstreamResponseParser parser;  // its head views lease.buffer()
};

// The downstream half of the exchange: the client's connection and the parser
// that has read the request header (its body is still on the wire; the head's
// views are valid until `buffer` is read into again).
struct Downstream {
  core::ThisTask task;  // the connection's, which runs each request's nursery body
  TcpSocket& socket;
  boost::beast::flat_buffer& buffer;
  ClientRequestParser& parser;
  std::string ip;
  bool keep_alive = true;
  unsigned version = 11;
  // Where proxy() keeps the answer of the request in progress: in the
  // connection's frame, allocated once, not in a frame of every request.
  std::optional<UpstreamAnswer>& upstream_answer;
  bool watched = false;  // a disconnect watcher waited on the socket after the request was read
};

// Sends the answer's header to the client and streams its body; returns the
// connection to the pool when both sides are done with it.
core::Awaitable<void> forward_response(Downstream& client, const config::RouteConfig& route,
                                       UpstreamAnswer& answer, Exchange& exchange);

// `budget` pays for retries (route.retries).
core::Awaitable<void> proxy(Downstream& client, Cluster& cluster, const config::RouteConfig& route,
                            AttemptBudget& budget, config::HalfClose half_close, core::Nursery& request,
                            Exchange& exchange);

}  // namespace canopy::gateway
