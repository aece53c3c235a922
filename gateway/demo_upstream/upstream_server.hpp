#pragma once
// canopy-upstream: a small, fast HTTP/1.1 server for demos, tests and benchmarks.
//
// Every path answers; query parameters shape the answer:
//   (none)          200 with a JSON echo: upstream name, method, target, headers,
//                   body size and FNV-1a-64 of the body
//   status=N        answer with status N
//   delay=MS        wait MS milliseconds first (the wait ends early if the client leaves)
//   bytes=N         answer N bytes of a repeating pattern instead of the echo
//   chunked=1       send the body chunked
//   reset_after=N   send the header and N body bytes, pause 100 ms, then reset the connection
//   reset=1         reset the connection without answering
//   only=A,B        apply the parameters above only on the listeners named A or B
//                   (the others answer the plain echo): some slow endpoints of several
// GET /_stats answers counters, including when a connection was last closed by
// the client (CLOCK_MONOTONIC nanoseconds, comparable across processes), so that
// tests can measure how fast Canopy closes an upstream connection.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

#include "gateway/net/sockets.hpp"

namespace canopy::demo {

struct UpstreamStats {
  std::uint64_t requests = 0;            // not counting /_stats
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_closed = 0;  // closed by the peer (EOF or reset)
  std::uint64_t requests_abandoned = 0;  // the client left before the answer was sent
  std::uint64_t responses_sent = 0;      // written completely (not counting /_stats)
  std::int64_t last_peer_close_ns = 0;   // CLOCK_MONOTONIC
};

class UpstreamServer {
 public:
  UpstreamServer(gateway::TcpAcceptor acceptor, std::string name);
  core::Awaitable<void> serve();
  const UpstreamStats& stats() const noexcept { return stats_; }

 private:
  core::Awaitable<void> serve_connection(gateway::TcpSocket socket);

  gateway::TcpAcceptor acceptor_;
  std::string name_;
  UpstreamStats stats_;
};

std::uint64_t fnv1a64(std::string_view data, std::uint64_t hash = 14695981039346656037ull) noexcept;

}  // namespace canopy::demo
