#include "gateway/server/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "config/load.hpp"
#include "gateway/log/json_log.hpp"
#include "gateway/upstream/health_check.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::unique_ptr<tcp::acceptor> bind_listener(asio::any_io_executor executor, const config::Address& address) {
  tcp::endpoint endpoint(asio::ip::make_address(address.host), address.port);
  auto acceptor = std::make_unique<tcp::acceptor>(executor);
  acceptor->open(endpoint.protocol());
  acceptor->set_option(asio::socket_base::reuse_address(true));
  // Lets a reload bind the same port on another address while the old listener still runs.
  acceptor->set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
  acceptor->bind(endpoint);
  acceptor->listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

}  // namespace

Server::Server(asio::any_io_executor executor, std::shared_ptr<const config::Config> config,
               prometheus::Registry& registry, LifecycleMetrics& lifecycle)
    : executor_(executor),
      registry_(registry),
      lifecycle_(lifecycle),
      gateway_(std::make_shared<Gateway>(executor, config, registry)),
      replaced_(executor, core::Clock::time_point::max()),
      connection_slots_(executor, {.capacity = config->server.max_connections, .queue = 1}) {
  listeners_.push_back(bind_listener(executor, config->server.listen));
}

asio::awaitable<void> Server::until_replaced(const Gateway& snapshot) {
  while (gateway_.get() == &snapshot) co_await replaced_.async_wait(asio::as_tuple(asio::use_awaitable));
}

Server::Reloaded Server::reload() {
  const auto& running = gateway_->config();
  try {
    auto config = std::make_shared<const config::Config>(config::load_config_file(running.source));
    auto next = std::make_shared<Gateway>(executor_, config, registry_);
    std::unique_ptr<tcp::acceptor> listener;
    if (config->server.listen != running.server.listen) {
      try {
        listener = bind_listener(executor_, config->server.listen);
      } catch (const boost::system::system_error& e) {
        throw std::runtime_error("server.listen: cannot listen on " + config::to_string(config->server.listen) + ": " +
                                 e.code().message());
      }
    }
    for (const auto& [name, cluster] : next->clusters()) {
      if (auto old = gateway_->clusters().find(name); old != gateway_->clusters().end()) {
        inherit_active_health(*cluster, *old->second);
      }
    }
    log_event("info", "config_reloaded",
              {{"config", config->source}, {"hash", config->hash}, {"previous_hash", running.hash},
               {"routes", config->routes.size()}, {"upstreams", config->upstreams.size()},
               {"listen", config::to_string(config->server.listen)}});
    connection_slots_.set_capacity(config->server.max_connections);
    gateway_ = std::move(next);
    replaced_.cancel();
    lifecycle_.reloads_succeeded.Increment();
    if (!listener) return {.applied = true};
    listeners_.push_back(std::move(listener));
    boost::system::error_code ignored;
    listeners_[listeners_.size() - 2]->cancel(ignored);  // its accept loop sees it is retired
    return {.applied = true, .new_listener = listeners_.back().get()};
  } catch (const std::exception& e) {  // ConfigError (file:line:col: …), an upstream that does not resolve, a taken address
    log_event("error", "reload_failed", {{"error", e.what()}, {"config", running.source}, {"running_hash", running.hash}});
    lifecycle_.reloads_failed.Increment();
    return {};
  }
}

InFlightScope::InFlightScope(Server& server, core::CancelScope& scope) noexcept : scope_(scope) {
  server.request_scopes_.push_back(*this);
}

void Server::cut_requests() {
  for (auto& request : request_scopes_) request.scope().cancel(core::CancelReason::shutdown);
}

void Server::close_listeners() noexcept {
  boost::system::error_code ignored;
  for (auto& listener : listeners_) listener->close(ignored);
}

}  // namespace canopy::gateway
