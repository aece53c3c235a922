#include "gateway/proxy/proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>

#include "gateway/proxy/deadline_header.hpp"
#include "gateway/proxy/headers.hpp"
#include "gateway/proxy/relay.hpp"
#include "gateway/server/watch_disconnect.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::awaitable;

namespace {

constexpr auto as_values = asio::as_tuple(asio::use_awaitable);

void prepare_downstream_response(http::response<http::buffer_body>& response, const Downstream& client,
                                 const config::RouteConfig& route, bool keep_alive) {
  strip_hop_by_hop(response);
  apply_edits(response, route.response_headers);
  response.version(client.version);
  if (client.version < 11 && response.chunked()) {
    // HTTP/1.0 has no chunked coding: send the body as is and end it by closing.
    response.chunked(false);
    keep_alive = false;
  }
  response.keep_alive(keep_alive);
}

}  // namespace

void prepare_upstream_request(http::request<http::buffer_body>& request, const Downstream& client,
                              const config::RouteConfig& route, core::Clock::time_point deadline,
                              const Cluster& cluster) {
  const std::string original_host(request[http::field::host]);
  strip_hop_by_hop(request);
  request.erase(http::field::expect);  // answered by the gateway itself
  add_forwarded(request, client.ip, original_host);
  apply_edits(request, route.request_headers);
  request.target(upstream_target(request.target(), route));
  request.version(11);
  request.keep_alive(true);
  set_deadline_headers(request, deadline, cluster.deadline_headers());
}

awaitable<void> forward_response(Downstream& client, const config::RouteConfig& route, UpstreamAnswer& answer,
                                 Exchange& exchange) {
  auto& response = answer.parser.get();
  exchange.status = response.result_int();
  const bool upstream_keeps_alive = response.keep_alive();
  prepare_downstream_response(response, client, route, client.keep_alive);
  if (!response.keep_alive()) exchange.close_connection = true;
  http::response_serializer<http::buffer_body> response_out(response);
  const auto received = co_await relay(answer.lease.stream(), answer.buffer, answer.parser, client.stream, response_out);
  exchange.response_started = received.header_written;
  exchange.bytes_out += received.body_bytes;
  if (received.outcome == RelayOutcome::cancelled) co_return;
  if (received.outcome == RelayOutcome::write_failed) {
    exchange.client_gone = true;
    co_return;
  }
  if (received.outcome == RelayOutcome::read_failed || received.outcome == RelayOutcome::bad_framing) {
    // Never present a truncated body as complete: the session closes the client connection.
    exchange.upstream_error = UpstreamError::reset;
    exchange.close_connection = true;
    co_return;
  }
  exchange.response_complete = true;
  if (upstream_keeps_alive) answer.lease.release_for_reuse();
}

awaitable<void> proxy(Downstream& client, Cluster& cluster, const config::RouteConfig& route,
                      config::HalfClose half_close, core::Nursery& request, Exchange& exchange) {
  auto& message = client.parser.get();
  const bool head = message.method() == http::verb::head;
  prepare_upstream_request(message, client, route, exchange.deadline, cluster);
  exchange.upstream = cluster.name();

  for (int attempt = 0; attempt < 2; ++attempt) {
    EndpointPool& endpoint = cluster.pick();
    exchange.endpoint = endpoint.name();
    UpstreamCallRecord call(cluster.metrics());
    Checkout checkout = co_await endpoint.checkout(/*fresh=*/attempt > 0);
    if (checkout.error != UpstreamError::none) {
      call.failed(checkout.error);
      exchange.upstream_error = checkout.error;
      co_return;
    }
    UpstreamAnswer answer{std::move(checkout.lease)};
    Lease& lease = answer.lease;

    // The request: header, then the body straight from the client.
    http::request_serializer<http::buffer_body> request_out(message);
    const auto sent = co_await relay(client.stream, client.buffer, client.parser, lease.stream(), request_out);
    exchange.bytes_in += sent.body_bytes;
    if (sent.outcome == RelayOutcome::cancelled) co_return;  // the scope says why
    if (sent.outcome == RelayOutcome::read_failed) {
      exchange.client_gone = true;
      co_return;
    }
    if (sent.outcome == RelayOutcome::bad_framing) {
      exchange.bad_request_body = true;
      exchange.close_connection = true;
      co_return;
    }
    // Replaying is safe only if no body byte was taken from the client yet.
    const bool may_retry = lease.reused() && sent.body_bytes == 0 && attempt == 0;
    if (sent.outcome == RelayOutcome::write_failed) {
      call.failed(UpstreamError::send_failed);
      if (may_retry) continue;
      exchange.upstream_error = UpstreamError::send_failed;
      co_return;
    }
    exchange.request_complete = true;
    if (attempt == 0) {
      request.start_soon("watch_disconnect",
                         watch_disconnect(client.stream.socket(), request.cancel_scope(), half_close));
    }

    // The response header.
    answer.parser.body_limit(boost::none);
    answer.parser.skip(head);
    auto [read_ec, read_n] = co_await http::async_read_header(lease.stream(), answer.buffer, answer.parser, as_values);
    if (read_ec == asio::error::operation_aborted) co_return;
    if (read_ec) {
      call.failed(read_error(read_ec));
      if (may_retry && answer.buffer.size() == 0 && read_error(read_ec) == UpstreamError::reset) continue;
      exchange.upstream_error = read_error(read_ec);
      co_return;
    }

    call.answered(answer.parser.get().result_int());
    co_await forward_response(client, route, answer, exchange);
    co_return;
  }
}

}  // namespace canopy::gateway
