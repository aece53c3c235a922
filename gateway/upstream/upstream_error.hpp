#pragma once
// Why a call to an upstream failed, and what the client gets for it. Expected
// network outcomes are values, not exceptions (style.md, rule 8).

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>
#include <string_view>

namespace canopy::gateway {

enum class UpstreamError {
  none,
  pool_full,          // max_connections in use and the wait for one timed out → 503
  connect_failed,     // refused, unreachable → 502
  connect_timeout,    // connect_timeout passed → 502
  send_failed,        // writing the request failed → 502
  reset,              // the upstream closed or reset before a complete response → 502
  invalid_response,   // not HTTP, or framing we will not relay → 502
  timeout,            // a try's per_try_timeout passed before the response head → 504
  circuit_open,       // the upstream's circuit breaker is at max_requests or max_pending → 503
  no_healthy_endpoint,  // active health checks found every endpoint unhealthy → 503
};
inline constexpr std::size_t upstream_error_count = 10;

constexpr std::string_view to_string(UpstreamError e) noexcept {
  switch (e) {
    case UpstreamError::none: return "none";
    case UpstreamError::pool_full: return "pool_full";
    case UpstreamError::connect_failed: return "connect_failed";
    case UpstreamError::connect_timeout: return "connect_timeout";
    case UpstreamError::send_failed: return "send_failed";
    case UpstreamError::reset: return "reset";
    case UpstreamError::invalid_response: return "invalid_response";
    case UpstreamError::timeout: return "timeout";
    case UpstreamError::circuit_open: return "circuit_open";
    case UpstreamError::no_healthy_endpoint: return "no_healthy_endpoint";
  }
  return "unknown";
}

// A read from an upstream failed: it closed or reset the connection, or sent
// something that is not valid HTTP.
inline UpstreamError read_error(const boost::system::error_code& ec) noexcept {
  const bool closed = ec == boost::beast::http::error::end_of_stream || ec == boost::asio::error::eof ||
                      ec == boost::asio::error::connection_reset || ec == boost::asio::error::broken_pipe;
  return closed ? UpstreamError::reset : UpstreamError::invalid_response;
}

// Our own refusals (overload, nothing healthy to call) are not the upstream's
// failures: they say nothing about an endpoint's health.
constexpr bool refused_by_gateway(UpstreamError e) noexcept {
  return e == UpstreamError::pool_full || e == UpstreamError::circuit_open || e == UpstreamError::no_healthy_endpoint;
}

constexpr unsigned status_for(UpstreamError e) noexcept {
  return refused_by_gateway(e) ? 503 : e == UpstreamError::timeout ? 504 : 502;
}

}  // namespace canopy::gateway
