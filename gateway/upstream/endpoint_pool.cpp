#include "gateway/upstream/endpoint_pool.hpp"

#include <boost/asio/as_tuple.hpp>
#include <cerrno>
#include <sys/socket.h>

#include "core/deadline.hpp"
#include "gateway/net/sockets.hpp"

namespace canopy::gateway {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// An idle keep-alive connection the upstream has closed is readable (EOF) or
// broken; one that is still good has nothing to read. One non-blocking peek,
// without switching the socket's mode (that would be two more syscalls).
bool still_open(TcpSocket& socket) {
  if (!socket.is_open()) return false;
  char byte;
  const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);  // nothing to read: neither EOF nor stray bytes
}

// A connection back in the pool for less than this is reused without the peek:
// under load every connection comes back within microseconds, and the peek was
// one system call in six per proxied request. Upstreams close idle connections
// after seconds (their keep-alive timeout); one that closed it sooner anyway
// fails before any answer, and the proxy replays the request on a new
// connection (a stale reuse), as it does when the close races the peek.
constexpr auto reuse_unchecked_within = std::chrono::seconds(1);

core::Awaitable<boost::system::error_code> connect(TcpSocket& socket, const tcp::endpoint& endpoint) {
  auto [ec] = co_await socket.async_connect(endpoint, asio::as_tuple(core::use_awaitable));
  co_return ec;
}

}  // namespace

Lease::Lease(EndpointPool& pool, UpstreamConnection connection, core::Permit permit, bool reused)
    : pool_(&pool), connection_(std::move(connection)), permit_(std::move(permit)), reused_(reused) {}

Lease::Lease(Lease&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::exchange(other.connection_, std::nullopt)),
      permit_(std::move(other.permit_)),
      reused_(other.reused_) {}

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    end();
    pool_ = std::exchange(other.pool_, nullptr);
    connection_ = std::exchange(other.connection_, std::nullopt);
    permit_ = std::move(other.permit_);
    reused_ = other.reused_;
  }
  return *this;
}

Lease::~Lease() { end(); }

void Lease::end() noexcept {
  // A connection not released for reuse closes here, with the frame that held it.
  connection_.reset();
  if (auto* pool = std::exchange(pool_, nullptr)) pool->finished();
  permit_.reset();
}

void Lease::release_for_reuse() {
  if (!pool_ || !connection_) return;
  // Bytes past a complete response: the upstream's framing is not ours, so the
  // next response could not be told apart from them.
  if (connection_->buffer.size() != 0) return;
  pool_->give_back(std::move(*connection_));
  connection_.reset();
}

EndpointPool::EndpointPool(core::Executor executor, const config::UpstreamConfig& upstream,
                           tcp::endpoint endpoint, CircuitBreaker& breaker)
    : executor_(executor),
      endpoint_(endpoint),
      name_(endpoint.address().to_string() + ":" + std::to_string(endpoint.port())),
      connect_timeout_(upstream.connect_timeout),
      idle_timeout_(upstream.idle_timeout),
      limiter_(executor, {.capacity = upstream.max_connections, .queue = upstream.circuit_breaker.max_pending,
                          .queue_timeout = upstream.connect_timeout}),
      breaker_(breaker) {}

core::Awaitable<Checkout> EndpointPool::checkout(bool fresh) {
  if (!breaker_.admits_request()) co_return Checkout{.error = UpstreamError::circuit_open};
  core::Permit permit = limiter_.try_acquire();
  if (!permit) {
    if (!breaker_.admits_waiter()) co_return Checkout{.error = UpstreamError::circuit_open};
    struct Waiting {
      CircuitBreaker& breaker;
      explicit Waiting(CircuitBreaker& b) : breaker(b) { breaker.wait_started(); }
      ~Waiting() { breaker.wait_ended(); }
    };
    core::Admission admission;
    {
      Waiting waiting(breaker_);
      admission = co_await limiter_.acquire();
    }
    if (!admission) co_return Checkout{.error = UpstreamError::pool_full};
    // Others may have taken the upstream's last request slots meanwhile (other endpoints).
    if (!breaker_.admits_request()) co_return Checkout{.error = UpstreamError::circuit_open};
    permit = std::move(admission.permit);
  }
  started();
  struct UntilLeased {  // a failed or cancelled connect ends the call here; a Lease ends it later
    EndpointPool* pool;
    ~UntilLeased() {
      if (pool) pool->finished();
    }
  } until_leased{this};
  if (auto idle = fresh ? std::nullopt : take_idle()) {
    until_leased.pool = nullptr;
    co_return Checkout{Lease(*this, std::move(*idle), std::move(permit), true)};
  }
  TcpSocket socket(executor_);
  const auto connected = co_await core::move_on_after(connect_timeout_, connect(socket, endpoint_));
  if (!connected) co_return Checkout{.error = UpstreamError::connect_timeout};
  if (*connected) co_return Checkout{.error = UpstreamError::connect_failed};
  socket.set_option(tcp::no_delay(true));
  until_leased.pool = nullptr;
  co_return Checkout{Lease(*this, UpstreamConnection{std::move(socket), {}}, std::move(permit), false)};
}

std::optional<Checkout> EndpointPool::checkout_now(bool fresh) {
  if (!breaker_.admits_request()) return Checkout{.error = UpstreamError::circuit_open};
  if (fresh || !limiter_.has_room()) return std::nullopt;
  auto idle = take_idle();
  if (!idle) return std::nullopt;
  started();
  return Checkout{Lease(*this, std::move(*idle), limiter_.try_acquire(), true)};
}

std::optional<UpstreamConnection> EndpointPool::take_idle() {
  const auto now = core::coarse_now();  // against idle times of a second and more
  while (!idle_.empty()) {
    Idle idle = std::move(idle_.back());
    idle_.pop_back();
    const auto idle_for = now - idle.since;
    // Closed here if not reusable: past idle_timeout, or closed by the upstream.
    if (idle_for < idle_timeout_ && (idle_for < reuse_unchecked_within || still_open(idle.connection.socket))) {
      return std::move(idle.connection);
    }
  }
  return std::nullopt;
}

void EndpointPool::close_idle(core::Clock::time_point now) {
  std::erase_if(idle_, [&](Idle& idle) {
    return now - idle.since >= idle_timeout_ || !still_open(idle.connection.socket);
  });
}

void EndpointPool::give_back(UpstreamConnection connection) {
  if (connection.buffer.capacity() > kept_buffer_bytes) connection.buffer.shrink_to_fit();  // empty: frees it
  idle_.push_back(Idle{std::move(connection), core::coarse_now()});
}

}  // namespace canopy::gateway
