#pragma once
// One call of a fan-out: a small request to one upstream and its whole response
// read into memory (fan-out merges JSON, so it cannot stream), bounded by
// max_body_bytes. Cancel-safe: cancelling the calling task closes its connection.

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/executor.hpp"
#include "gateway/http/client_request_parser.hpp"
#include "gateway/upstream/cluster.hpp"

namespace canopy::gateway {

struct BackendRequest {
  std::string_view method;
  std::string target;
  std::string_view client_ip;
  core::Clock::time_point deadline;  // sent upstream as the time left (Cluster::deadline_headers)
  std::size_t max_body_bytes;
  // Headers of the incoming request copied to the call (lower-case names).
  const ClientRequestParser* forward_from = nullptr;
  const std::vector<std::string>* forward_headers = nullptr;
};

enum class BackendOutcome {
  answered,        // status and body are set (any status)
  upstream_error,  // error says why
  too_large,       // the body exceeded max_body_bytes
};

struct BackendReply {
  BackendOutcome outcome = BackendOutcome::answered;
  UpstreamError error = UpstreamError::none;
  unsigned status = 0;
  std::string body;
  std::string endpoint;
};

core::Awaitable<BackendReply> call_backend(Cluster& cluster, const BackendRequest& request);

}  // namespace canopy::gateway
