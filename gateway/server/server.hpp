#pragma once
// One worker's part of the running gateway, which outlives any one config: the
// snapshot new requests use (a Gateway, swapped by a reload while in-flight
// requests finish on the one they started with), the worker's listening socket
// (SO_REUSEPORT: every worker has one on the same address), client connection
// slots, in-flight count, drain state and stop requests.
//
// Thread-safety: none; the worker's thread. The control thread reaches it only
// through Worker::call and Worker::request_stop, which run on this thread.

#include <prometheus/registry.h>

#include <boost/intrusive/list.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/cancel_scope.hpp"
#include "core/capacity_limiter.hpp"
#include "core/deadline_queue.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/server/gateway.hpp"
#include "gateway/upstream/health_check.hpp"

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

// The socket address of a configured `host:port`; throws std::runtime_error
// ("cannot listen on …") unless the host is a numeric IPv4 or IPv6 address:
// listeners are not bound by name.
boost::asio::ip::tcp::endpoint endpoint_of(const config::Address& address);

// Throws std::runtime_error ("server.listen: cannot listen on …: the address is in use") if
// something already listens on `endpoint`; port 0 is always free. The workers
// share their address with SO_REUSEPORT, which would just as well let them
// share it, silently, with another process listening with it (a second Canopy
// started on the same config): checked once before the first worker binds.
void check_address_free(const boost::asio::ip::tcp::endpoint& endpoint, const config::Address& configured);

class Server {
 public:
  // Builds the first snapshot (`config` is the whole gateway's; this worker
  // enforces its share of the limits: config/worker_share.hpp) and binds
  // `listen`; throws std::runtime_error if it cannot (an upstream does not
  // resolve) or system_error (the address is taken).
  Server(core::Executor executor, std::shared_ptr<const config::Config> config, unsigned workers,
         const boost::asio::ip::tcp::endpoint& listen);

  // This worker's request and upstream metrics. Every snapshot registers its
  // handles here (a reloaded config finds its counters where the old one left
  // them); no other worker touches them, so recording a request shares no
  // cache line, and no histogram's lock, with another thread. The admin
  // listener merges the workers' registries when it is scraped.
  const prometheus::Registry& metrics() const noexcept { return metrics_; }

  // The snapshot a new request runs on; hold it until the request has ended.
  std::shared_ptr<Gateway> gateway() const noexcept { return gateway_; }
  // Returns once `snapshot` is no longer the one new requests run on.
  core::Awaitable<void> until_replaced(const Gateway& snapshot);

  // A reload in steps, so that every worker changes or none does. prepare()
  // builds the next snapshot and, given `listen`, binds it (throws, changing
  // nothing: an upstream that does not resolve, a taken address). commit() makes
  // it the snapshot for new requests; a new listener is returned for an accept
  // loop. retire_previous_listener() then lets the old one's accept loop take
  // the connections already queued and close it.
  struct Prepared {
    std::shared_ptr<Gateway> gateway;
    std::unique_ptr<TcpAcceptor> listener;
  };
  Prepared prepare(std::shared_ptr<const config::Config> config,
                   const std::optional<boost::asio::ip::tcp::endpoint>& listen);
  TcpAcceptor* commit(Prepared next);
  void retire_previous_listener() noexcept;

  // The socket new connections are accepted on; the one an accept loop runs on
  // is retired once it is no longer this one.
  TcpAcceptor& listener() noexcept { return *listeners_.back(); }
  bool retired(const TcpAcceptor& acceptor) const noexcept { return &acceptor != listeners_.back().get(); }
  // Closes every listener (the drain): accept loops end.
  void close_listeners() noexcept;

  // The deadlines of this worker's context: its scopes', and the header and
  // idle timeouts of its client connections (HeadWait).
  core::DeadlineQueue& deadlines() noexcept { return deadlines_; }

  // One permit per open downstream connection (this worker's share of server.max_connections).
  core::CapacityLimiter& connection_slots() noexcept { return connection_slots_; }
  const core::CapacityLimiter& connection_slots() const noexcept { return connection_slots_; }

  bool draining() const noexcept { return draining_; }
  void start_draining() noexcept { draining_ = true; }

  // SIGTERM, as the control thread passes it on: the first request starts the
  // drain, a second cuts it short.
  void request_stop() noexcept;
  unsigned stop_requests() const noexcept { return stop_requests_; }
  // Returns once stop_requests() >= count.
  core::Awaitable<void> until_stop_requested(unsigned count);

  // Active health checks run on one worker (runs_health_checks()), which gives
  // every change it finds to publish_health(); the others apply it with
  // apply_health_change(). Set before the worker starts.
  bool runs_health_checks() const noexcept { return runs_health_checks_; }
  void leave_health_checks_to_another_worker() noexcept { runs_health_checks_ = false; }
  void publish_health_to(HealthPublisher publish) { publish_health_ = std::move(publish); }
  const HealthPublisher& publish_health() const noexcept { return publish_health_; }
  void apply_health_change(const HealthChange& change);

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

 private:
  core::Executor executor_;
  unsigned workers_;
  prometheus::Registry metrics_;  // before gateway_: its handles point in here
  std::shared_ptr<Gateway> gateway_;
  core::SteadyTimer replaced_;  // never expires; a commit cancels its waits
  core::SteadyTimer stop_;      // never expires; a stop request cancels its waits
  std::vector<std::unique_ptr<TcpAcceptor>> listeners_;  // the last one is current
  core::CapacityLimiter connection_slots_;
  core::DeadlineQueue& deadlines_ = core::DeadlineQueue::of(executor_);
  bool draining_ = false;
  unsigned stop_requests_ = 0;
  std::size_t in_flight_ = 0;
  std::uint64_t finished_total_ = 0;
  bool runs_health_checks_ = true;
  HealthPublisher publish_health_ = [](const HealthChange&) {};
  friend class InFlightScope;
  boost::intrusive::list<InFlightScope, boost::intrusive::constant_time_size<false>> request_scopes_;
};

}  // namespace canopy::gateway
