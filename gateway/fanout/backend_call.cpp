#include "gateway/fanout/backend_call.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <algorithm>
#include <optional>

#include "core/executor.hpp"
#include "gateway/http/read_message.hpp"
#include "gateway/http/response_head.hpp"
#include "gateway/net/send_now.hpp"
#include "gateway/proxy/deadline_header.hpp"
#include "gateway/proxy/headers.hpp"
#include "gateway/upstream/upstream_call.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// The call's head, written as text (no field set is built): request line, the
// client's headers the route forwards, then Host, X-Forwarded-For/-Proto and the
// time left, which replace any forwarded header of the same name.
std::string backend_head(const BackendRequest& request, std::string_view host,
                         const std::vector<config::DeadlineHeader>& deadline_headers) {
  std::string head;
  head.reserve(256);
  head.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
  const auto add = [&](std::string_view name, std::string_view value) {
    head.append(name).append(": ").append(value).append("\r\n");
  };
  if (request.forward_from) {
    const auto ours = [&](std::string_view name) {
      return beast::iequals(name, "host") || beast::iequals(name, "x-forwarded-for") ||
             beast::iequals(name, "x-forwarded-proto") ||
             std::any_of(deadline_headers.begin(), deadline_headers.end(),
                         [&](auto h) { return beast::iequals(name, deadline_header_name(h)); });
    };
    for (const auto& name : *request.forward_headers) {
      for (const auto& field : request.forward_from->fields()) {
        if (!beast::iequals(field.name, name)) continue;
        if (!is_hop_by_hop(field.id) && !ours(field.name)) add(field.name, field.value);
      }
    }
  }
  add("Host", host);
  add("X-Forwarded-For", request.client_ip);
  add("X-Forwarded-Proto", "http");
  const auto left = deadline_headers.empty() ? std::chrono::milliseconds(0) : deadline_time_left(request.deadline);
  for (const auto header : deadline_headers) add(deadline_header_name(header), deadline_header_value(header, left));
  return head.append("\r\n");
}

}  // namespace

core::Awaitable<BackendReply> call_backend(Cluster& cluster, const BackendRequest& request) {
  constexpr auto as_values = asio::as_tuple(core::use_awaitable);
  BackendReply reply;
  for (int attempt = 0; attempt < 2; ++attempt) {
    EndpointPool* picked = cluster.pick();
    if (!picked) {
      cluster.metrics().not_called(UpstreamError::no_healthy_endpoint);
      co_return BackendReply{BackendOutcome::upstream_error, UpstreamError::no_healthy_endpoint};
    }
    EndpointPool& endpoint = *picked;
    reply.endpoint = endpoint.name();
    UpstreamCall call(cluster, endpoint);
    std::optional<Checkout> ready = endpoint.checkout_now(/*fresh=*/attempt > 0);
    if (!ready) ready = co_await endpoint.checkout(/*fresh=*/attempt > 0);
    Checkout& checkout = *ready;
    if (checkout.error != UpstreamError::none) {
      call.failed(checkout.error);
      co_return BackendReply{BackendOutcome::upstream_error, checkout.error};
    }
    Lease& lease = checkout.lease;

    const std::string head = backend_head(request, endpoint.name(), cluster.deadline_headers());
    const bool may_retry = lease.reused() && attempt == 0;  // nothing of the client's is consumed
    std::array<asio::const_buffer, 1> message{asio::buffer(head)};
    boost::system::error_code write_ec;
    if (const auto rest = send_what_goes_now(lease.socket(), message, write_ec); !rest.empty()) {
      auto [ec, written] = co_await asio::async_write(lease.socket(), rest, as_values);
      write_ec = ec;
    }
    if (write_ec == asio::error::operation_aborted) throw boost::system::system_error(write_ec);
    if (write_ec) {
      call.failed(UpstreamError::send_failed);
      if (may_retry) continue;
      co_return BackendReply{BackendOutcome::upstream_error, UpstreamError::send_failed};
    }

    UpstreamResponseParser in;  // its fields go nowhere
    in.skip(request.method == "HEAD");
    const auto read_ec =
        co_await read_whole_response(lease.socket(), lease.buffer(), in, reply.body, request.max_body_bytes);
    if (read_ec == asio::error::operation_aborted) throw boost::system::system_error(read_ec);
    if (read_ec == http::error::body_limit) {
      call.answered(in.status());
      co_return BackendReply{BackendOutcome::too_large};
    }
    if (read_ec) {
      const auto error = read_error(read_ec);
      call.failed(error);
      if (may_retry && error == UpstreamError::reset && !in.is_header_done() && lease.buffer().size() == 0) continue;
      co_return BackendReply{BackendOutcome::upstream_error, error};
    }
    reply.status = in.status();
    call.answered(reply.status);
    if (in.keep_alive()) lease.release_for_reuse();  // not after a body the close ended
    co_return reply;
  }
  co_return BackendReply{BackendOutcome::upstream_error, UpstreamError::reset};
}

}  // namespace canopy::gateway
