#pragma once
// What happened to one request: filled in as it goes, read by the session to
// decide the answer (502, 504, 499 …) and written as the access-log line.

#include <cstdint>
#include <optional>
#include <string>

#include "core/cancel_reason.hpp"
#include "core/clock.hpp"
#include "gateway/metrics/request_metrics.hpp"
#include "gateway/upstream/upstream_error.hpp"

namespace canopy::gateway {

struct Exchange {
  core::Clock::time_point started = core::Clock::now();
  core::Clock::time_point ended{};  // when it was answered (or given up), as logged and measured
  core::Clock::time_point deadline = core::Clock::time_point::max();  // the route's, maybe shortened by the client
  std::string route;
  std::size_t route_index = static_cast<std::size_t>(-1);  // none: the request matched no route
  std::string method;
  std::string target;
  std::string client;
  std::string upstream;
  std::string endpoint;
  unsigned attempts = 1;  // upstream sends of this request (race and hedge routes send several)
  unsigned status = 0;  // sent (or, with client_gone, the 499 that is logged)
  std::uint64_t bytes_in = 0;   // request body bytes read from the client
  std::uint64_t bytes_out = 0;  // response body bytes written to the client
  UpstreamError upstream_error = UpstreamError::none;
  std::optional<core::CancelReason> cancel_reason;
  std::optional<FanOutResult> fanout;  // aggregate routes: how complete the answer was
  std::string_view refused;            // admission refused it: "queue_full" or "timed_out"
  bool request_complete = false;   // the whole request body was read
  bool response_started = false;   // a status line reached the client
  bool response_complete = false;  // the whole response reached the client
  bool client_gone = false;        // the client closed or reset the connection
  bool bad_request_body = false;   // the client's body broke framing: 400 and close
  bool close_connection = false;   // framing is in doubt, or someone asked to close
};

}  // namespace canopy::gateway
