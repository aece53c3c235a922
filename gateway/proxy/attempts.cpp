#include "gateway/proxy/attempts.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <optional>

#include "core/bounded_channel.hpp"
#include "core/deadline.hpp"
#include "core/executor.hpp"
#include "gateway/http/message_head.hpp"
#include "gateway/http/read_message.hpp"
#include "gateway/http/response_head.hpp"
#include "gateway/proxy/upstream_request_head.hpp"
#include "gateway/server/watch_disconnect.hpp"
#include "gateway/upstream/upstream_call.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
namespace http = boost::beast::http;

namespace {

constexpr auto as_values = asio::as_tuple(core::use_awaitable);

class Attempts {
 public:
  Attempts(Cluster& cluster, const config::RouteConfig& route, AttemptBudget& budget, const Downstream& client,
           core::Clock::time_point deadline)
      : cluster_(cluster), route_(route), config_(*route.attempts), budget_(budget), client_(client),
        deadline_(deadline), head_(client.parser.method() == http::verb::head),
        scopes_(config_.max_attempts, nullptr), ended_(config_.max_attempts) {}

  // Runs until there is a winner or no attempt is left to try.
  core::Awaitable<void> launch(core::Nursery& attempts) {
    if (config_.mode == config::AttemptsMode::race) {
      while (started_ < config_.max_attempts && start_next(attempts)) {}
      co_return;
    }
    if (!start_next(attempts)) co_return;
    while (started_ < config_.max_attempts && !winner_) {
      auto event = co_await core::move_on_at(last_start_ + config_.delay, ended_.receive());
      if (event && !*event) co_return;  // closed: there is a winner
      if (event && running_ > 0) continue;  // one failed, others still run: wait for the delay
      if (!budget_.try_spend() || !start_next(attempts)) co_return;
    }
  }

  std::unique_ptr<UpstreamAnswer>& winner() noexcept { return winner_; }
  std::unique_ptr<UpstreamAnswer>& fallback() noexcept { return fallback_; }
  UpstreamError last_error() const noexcept { return last_error_; }
  std::size_t started() const noexcept { return started_; }
  const std::string& winner_endpoint() const noexcept { return winner_endpoint_; }
  const std::string& fallback_endpoint() const noexcept { return fallback_endpoint_; }

 private:
  bool start_next(core::Nursery& attempts) {
    // The first attempt follows the upstream's balance policy; the others go where it did not.
    EndpointPool* endpoint = taken_.empty() ? cluster_.pick() : cluster_.pick_other_than(taken_);
    if (!endpoint) {
      if (taken_.empty()) {
        cluster_.metrics().not_called(UpstreamError::no_healthy_endpoint);
        last_error_ = UpstreamError::no_healthy_endpoint;
      }
      return false;
    }
    taken_.push_back(endpoint);
    const std::size_t k = started_++;
    ++running_;
    last_start_ = core::Clock::now();
    attempts.start_soon("attempt", attempt(k, *endpoint, attempts));
    return true;
  }

  // One attempt, in its own scope so that the winner can cancel it alone.
  core::Awaitable<void> attempt(std::size_t k, EndpointPool& endpoint, core::Nursery& attempts) {
    struct Ended {  // tells the launcher, however the attempt ends
      Attempts& self;
      std::size_t k;
      ~Ended() {
        --self.running_;
        std::size_t event = k;
        self.ended_.try_send(event);
      }
    };
    struct Unreachable {  // the scope dies with the nursery: nobody may cancel it after
      core::CancelScope*& slot;
      ~Unreachable() { slot = nullptr; }
    };
    Ended ended{*this, k};
    co_await core::open_nursery(
        [&](core::Nursery& own) -> core::Awaitable<void> {
          scopes_[k] = &own.cancel_scope();
          Unreachable unreachable{scopes_[k]};
          if (winner_) co_return;
          auto answer = co_await ask(endpoint);
          if (answer) settle(k, std::move(answer), endpoint);
        },
        {.name = "attempt", .parent = &attempts});
  }

  core::Awaitable<std::unique_ptr<UpstreamAnswer>> ask(EndpointPool& endpoint) {
    UpstreamCall call(cluster_, endpoint);
    std::optional<Checkout> ready = endpoint.checkout_now(/*fresh=*/false);
    if (!ready) ready = co_await endpoint.checkout(/*fresh=*/false);
    Checkout& checkout = *ready;
    if (checkout.error != UpstreamError::none) {
      call.failed(checkout.error);
      last_error_ = checkout.error;
      co_return nullptr;
    }
    auto answer = std::make_unique<UpstreamAnswer>();
    answer->lease = std::move(checkout.lease);
    // Each attempt says the time left when it starts.
    const UpstreamRequestHead request_head(client_.parser, client_.ip, route_, deadline_,
                                           cluster_.deadline_headers());
    const std::string head = wire_text(request_head);
    auto [write_ec, written] = co_await asio::async_write(answer->lease.socket(), asio::buffer(head), as_values);
    if (write_ec == asio::error::operation_aborted) throw boost::system::system_error(write_ec);
    if (write_ec) {
      call.failed(UpstreamError::send_failed);
      last_error_ = UpstreamError::send_failed;
      co_return nullptr;
    }
    answer->parser.body_limit(boost::none);
    answer->parser.skip(head_);
    const auto read_ec = co_await read_response_head(answer->lease.socket(), answer->lease.buffer(), answer->parser);
    if (read_ec == asio::error::operation_aborted) throw boost::system::system_error(read_ec);
    if (read_ec) {
      call.failed(read_error(read_ec));
      last_error_ = read_error(read_ec);
      co_return nullptr;
    }
    call.answered(answer->parser.status());
    co_return answer;
  }

  void settle(std::size_t k, std::unique_ptr<UpstreamAnswer> answer, EndpointPool& endpoint) {
    if (winner_) return;  // lost the race by a hair: its connection closes here
    if (answer->parser.status() >= 500) {
      if (!fallback_) {
        fallback_ = std::move(answer);
        fallback_endpoint_ = endpoint.name();
      }
      last_error_ = UpstreamError::invalid_response;
      return;
    }
    winner_ = std::move(answer);
    winner_endpoint_ = endpoint.name();
    for (std::size_t other = 0; other < scopes_.size(); ++other) {
      if (other != k && scopes_[other]) scopes_[other]->cancel(core::CancelReason::hedge_lost);
    }
    ended_.close();  // wakes the launcher: nothing more to start
  }

  Cluster& cluster_;
  const config::RouteConfig& route_;
  const config::AttemptsConfig& config_;
  AttemptBudget& budget_;
  const Downstream& client_;
  core::Clock::time_point deadline_;
  bool head_;
  std::vector<core::CancelScope*> scopes_;  // of the attempts still running
  std::vector<EndpointPool*> taken_;
  core::BoundedChannel<std::size_t> ended_;  // attempts that ended without winning
  std::size_t started_ = 0, running_ = 0;
  core::Clock::time_point last_start_{};
  std::unique_ptr<UpstreamAnswer> winner_, fallback_;
  std::string winner_endpoint_, fallback_endpoint_;
  UpstreamError last_error_ = UpstreamError::none;
};

}  // namespace

bool may_send_twice(std::string_view method, bool has_body) noexcept {
  if (has_body) return false;
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" || method == "DELETE" ||
         method == "TRACE";
}

core::Awaitable<void> proxy_attempts(Downstream& client, Cluster& cluster, const config::RouteConfig& route,
                                     AttemptBudget& budget, config::HalfClose half_close, core::Nursery& request,
                                     Exchange& exchange) {
  exchange.upstream = cluster.name();
  exchange.request_complete = true;
  budget.on_request();
  watch_disconnect(request, client, half_close);

  Attempts attempts(cluster, route, budget, client, exchange.deadline);
  co_await core::open_nursery_in_task(
      client.task, [&](core::Nursery& n) -> core::Awaitable<void> { co_await attempts.launch(n); },
      {.name = "attempts", .parent = &request});
  exchange.attempts = static_cast<unsigned>(attempts.started());
  if (auto& answer = attempts.winner() ? attempts.winner() : attempts.fallback()) {
    exchange.endpoint = attempts.winner() ? attempts.winner_endpoint() : attempts.fallback_endpoint();
    co_await forward_response(client, route, *answer, exchange);
    co_return;
  }
  exchange.upstream_error = attempts.last_error();
}

}  // namespace canopy::gateway
