#pragma once
// The keep-alive connections of one upstream endpoint on one worker.
//
// Guarantees
// - At most `max_connections` connections are checked out at once; further
//   callers wait in a bounded queue (core::CapacityLimiter) and get pool_full
//   when their wait outlasts connect_timeout. The upstream's circuit breaker
//   bounds callers holding and waiting for connections across its endpoints:
//   beyond it, circuit_open at once.
// - checkout() prefers the most recently used idle connection; one the
//   upstream has closed meanwhile, or idle longer than idle_timeout, is
//   discarded instead of handed out. close_idle() closes such connections
//   that no checkout reaches (the worker calls it every second).
// - A Lease closes its connection when destroyed, unless release_for_reuse()
//   was called after a complete response: a cancelled call never returns a
//   half-used connection to the pool, nor one with bytes past the response.
// - A connection's read buffer stays with it across calls: a call allocates
//   none (one per connection; beyond kept_buffer_bytes it is given up).
//
// Thread-safety: none; one worker's executor.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/capacity_limiter.hpp"
#include "core/clock.hpp"
#include "gateway/net/sockets.hpp"
#include "gateway/upstream/circuit_breaker.hpp"
#include "gateway/upstream/upstream_error.hpp"

namespace canopy::gateway {

class EndpointPool;

// An upstream connection and what has been read from it but not yet used.
struct UpstreamConnection {
  TcpSocket socket;
  boost::beast::flat_buffer buffer;
};

// An idle connection keeps a read buffer up to this size (one response head
// and a small body read at once); a larger one is freed when it comes back.
inline constexpr std::size_t kept_buffer_bytes = 16 * 1024;

class Lease {
 public:
  Lease() = default;
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  ~Lease();

  TcpSocket& socket() { return connection_->socket; }
  // Read into this, so that the connection's buffer is reused call after call.
  boost::beast::flat_buffer& buffer() { return connection_->buffer; }
  bool reused() const noexcept { return reused_; }
  explicit operator bool() const noexcept { return connection_.has_value(); }

  // The response was read completely and both sides keep the connection alive.
  // Bytes left in buffer() beyond it make the connection unusable: it closes.
  void release_for_reuse();

 private:
  friend class EndpointPool;
  Lease(EndpointPool& pool, UpstreamConnection connection, core::Permit permit, bool reused);
  void end() noexcept;

  EndpointPool* pool_ = nullptr;
  // A plain socket, not a Beast stream: its reads and writes skip the stream's
  // timeout layer (the pool's only timeout is the connect's), and moving it
  // pool → lease → pool on every request allocates nothing.
  std::optional<UpstreamConnection> connection_;
  core::Permit permit_;
  bool reused_ = false;
};

struct Checkout {
  Lease lease;
  UpstreamError error = UpstreamError::none;
};

class EndpointPool {
 public:
  EndpointPool(core::Executor executor, const config::UpstreamConfig& upstream,
               boost::asio::ip::tcp::endpoint endpoint, CircuitBreaker& breaker);
  EndpointPool(const EndpointPool&) = delete;
  EndpointPool& operator=(const EndpointPool&) = delete;

  // `fresh`: skip idle connections (a retry after a stale one failed).
  core::Awaitable<Checkout> checkout(bool fresh);
  // What checkout() gives when nothing has to wait or connect: a lease on an
  // idle connection, or the open circuit's refusal. Otherwise none, and the
  // caller awaits checkout(). Most checkouts under load end here, without
  // a coroutine.
  std::optional<Checkout> checkout_now(bool fresh);

  // Closes the idle connections that outlived idle_timeout or that the upstream
  // has closed (a socket left in CLOSE_WAIT holds a descriptor until then).
  // checkout() reuses the newest first, so without this the oldest could wait
  // there until the gateway stops.
  void close_idle(core::Clock::time_point now);

  const std::string& name() const noexcept { return name_; }
  const boost::asio::ip::tcp::endpoint& address() const noexcept { return endpoint_; }
  std::size_t in_flight() const noexcept { return in_flight_; }
  std::size_t idle() const noexcept { return idle_.size(); }
  // Connections in use (or being opened) and callers waiting for one.
  core::LimiterStats limiter_stats() const noexcept { return limiter_.stats(); }

  // Passive health, kept by the Cluster: left out of balancing until then.
  bool ejected(core::Clock::time_point now) const noexcept { return ejected_until_ > now; }
  std::uint64_t ejections_total() const noexcept { return ejections_total_; }

  // Active health, kept by its health check task (health_check.hpp).
  struct ActiveHealth {
    bool healthy = true;
    std::size_t same_results_in_a_row = 0;  // passes while unhealthy, failures while healthy
    std::uint64_t passed_total = 0;
    std::uint64_t failed_total = 0;
  };
  ActiveHealth& active_health() noexcept { return active_health_; }
  const ActiveHealth& active_health() const noexcept { return active_health_; }

 private:
  friend class Lease;
  friend class Cluster;
  struct Idle {
    UpstreamConnection connection;
    core::Clock::time_point since;
  };
  // The newest idle connection within idle_timeout and, unless back only
  // moments ago, still open; the ones it passes over are closed.
  std::optional<UpstreamConnection> take_idle();

  void give_back(UpstreamConnection connection);
  void started() noexcept {
    ++in_flight_;
    breaker_.request_started();
  }
  void finished() noexcept {
    --in_flight_;
    breaker_.request_ended();
  }

  core::Executor executor_;
  boost::asio::ip::tcp::endpoint endpoint_;
  std::string name_;
  core::Clock::duration connect_timeout_;
  core::Clock::duration idle_timeout_;
  core::CapacityLimiter limiter_;
  CircuitBreaker& breaker_;
  std::vector<Idle> idle_;
  std::size_t in_flight_ = 0;
  std::size_t consecutive_failures_ = 0;
  core::Clock::time_point ejected_until_{};
  std::uint64_t ejections_total_ = 0;
  ActiveHealth active_health_;
};

}  // namespace canopy::gateway
