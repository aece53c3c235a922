#include "gateway/proxy/proxy.hpp"

#include <boost/asio/as_tuple.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include "core/deadline.hpp"
#include "core/executor.hpp"
#include "gateway/http/read_message.hpp"
#include "gateway/http/response_head.hpp"
#include "gateway/proxy/attempts.hpp"
#include "gateway/proxy/deadline_header.hpp"
#include "gateway/proxy/downstream_response_head.hpp"
#include "gateway/proxy/relay.hpp"
#include "gateway/proxy/upstream_request_head.hpp"
#include "gateway/server/watch_disconnect.hpp"
#include "gateway/upstream/upstream_call.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr auto as_values = asio::as_tuple(core::use_awaitable);

}  // namespace

core::Awaitable<void> forward_response(Downstream& client, const config::RouteConfig& route, UpstreamAnswer& answer,
                                       Exchange& exchange) {
  exchange.status = answer.parser.status();
  // Beast's own reading: false for a body that ends with the connection, too.
  const bool upstream_keeps_alive = answer.parser.keep_alive();
  const DownstreamResponseHead head(answer.parser, route.response_headers, client.version, client.keep_alive);
  if (!head.keep_alive()) exchange.close_connection = true;
  const auto received = co_await relay(answer.lease.socket(), answer.lease.buffer(), answer.parser, head, client.socket);
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

namespace {

// How one try ended before any of its answer reached the client.
struct TryResult {
  enum class End {
    answered,         // a response head is in `answer`
    upstream_failed,  // `error` says how; nothing reached the client
    stopped,          // the client or the request scope ended it; the exchange says why
  };
  End end = End::stopped;
  UpstreamError error = UpstreamError::none;
  bool body_sent = false;    // body bytes (or framing) were taken from the client: the request can never be replayed
  bool stale_reuse = false;  // a reused keep-alive connection failed before any answer: the upstream had closed it
};

// One proxied request: its tries, and the decision to retry.
class ProxyCall {
 public:
  ProxyCall(Downstream& client, const config::RouteConfig& route, const Cluster& cluster, config::HalfClose half_close,
            core::Nursery& request, Exchange& exchange)
      : client_(client), route_(route), half_close_(half_close), request_(request), exchange_(exchange),
        upstream_head_(client.parser, client.ip, route, exchange.deadline, cluster.deadline_headers()),
        head_(client.parser.method() == http::verb::head),
        replayable_(may_send_twice(client.parser.method_string(), !client.parser.is_done())) {}

  // Sends the request (header and body from the client) to `endpoint` and reads
  // the response head into `answer`; bounded by `until` (per_try_timeout).
  // Without a per-try timeout the request's own scope bounds the try: no scope
  // of its own, and no coroutine frame between proxy() and the try.
  core::Awaitable<TryResult> attempt(EndpointPool& endpoint, bool fresh, UpstreamAnswer& answer, UpstreamCall& call,
                                     core::Clock::time_point until) {
    if (until >= exchange_.deadline) return send_and_read_head(endpoint, fresh, answer, call);
    return attempt_bounded(endpoint, fresh, answer, call, until);
  }

  // Whether a try that ended this way may be made again on another endpoint.
  bool may_retry(const TryResult& tried, unsigned status) const {
    const auto* retry = route_.retries ? &*route_.retries : nullptr;
    if (!retry || tried.body_sent) return false;
    if (tried.end == TryResult::End::answered) {
      return replayable_ && std::find(retry->on_status.begin(), retry->on_status.end(), status) != retry->on_status.end();
    }
    if (tried.end != TryResult::End::upstream_failed) return false;
    switch (tried.error) {
      case UpstreamError::connect_failed:
      case UpstreamError::connect_timeout: return retry->on_connect_failure;  // nothing reached the upstream
      case UpstreamError::send_failed:
      case UpstreamError::reset: return retry->on_reset && replayable_;
      case UpstreamError::timeout: return retry->on_timeout && replayable_;
      default: return false;
    }
  }

 private:
  bool client_body_taken() const noexcept { return bytes_sent_ > 0 || body_taken_; }

  core::Awaitable<TryResult> attempt_bounded(EndpointPool& endpoint, bool fresh, UpstreamAnswer& answer,
                                             UpstreamCall& call, core::Clock::time_point until) {
    TryResult result;
    auto work = [&]() -> core::Awaitable<void> { result = co_await send_and_read_head(endpoint, fresh, answer, call); };
    if (co_await core::move_on_at(until, work()) == core::DeadlineOutcome::expired) {
      call.failed(UpstreamError::timeout);
      result = TryResult{TryResult::End::upstream_failed, UpstreamError::timeout, result.body_sent || client_body_taken()};
    }
    co_return result;
  }

  core::Awaitable<TryResult> send_and_read_head(EndpointPool& endpoint, bool fresh, UpstreamAnswer& answer,
                                                UpstreamCall& call) {
    using End = TryResult::End;
    std::optional<Checkout> ready = endpoint.checkout_now(fresh);
    if (!ready) ready = co_await endpoint.checkout(fresh);
    Checkout& checkout = *ready;
    if (checkout.error != UpstreamError::none) {
      call.failed(checkout.error);
      co_return TryResult{End::upstream_failed, checkout.error, client_body_taken()};
    }
    answer.lease = std::move(checkout.lease);
    Lease& lease = answer.lease;

    // The request: header, then the body straight from the client.
    const auto sent = co_await relay(client_.socket, client_.buffer, client_.parser, upstream_head_, lease.socket());
    bytes_sent_ += sent.body_bytes;
    exchange_.bytes_in += sent.body_bytes;
    body_taken_ = body_taken_ || sent.source_taken;
    const bool body_sent = client_body_taken();
    if (sent.outcome == RelayOutcome::cancelled) co_return TryResult{End::stopped, {}, body_sent};
    if (sent.outcome == RelayOutcome::read_failed) {
      exchange_.client_gone = true;
      co_return TryResult{End::stopped, {}, body_sent};
    }
    if (sent.outcome == RelayOutcome::bad_framing) {
      exchange_.bad_request_body = true;
      exchange_.close_connection = true;
      co_return TryResult{End::stopped, {}, body_sent};
    }
    if (sent.outcome == RelayOutcome::write_failed) {
      call.failed(UpstreamError::send_failed);
      co_return TryResult{End::upstream_failed, UpstreamError::send_failed, body_sent, lease.reused() && !body_sent};
    }
    exchange_.request_complete = true;
    if (!client_.watched) watch_disconnect(request_, client_, half_close_);

    // The response header.
    answer.parser.body_limit(boost::none);
    answer.parser.skip(head_);
    const auto read_ec = co_await read_response_head(lease.socket(), lease.buffer(), answer.parser);
    if (read_ec == asio::error::operation_aborted) co_return TryResult{End::stopped, {}, body_sent};
    if (read_ec) {
      const auto error = read_error(read_ec);
      call.failed(error);
      const bool stale = lease.reused() && lease.buffer().size() == 0 && error == UpstreamError::reset && !body_sent;
      co_return TryResult{End::upstream_failed, error, body_sent, stale};
    }
    call.answered(answer.parser.status());
    co_return TryResult{End::answered, {}, body_sent};
  }

  Downstream& client_;
  const config::RouteConfig& route_;
  config::HalfClose half_close_;
  core::Nursery& request_;
  Exchange& exchange_;
  // Views of the client's head: valid until its read buffer is read into again,
  // and a try is made again only while nothing after the head was taken (body_sent).
  const UpstreamRequestHead upstream_head_;
  bool head_;
  bool replayable_;
  std::uint64_t bytes_sent_ = 0;
  bool body_taken_ = false;  // even none of its bytes (an empty chunked body's last chunk)
};

}  // namespace

core::Awaitable<void> proxy(Downstream& client, Cluster& cluster, const config::RouteConfig& route,
                            AttemptBudget& budget, config::HalfClose half_close, core::Nursery& request,
                            Exchange& exchange) {
  exchange.upstream = cluster.name();
  ProxyCall call(client, route, cluster, half_close, request, exchange);
  const std::size_t tries_allowed = route.retries ? route.retries->attempts : 1;
  if (route.retries) budget.on_request();
  std::array<EndpointPool*, config::max_retry_attempts> tried{};  // no allocation per request
  std::size_t tries = 0;
  bool stale_replayed = false;
  struct ClosedAtTheEnd {  // the answer's connection goes back to the pool or closes with proxy()
    std::optional<UpstreamAnswer>& answer;
    ~ClosedAtTheEnd() { answer.reset(); }
  } closed_at_the_end{client.upstream_answer};

  EndpointPool* endpoint = cluster.pick();
  if (!endpoint) {
    cluster.metrics().not_called(UpstreamError::no_healthy_endpoint);
    exchange.upstream_error = UpstreamError::no_healthy_endpoint;
    co_return;
  }
  for (;;) {
    exchange.endpoint = endpoint->name();
    UpstreamAnswer& answer = client.upstream_answer.emplace();  // the last try's ends here
    UpstreamCall record(cluster, *endpoint);
    const auto until = route.retries && route.retries->per_try_timeout
                           ? std::min(exchange.deadline, core::Clock::now() + *route.retries->per_try_timeout)
                           : exchange.deadline;
    const auto tried_now = co_await call.attempt(*endpoint, /*fresh=*/stale_replayed, answer, record, until);
    if (tried_now.end == TryResult::End::stopped) co_return;
    // A reused connection the upstream had closed: replay once on a new one, free of the retry budget.
    if (tried_now.stale_reuse && !stale_replayed) {
      stale_replayed = true;
      continue;
    }
    tried[tries++] = endpoint;
    const unsigned status = tried_now.end == TryResult::End::answered ? answer.parser.status() : 0;
    if (tries < tries_allowed && call.may_retry(tried_now, status)) {
      EndpointPool* next = cluster.pick_other_than(std::span(tried.data(), tries));
      if (!next) next = cluster.pick();
      if (next && budget.try_spend()) {
        exchange.attempts = static_cast<unsigned>(tries + 1);
        endpoint = next;
        stale_replayed = false;
        continue;
      }
    }
    if (tried_now.end == TryResult::End::answered) {
      co_await forward_response(client, route, answer, exchange);
    } else {
      exchange.upstream_error = tried_now.error;
    }
    co_return;
  }
}

}  // namespace canopy::gateway
