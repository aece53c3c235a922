#pragma once
// The process-wide part of the running gateway, which outlives any one config:
// the snapshot new requests use (a Gateway, swapped by a reload while in-flight
// requests finish on the one they started with), the listening socket, client
// connection slots, in-flight count, drain state, and the metrics registry.
//
// Thread-safety: none; the worker's thread (a reload runs there too).

#include <prometheus/registry.h>

#include <boost/intrusive/list.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/cancel_scope.hpp"
#include "core/capacity_limiter.hpp"
#include "gateway/metrics/lifecycle_metrics.hpp"
#include "gateway/server/gateway.hpp"

namespace canopy::gateway {

// A request's cancel scope, reachable by the drain while the request runs.
// Linked on construction, unlinked on destruction: no allocation.
class InFlightScope : public boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
 public:
  InFlightScope(class Server& server, core::CancelScope& scope) noexcept;
  core::CancelScope& scope() const noexcept { return scope_; }

 private:
  core::CancelScope& scope_;
};

class Server {
 public:
  // Builds the first snapshot and binds [server] listen; throws
  // std::runtime_error if it cannot (an upstream does not resolve) or
  // system_error (the address is taken).
  Server(boost::asio::any_io_executor executor, std::shared_ptr<const config::Config> config,
         prometheus::Registry& registry, LifecycleMetrics& lifecycle);

  // The snapshot a new request runs on; hold it until the request has ended.
  std::shared_ptr<Gateway> gateway() const noexcept { return gateway_; }
  // Returns once `snapshot` is no longer the one new requests run on.
  boost::asio::awaitable<void> until_replaced(const Gateway& snapshot);

  // Reads the config file again (the one it started with). A valid file becomes
  // the snapshot for new requests; a bad one is logged with its file:line:col
  // and changes nothing. Counted either way. A new [server] listen is bound
  // before anything changes (a taken address fails the reload); the returned
  // acceptor then needs an accept loop, and the old listener is retired: its
  // accept loop takes the connections already queued and closes it.
  struct Reloaded {
    bool applied = false;
    boost::asio::ip::tcp::acceptor* new_listener = nullptr;
  };
  Reloaded reload();

  // The socket new connections are accepted on; the one an accept loop runs on
  // is retired once it is no longer this one.
  boost::asio::ip::tcp::acceptor& listener() noexcept { return *listeners_.back(); }
  bool retired(const boost::asio::ip::tcp::acceptor& acceptor) const noexcept { return &acceptor != listeners_.back().get(); }
  // Closes every listener (the drain): accept loops end.
  void close_listeners() noexcept;

  // One permit per open downstream connection (server.max_connections).
  core::CapacityLimiter& connection_slots() noexcept { return connection_slots_; }
  const core::CapacityLimiter& connection_slots() const noexcept { return connection_slots_; }

  bool draining() const noexcept { return draining_; }
  void start_draining() noexcept { draining_ = true; }

  // Requests between their header and their access-log line, on any snapshot.
  std::size_t in_flight() const noexcept { return in_flight_; }
  void request_started() noexcept { ++in_flight_; }
  void request_finished() noexcept {
    --in_flight_;
    ++finished_total_;
  }
  std::uint64_t requests_finished_total() const noexcept { return finished_total_; }
  // The end of the drain: cancels every request scope with reason `shutdown`;
  // those that have not started their answer get a 503.
  void cut_requests();

  const prometheus::Registry& registry() const noexcept { return registry_; }
  LifecycleMetrics& lifecycle() noexcept { return lifecycle_; }

 private:
  boost::asio::any_io_executor executor_;
  prometheus::Registry& registry_;
  LifecycleMetrics& lifecycle_;
  std::shared_ptr<Gateway> gateway_;
  boost::asio::steady_timer replaced_;  // never expires; a reload cancels its waits
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> listeners_;  // the last one is current
  core::CapacityLimiter connection_slots_;
  bool draining_ = false;
  std::size_t in_flight_ = 0;
  std::uint64_t finished_total_ = 0;
  friend class InFlightScope;
  boost::intrusive::list<InFlightScope, boost::intrusive::constant_time_size<false>> request_scopes_;
};

}  // namespace canopy::gateway
