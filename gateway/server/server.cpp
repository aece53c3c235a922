#include "gateway/server/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <limits>

#include "config/worker_share.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/upstream/health_check.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

std::unique_ptr<TcpAcceptor> bind_listener(core::Executor executor, const tcp::endpoint& endpoint) {
  auto acceptor = std::make_unique<TcpAcceptor>(executor);
  acceptor->open(endpoint.protocol());
  acceptor->set_option(asio::socket_base::reuse_address(true));
  // Every worker listens on the same address; the kernel spreads connections
  // over them. It also lets a reload bind the same port on another address.
  acceptor->set_option(asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>(true));
  acceptor->bind(endpoint);
  acceptor->listen(asio::socket_base::max_listen_connections);
  return acceptor;
}

std::shared_ptr<Gateway> build_gateway(core::Executor executor, const config::Config& config, unsigned workers,
                                       prometheus::Registry& registry) {
  return std::make_shared<Gateway>(executor, std::make_shared<const config::Config>(config::worker_share(config, workers)),
                                   registry);
}

}  // namespace

tcp::endpoint endpoint_of(const config::Address& address) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address.host, ec);
  if (ec) throw std::runtime_error("cannot listen on " + config::to_string(address) + ": the host must be a numeric address");
  return {ip, address.port};
}

void check_address_free(const tcp::endpoint& endpoint, const config::Address& configured) {
  if (endpoint.port() == 0) return;
  asio::io_context io{1};
  tcp::acceptor probe(io);
  boost::system::error_code ec;
  probe.open(endpoint.protocol(), ec);
  // SO_REUSEADDR: a connection of an earlier run in TIME_WAIT does not count;
  // a listener does, SO_REUSEPORT or not, as this probe does not set it.
  if (!ec) probe.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) probe.bind(endpoint, ec);
  if (ec == asio::error::address_in_use) {
    throw std::runtime_error("server.listen: cannot listen on " + config::to_string(configured) +
                             ": the address is in use (another process listens on it)");
  }
}

Server::Server(core::Executor executor, std::shared_ptr<const config::Config> config, unsigned workers,
               const tcp::endpoint& listen)
    : executor_(executor),
      workers_(workers),
      gateway_(build_gateway(executor, *config, workers, metrics_)),
      replaced_(executor, core::Clock::time_point::max()),
      stop_(executor, core::Clock::time_point::max()),
      // Every accept loop may wait for a slot: the listener's, and while a reload
      // moves it, the retired one's too (with room for one, the second was told
      // queue_full at once and accepted past the limit). No timeout: a loop waits
      // until a connection closes.
      connection_slots_(executor, {.capacity = gateway_->config().server.max_connections,
                                   .queue = std::numeric_limits<std::size_t>::max()}) {
  listeners_.push_back(bind_listener(executor, listen));
}

core::Awaitable<void> Server::until_replaced(const Gateway& snapshot) {
  while (gateway_.get() == &snapshot) co_await replaced_.async_wait(asio::as_tuple(core::use_awaitable));
}

Server::Prepared Server::prepare(std::shared_ptr<const config::Config> config, const std::optional<tcp::endpoint>& listen) {
  Prepared next{.gateway = build_gateway(executor_, *config, workers_, metrics_), .listener = nullptr};
  if (listen) {
    try {
      next.listener = bind_listener(executor_, *listen);
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("server.listen: cannot listen on " + config::to_string(config->server.listen) + ": " +
                               e.code().message());
    }
  }
  return next;
}

TcpAcceptor* Server::commit(Prepared next) {
  // Inherited here, not when prepared: a change the checks found in between
  // (on another worker too) is in the old snapshot by now.
  for (const auto& [name, cluster] : next.gateway->clusters()) {
    if (auto old = gateway_->clusters().find(name); old != gateway_->clusters().end()) {
      inherit_active_health(*cluster, *old->second);
    }
  }
  connection_slots_.set_capacity(next.gateway->config().server.max_connections);
  gateway_ = std::move(next.gateway);
  replaced_.cancel();
  if (!next.listener) return nullptr;
  listeners_.push_back(std::move(next.listener));
  return listeners_.back().get();
}

void Server::apply_health_change(const HealthChange& change) {
  if (auto cluster = gateway_->clusters().find(change.upstream); cluster != gateway_->clusters().end()) {
    gateway::apply_health_change(*cluster->second, change);
  }
}

void Server::retire_previous_listener() noexcept {
  if (listeners_.size() < 2) return;
  boost::system::error_code ignored;
  listeners_[listeners_.size() - 2]->cancel(ignored);  // its accept loop sees it is retired
}

void Server::request_stop() noexcept {
  ++stop_requests_;
  stop_.cancel();
}

core::Awaitable<void> Server::until_stop_requested(unsigned count) {
  while (stop_requests_ < count) co_await stop_.async_wait(asio::as_tuple(core::use_awaitable));
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
