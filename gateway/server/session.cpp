// The life of a downstream connection and of every request on it, in order:
//
//   read header → check limits → route → (100 Continue) → answer:
//     static route: the configured response
//     too little time left (min_budget): 504 at once
//     proxy route:  a request nursery (its body run in the connection's task)
//                   under a cancel scope whose deadline is the
//                   route timeout: proxy (+ watch_disconnect once the body is in);
//                   race / hedge routes: several attempts, the first good one wins
//     aggregate:    the same nursery, with the fan-out's own nursery inside
//   → answer what went wrong, if anything (502 / 503 / 504; 499 is only logged)
//   → access-log line → keep alive, or close
//
// Cancel edges: the route deadline, the client leaving, and the end of the
// drain (Server::cut_requests: 503) cancel the request scope; every upstream
// socket of the request closes with it.
#include "gateway/server/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include "core/cancelled.hpp"
#include "core/nursery.hpp"
#include "gateway/fanout/aggregate.hpp"
#include "gateway/http/request_head.hpp"
#include "gateway/log/access_log.hpp"
#include "gateway/net/ip_text.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/proxy/attempts.hpp"
#include "gateway/proxy/deadline_header.hpp"
#include "gateway/proxy/proxy.hpp"
#include "gateway/server/admission.hpp"
#include "gateway/server/head_wait.hpp"
#include "gateway/server/responses.hpp"
#include "gateway/server/watch_disconnect.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto as_values = asio::as_tuple(core::use_awaitable);

unsigned status_of(HeadOutcome outcome) {
  switch (outcome) {
    case HeadOutcome::uri_too_long: return 414;
    case HeadOutcome::header_too_large: return 431;
    case HeadOutcome::body_too_large: return 413;
    default: return 400;
  }
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

bool expects_continue(const ClientRequestParser& request) {
  return beast::iequals(request[http::field::expect], "100-continue");
}

// Counts the request as in flight and logs it exactly once, however it ends.
class RequestRecord {
 public:
  RequestRecord(Server& server, Gateway& gateway, Exchange& exchange)
      : server_(server), gateway_(gateway), exchange_(exchange) {
    server_.request_started();
  }
  ~RequestRecord() {
    if (exchange_.client_gone || exchange_.cancel_reason == core::CancelReason::client_disconnect) {
      exchange_.status = 499;  // NGINX's convention: the client closed the request
    }
    exchange_.ended = core::Clock::now();
    log_access(exchange_);
    gateway_.metrics().route(exchange_.route_index).record(method_label_index(exchange_.method), exchange_.status,
                                                            exchange_.ended - exchange_.started,
                                                            exchange_.cancel_reason, exchange_.fanout);
    server_.request_finished();
  }
  RequestRecord(const RequestRecord&) = delete;
  RequestRecord& operator=(const RequestRecord&) = delete;

 private:
  Server& server_;
  Gateway& gateway_;
  Exchange& exchange_;
};

// Time an aggregate route keeps after its deadline to write what it has.
constexpr auto answer_grace = std::chrono::seconds(1);

// The proxy or fan-out step under the request's own cancel scope; the scope's
// result comes once every task of the request has ended. Not a coroutine (one
// frame less per request): the body captures what it needs by value or refers
// to what outlives the request.
core::Awaitable<core::ScopeResult> run_in_request_scope(Server& server, Gateway& gateway, Downstream& client,
                                                        std::size_t route_index, Exchange& exchange) {
  const auto& route = gateway.route(route_index);
  const auto half_close = gateway.config().server.client_half_close;
  return core::open_nursery_in_task(
      client.task,
      [&server, &gateway, &client, &exchange, &route, route_index,
       half_close](core::Nursery& request) -> core::Awaitable<void> {
        InFlightScope reachable_by_drain(server, request.cancel_scope());
        if (route.aggregate) {
          watch_disconnect(request, client, half_close);
          co_await aggregate(client, gateway.backend_clusters(route_index), route, request, exchange);
        } else if (route.attempts && may_send_twice(exchange.method, !client.parser.is_done())) {
          co_await proxy_attempts(client, *gateway.cluster_for(route_index), route, gateway.attempt_budget(route_index),
                                  half_close, request, exchange);
        } else {
          co_await proxy(client, *gateway.cluster_for(route_index), route, gateway.attempt_budget(route_index), half_close,
                         request, exchange);
        }
        request.cancel_scope().cancel();  // answered: end watch_disconnect
      },
      {.name = route.name, .deadline = route.aggregate ? exchange.deadline + answer_grace : exchange.deadline});
}

// The proxy step answered and the client is still there: nothing is left to
// send or to decide (answer_failure would return at once).
bool answered_completely(const Exchange& exchange) {
  return exchange.response_complete && !exchange.client_gone &&
         exchange.cancel_reason != core::CancelReason::client_disconnect;
}

// What the client gets when the proxy step did not answer completely.
core::Awaitable<void> answer_failure(Downstream& client, Exchange& exchange) {
  if (exchange.client_gone || exchange.cancel_reason == core::CancelReason::client_disconnect) {
    exchange.close_connection = true;  // nobody left to answer
    co_return;
  }
  if (exchange.response_complete) co_return;
  if (exchange.response_started) {
    exchange.close_connection = true;  // a truncated body must not look complete
    co_return;
  }
  unsigned status = 502;
  std::string detail = "upstream " + exchange.upstream + " failed (" + std::string(to_string(exchange.upstream_error)) + ")";
  if (exchange.bad_request_body) {
    status = 400;
    detail = "the request body breaks HTTP framing";
  } else if (exchange.cancel_reason == core::CancelReason::deadline) {
    status = 504;
    detail = "route " + exchange.route + " timed out";
  } else if (exchange.cancel_reason == core::CancelReason::shutdown) {
    status = 503;  // cut by the end of the drain: another replica can take it
    detail = "the gateway is shutting down; retry";
    exchange.close_connection = true;
  } else if (exchange.upstream_error != UpstreamError::none) {
    status = status_for(exchange.upstream_error);
  }
  exchange.status = status;
  exchange.close_connection = exchange.close_connection || !exchange.request_complete;
  auto response = error_response(status, client.version, client.keep_alive && !exchange.close_connection, detail);
  if (!co_await send(client.socket, response, client.parser.method())) exchange.client_gone = true;
}

// The request ends with `response`, in a coroutine of its own: the responses
// of the paths that answer at once take no room in the frame of the path that
// proxies, which every request allocates.
core::Awaitable<void> reply(Downstream& client, Exchange& exchange, SimpleResponse response) {
  exchange.status = response.result_int();
  exchange.close_connection = exchange.close_connection || !client.parser.is_done();
  response.keep_alive(client.keep_alive && !exchange.close_connection);
  exchange.response_complete = co_await send(client.socket, response, client.parser.method());
  exchange.client_gone = !exchange.response_complete;
}

// Admission, 100 Continue, the request scope, and what went wrong if anything.
core::Awaitable<void> answer_routed(Server& server, Gateway& gateway, Downstream& client, Exchange& exchange,
                                    std::size_t route_index) {
  std::optional<RequestAdmission> admission = admit_request_now(gateway, route_index);
  if (!admission) admission = co_await admit_request(gateway, route_index);
  if (!admission->admitted()) {
    exchange.refused = admission->refused;
    auto refused = reply(client, exchange, error_response(503, client.version, true, admission->detail));  // with Retry-After
    co_await std::move(refused);
    co_return;
  }
  if (!client.parser.is_done() && expects_continue(client.parser) && !co_await send_continue(client.socket)) {
    exchange.client_gone = true;
    co_return;
  }
  try {
    const auto scope = co_await run_in_request_scope(server, gateway, client, route_index, exchange);
    if (scope.outcome == core::ScopeOutcome::cancelled && scope.reason != core::CancelReason::explicit_cancel) {
      exchange.cancel_reason = scope.reason;
    }
  } catch (const core::Cancelled& cancelled) {
    exchange.cancel_reason = cancelled.reason();  // the gateway is shutting down
    exchange.close_connection = true;
    throw;
  }
  // Checked here, not in answer_failure: most requests are answered, and a
  // coroutine that returns at once still costs a frame.
  if (!answered_completely(exchange)) co_await answer_failure(client, exchange);
}

// Routes and answers one request whose header has been read. Not a coroutine:
// what is decided at once returns its reply, the rest answer_routed.
core::Awaitable<void> answer(Server& server, Gateway& gateway, Downstream& client, Exchange& exchange) {
  auto& request = client.parser;
  const auto decision = gateway.router().route(request[http::field::host], request.method_string(), path_of(request.target()));
  if (decision.kind == RouteMatchKind::not_found) {
    return reply(client, exchange,
                 error_response(404, client.version, true,
                                "no route for " + exchange.method + " " + std::string(path_of(exchange.target))));
  }
  if (decision.kind == RouteMatchKind::method_not_allowed) {
    auto response = error_response(405, client.version, true, exchange.method + " is not allowed here");
    response.set(http::field::allow, decision.allow);
    return reply(client, exchange, std::move(response));
  }
  const auto& route = gateway.route(decision.route);
  exchange.route = route.name;
  exchange.route_index = decision.route;
  exchange.deadline = exchange.started + route.timeout;
  if (gateway.config().server.trust_deadline_header) {
    if (auto asked = requested_deadline(request[deadline_header], request[grpc_timeout_header], exchange.started)) {
      exchange.deadline = std::min(exchange.deadline, *asked);
    }
  }
  request.forget(deadline_header);  // upstream calls carry our own
  if (route.min_budget && exchange.deadline - exchange.started < *route.min_budget) {
    // Deadline-aware admission: work that cannot finish in time is not started.
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(exchange.deadline - exchange.started);
    const auto needed = std::chrono::duration_cast<std::chrono::milliseconds>(*route.min_budget);
    exchange.cancel_reason = core::CancelReason::deadline;
    return reply(client, exchange,
                 error_response(504, client.version, true,
                                "the request's deadline leaves " + std::to_string(left.count()) + " ms; route " +
                                    route.name + " needs at least " + std::to_string(needed.count()) + " ms"));
  }
  if (route.static_response) return reply(client, exchange, static_response(*route.static_response, client.version, true));
  return answer_routed(server, gateway, client, exchange, decision.route);
}

}  // namespace

core::Awaitable<void> serve_connection(Server& server, TcpSocket socket, tcp::endpoint peer,
                                       [[maybe_unused]] core::Permit slot, core::ThisTask self) {
  const std::string client_ip = ip_text(peer.address());
  beast::flat_buffer buffer;
  std::optional<UpstreamAnswer> upstream_answer;  // of the request in progress (proxy())
  auto waiting_since = core::Clock::now();        // for the next request head: accepted, or the last answered
  bool watched = false;                           // the last request's disconnect watcher waited on the socket

  for (bool first = true;; first = false) {
    // The config as of this request: a reload applies from the next request on.
    const std::shared_ptr<Gateway> snapshot = server.gateway();
    Gateway& gateway = *snapshot;
    const auto& settings = gateway.config().server;
    const HeadLimits limits{settings.max_header_bytes, settings.max_uri_bytes, settings.max_body_bytes};
    ClientRequestParser parser;
    parser.header_limit(static_cast<std::uint32_t>(settings.max_header_bytes + 4));
    parser.body_limit(settings.max_body_bytes);

    HeadResult head;
    {
      // The whole head within the timeout, however slowly it trickles in.
      const HeadWait wait(server.deadlines(), socket,
                          waiting_since + (first ? settings.header_timeout : settings.idle_timeout));
      head = co_await read_request_head(socket, buffer, parser, limits, first || watched);
    }
    if (head.outcome != HeadOutcome::complete) {
      if (head.outcome != HeadOutcome::closed) {
        Exchange exchange{.client = client_ip, .status = status_of(head.outcome)};
        RequestRecord record(server, gateway, exchange);
        auto response = error_response(exchange.status, 11, false, head.detail);
        co_await send(socket, response, http::verb::unknown);  // the method may not have been read
      }
      co_return;  // the framing is in doubt, or there is nobody left to talk to
    }

    Downstream client{self, socket, buffer, parser, client_ip, parser.keep_alive(), parser.version(), upstream_answer};
    Exchange exchange{.method = std::string(parser.method_string()), .target = std::string(parser.target()),
                      .client = client_ip};
    {
      RequestRecord record(server, gateway, exchange);
      co_await answer(server, gateway, client, exchange);
    }
    waiting_since = exchange.ended;
    watched = client.watched;
    // Closing sends the FIN after what was written; a shutdown() first would
    // only cost a system call more.
    if (!client.keep_alive || exchange.close_connection || exchange.client_gone || server.draining()) co_return;
  }
}

}  // namespace canopy::gateway
