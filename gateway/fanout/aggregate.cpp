#include "gateway/fanout/aggregate.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <stdexcept>

#include "core/cancelled.hpp"
#include "core/deadline.hpp"
#include "core/error_group.hpp"
#include "core/executor.hpp"
#include "gateway/fanout/backend_call.hpp"
#include "gateway/fanout/backend_target.hpp"
#include "gateway/fanout/parts.hpp"
#include "gateway/server/responses.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// Thrown by a backend task whose failure fails the whole request.
struct RequiredBackendFailed : std::runtime_error {
  explicit RequiredBackendFailed(const std::string& what) : std::runtime_error(what) {}
};

// One aggregate request's backends, as tasks of its fan-out nursery.
class FanOut {
 public:
  FanOut(const config::AggregateConfig& config, const std::vector<Cluster*>& clusters, const IncomingValues& incoming,
         std::string_view client_ip, core::Clock::time_point deadline)
      : config_(config), clusters_(clusters), incoming_(incoming), client_ip_(client_ip), deadline_(deadline),
        // Values keep the storage they were made with: a part assigned later moves into the arena only if
        // its slot is already there.
        parts_(config.backends.size(), Part{.value = json::value(json_storage())}) {}

  // Starts every backend that does not wait for another one.
  void start(core::Nursery& fan_out) {
    for (std::size_t i = 0; i < config_.backends.size(); ++i) {
      if (!config_.backends[i].after) fan_out.start_soon(label_of(config_.backends[i]), call(i, fan_out));
    }
  }

  std::vector<Part>& parts() noexcept { return parts_; }
  // Where the parts' JSON lives, and the merged answer made of it: one arena per
  // request, given back at once (a DOM allocates per value otherwise).
  json::storage_ptr json_storage() noexcept { return json::storage_ptr(&json_memory_); }

 private:
  bool needed(std::size_t i) const {
    return config_.policy == config::AggregatePolicy::all || config_.backends[i].required;
  }

  core::Clock::time_point deadline_of(const config::AggregateBackend& backend) const {
    // A shielded call may outlive the request's cancellation by its shield.
    auto deadline = backend.shield ? deadline_ + *backend.shield : deadline_;
    if (backend.timeout) deadline = std::min(deadline, core::Clock::now() + *backend.timeout);
    return deadline;
  }

  core::Awaitable<void> call(std::size_t i, core::Nursery& fan_out) {
    const auto& backend = config_.backends[i];
    auto filled = fill_backend_target(backend.path, incoming_, backend.after ? &parts_[*backend.after].value : nullptr);
    if (!filled.missing.empty()) {
      parts_[i] = Part{PartState::failed, {}, 502, "missing_field"};
    } else {
      BackendRequest request{backend.method, std::move(filled.target), client_ip_, deadline_of(backend),
                             config_.max_backend_body_bytes, incoming_.request, &config_.forward_headers};
      try {
        if (backend.shield) {
          co_await core::open_nursery(
              [&](core::Nursery&) -> core::Awaitable<void> { co_await ask(i, request); },
              {.name = "shield", .shield = core::Shield::grace(*backend.shield), .parent = &fan_out});
        } else if (request.deadline == deadline_) {
          // The common case, without ask()'s coroutine frame in between.
          auto reply = co_await call_backend(*clusters_[i], request);
          take(i, std::move(reply));
        } else {
          co_await ask(i, request);
        }
      } catch (...) {
        parts_[i].state = PartState::cancelled;  // the request or a sibling ended this call
        parts_[i].reason = "cancelled";
        throw;
      }
    }
    conclude(i, fan_out);
  }

  core::Awaitable<void> ask(std::size_t i, const BackendRequest& request) {
    if (request.deadline == deadline_) {
      // The fan-out's scope ends the call at this deadline anyway (its timer, armed first, fires
      // first): a scope of its own would only cost a nursery, a task and a timer per call.
      auto reply = co_await call_backend(*clusters_[i], request);
      take(i, std::move(reply));
      co_return;
    }
    auto reply = co_await core::move_on_at(request.deadline, call_backend(*clusters_[i], request));
    if (reply) {
      take(i, std::move(*reply));
    } else {
      parts_[i] = Part{PartState::failed, {}, 504, "deadline"};
    }
  }

  void take(std::size_t i, BackendReply reply) {
    parts_[i] = settle(std::move(reply), json_storage(), needs_document(config_, i));
  }

  // After backend i ended: start what follows it, or fail what cannot run now.
  void conclude(std::size_t i, core::Nursery& fan_out) {
    if (parts_[i].state == PartState::done) {
      for (std::size_t j = i + 1; j < config_.backends.size(); ++j) {
        if (config_.backends[j].after == i) fan_out.start_soon(label_of(config_.backends[j]), call(j, fan_out));
      }
      if (config_.policy == config::AggregatePolicy::quorum && ++answered_ == config_.quorum) {
        fan_out.cancel_scope().cancel();  // enough answers: the rest are not needed
      }
      return;
    }
    const bool followers_needed = fail_followers(i);
    if (needed(i) || followers_needed) {
      throw RequiredBackendFailed(label_of(config_.backends[i]) + ": " + parts_[i].reason);
    }
  }

  // Marks every backend that waits (directly or not) for backend i as failed;
  // whether one of them was needed.
  bool fail_followers(std::size_t i) {
    bool any_needed = false;
    for (std::size_t j = i + 1; j < config_.backends.size(); ++j) {
      if (config_.backends[j].after != i) continue;
      parts_[j] = Part{PartState::failed, {}, 502, "dependency_failed"};
      any_needed = needed(j) || fail_followers(j) || any_needed;
    }
    return any_needed;
  }

  const config::AggregateConfig& config_;
  const std::vector<Cluster*>& clusters_;
  const IncomingValues& incoming_;
  std::string_view client_ip_;
  core::Clock::time_point deadline_;
  json::monotonic_resource json_memory_;
  std::vector<Part> parts_;
  std::size_t answered_ = 0;
};

}  // namespace

core::Awaitable<void> aggregate(Downstream& client, const std::vector<Cluster*>& clusters,
                                const config::RouteConfig& route, core::Nursery& request, Exchange& exchange) {
  const auto& config = *route.aggregate;
  const std::string_view target = client.parser.target();
  const auto q = target.find('?');
  const std::string_view path = target.substr(0, q);
  IncomingValues incoming{.path = path,
                          .query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1),
                          .route_pattern = route.match.path ? std::string_view(*route.match.path) : std::string_view(),
                          .rest = route.match.path_prefix && path.size() > route.match.path_prefix->size()
                                      ? path.substr(route.match.path_prefix->size())
                                      : std::string_view(),
                          .request = &client.parser};
  exchange.upstream = "aggregate";
  FanOut fan_out_calls(config, clusters, incoming, client.ip, exchange.deadline);

  core::ScopeResult result;
  try {
    result = co_await core::open_nursery_in_task(
        client.task,
        [&](core::Nursery& fan_out) -> core::Awaitable<void> {
          fan_out_calls.start(fan_out);
          co_return;
        },
        {.name = "fan-out", .deadline = exchange.deadline, .parent = &request});
  } catch (const RequiredBackendFailed&) {
    exchange.upstream_error = UpstreamError::invalid_response;
  } catch (const core::ErrorGroup&) {
    exchange.upstream_error = UpstreamError::invalid_response;
  }
  exchange.fanout = FanOutResult::failed;
  if (exchange.upstream_error != UpstreamError::none) co_return;  // 502, written by the session

  // Mark what the deadline cut off; decide whether there is an answer.
  auto& parts = fan_out_calls.parts();
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
    required_missing = required_missing || config.policy == config::AggregatePolicy::all || config.backends[i].required;
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

  exchange.fanout = complete ? FanOutResult::complete : FanOutResult::partial;
  SimpleResponse response{http::status::ok, client.version};
  response.set(http::field::server, "canopy");
  response.set(http::field::content_type, "application/json");
  response.set("X-Canopy-Completed", complete ? "true" : "false");
  response.body() = merged_answer(config, parts, fan_out_calls.json_storage());
  response.keep_alive(client.keep_alive && client.parser.is_done());
  response.prepare_payload();
  exchange.status = 200;
  exchange.bytes_out = client.parser.method() == http::verb::head ? 0 : response.body().size();
  exchange.response_started = true;
  exchange.response_complete = co_await send(client.socket, response, client.parser.method());
  if (!exchange.response_complete) exchange.client_gone = true;
  if (!client.parser.is_done()) exchange.close_connection = true;
}

}  // namespace canopy::gateway
