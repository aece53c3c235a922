#include "gateway/fanout/aggregate.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "core/cancelled.hpp"
#include "core/deadline.hpp"
#include "core/error_group.hpp"
#include "gateway/fanout/backend_call.hpp"
#include "gateway/server/responses.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using asio::awaitable;

namespace {

enum class PartState { pending, done, failed, cancelled };

struct Part {
  PartState state = PartState::pending;
  json::value value;
  unsigned status = 0;
  std::string reason;  // deadline, upstream_error, status, not_json, too_large, cancelled
};

// Thrown by a backend task whose failure fails the whole request.
struct RequiredBackendFailed : std::runtime_error {
  explicit RequiredBackendFailed(const std::string& what) : std::runtime_error(what) {}
};

std::string label_of(const config::AggregateBackend& backend) { return backend.key.empty() ? backend.upstream : backend.key; }

std::string expand(std::string path, std::string_view query, std::string_view rest) {
  auto replace = [&path](std::string_view token, std::string_view with) {
    for (auto at = path.find(token); at != std::string::npos; at = path.find(token, at + with.size())) {
      path.replace(at, token.size(), with);
    }
  };
  replace("{query}", query);
  replace("{rest}", rest);
  return path;
}

Part settle(const BackendReply& reply) {
  Part part;
  part.status = reply.status;
  if (reply.outcome == BackendOutcome::upstream_error) {
    part.state = PartState::failed;
    part.reason = "upstream_error";
    part.status = status_for(reply.error);
    return part;
  }
  if (reply.outcome == BackendOutcome::too_large) {
    part.state = PartState::failed;
    part.reason = "too_large";
    return part;
  }
  if (reply.status < 200 || reply.status > 299) {
    part.state = PartState::failed;
    part.reason = "status";
    return part;
  }
  boost::system::error_code ec;
  part.value = json::parse(reply.body, ec);
  part.state = ec ? PartState::failed : PartState::done;
  if (ec) part.reason = "not_json";
  return part;
}

}  // namespace

awaitable<void> aggregate(Downstream& client, const std::vector<Cluster*>& clusters, const config::RouteConfig& route,
                          core::Nursery& request, Exchange& exchange) {
  const auto& config = *route.aggregate;
  std::vector<Part> parts(config.backends.size());
  std::size_t answered = 0;
  const auto target = std::string(client.parser.get().target());
  const auto q = target.find('?');
  const std::string_view query = q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);
  std::string_view path = std::string_view(target).substr(0, q);
  const std::string_view rest =
      route.match.path_prefix && path.size() > route.match.path_prefix->size() ? path.substr(route.match.path_prefix->size()) : "";
  exchange.upstream = "aggregate";

  auto call = [&](std::size_t i, core::Nursery& fan_out) -> awaitable<void> {
    const auto& backend = config.backends[i];
    BackendRequest call_request{backend.method, expand(backend.path, query, rest), client.ip, exchange.deadline,
                                config.max_backend_body_bytes};
    if (backend.timeout) call_request.deadline = std::min(call_request.deadline, core::Clock::now() + *backend.timeout);
    try {
      auto reply = co_await core::move_on_at(call_request.deadline,
                                             call_backend(*clusters[i], call_request));
      parts[i] = reply ? settle(*reply) : Part{PartState::failed, {}, 504, "deadline"};
    } catch (...) {
      parts[i].state = PartState::cancelled;  // the request or a sibling ended this call
      parts[i].reason = "cancelled";
      throw;
    }
    if (parts[i].state == PartState::done) {
      if (config.policy == config::AggregatePolicy::quorum && ++answered == config.quorum) {
        fan_out.cancel_scope().cancel();  // enough answers: the rest are not needed
      }
      co_return;
    }
    if (config.policy == config::AggregatePolicy::all || backend.required) {
      throw RequiredBackendFailed(label_of(backend) + ": " + parts[i].reason);
    }
  };

  core::ScopeResult result;
  try {
    result = co_await core::open_nursery(
        [&](core::Nursery& fan_out) -> awaitable<void> {
          for (std::size_t i = 0; i < config.backends.size(); ++i) {
            fan_out.start_soon(label_of(config.backends[i]), call(i, fan_out));
          }
          co_return;
        },
        {.name = "fan-out", .deadline = exchange.deadline, .parent = &request});
  } catch (const RequiredBackendFailed&) {
    exchange.upstream_error = UpstreamError::invalid_response;
  } catch (const core::ErrorGroup&) {
    exchange.upstream_error = UpstreamError::invalid_response;
  }
  if (exchange.upstream_error != UpstreamError::none) co_return;  // 502, written by the session

  // Mark what the deadline cut off; decide whether there is an answer.
  bool complete = true, required_missing = false;
  std::size_t done = 0;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].state == PartState::done) {
      ++done;
      continue;
    }
    if (parts[i].state == PartState::pending || parts[i].state == PartState::cancelled) {
      parts[i].reason = result.reason == core::CancelReason::deadline ? "deadline" : "cancelled";
      parts[i].status = 504;
    }
    const bool needed = config.policy == config::AggregatePolicy::all || config.backends[i].required;
    required_missing = required_missing || needed;
    complete = false;
  }
  if (config.policy == config::AggregatePolicy::quorum) {
    complete = done == parts.size();
    if (done < config.quorum) required_missing = true;
  }
  if (required_missing) {
    if (result.reason == core::CancelReason::deadline) exchange.cancel_reason = core::CancelReason::deadline;
    else exchange.upstream_error = UpstreamError::invalid_response;
    co_return;
  }

  json::object merged, errors;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& backend = config.backends[i];
    if (parts[i].state != PartState::done) {
      errors[label_of(backend)] = json::object{{"status", parts[i].status}, {"reason", parts[i].reason}};
    } else if (backend.key.empty() && parts[i].value.is_object()) {
      for (auto& [k, v] : parts[i].value.as_object()) merged[k] = v;
    } else {
      merged[backend.key.empty() ? backend.upstream : backend.key] = parts[i].value;
    }
  }
  if (config.errors_in_body && !errors.empty()) merged["canopy_errors"] = std::move(errors);

  SimpleResponse response{http::status::ok, client.version};
  response.set(http::field::server, "canopy");
  response.set(http::field::content_type, "application/json");
  response.set("X-Canopy-Completed", complete ? "true" : "false");
  response.body() = json::serialize(merged);
  response.keep_alive(client.keep_alive && client.parser.is_done());
  response.prepare_payload();
  exchange.status = 200;
  exchange.bytes_out = response.body().size();
  exchange.response_started = true;
  exchange.response_complete = co_await send(client.stream, response);
  if (!exchange.response_complete) exchange.client_gone = true;
  if (!client.parser.is_done()) exchange.close_connection = true;
}

}  // namespace canopy::gateway
