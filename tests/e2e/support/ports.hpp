#pragma once
// Ports for tests that must name an address before anything listens on it.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <fstream>
#include <random>
#include <stdexcept>

namespace canopy::test {

// A port nobody listens on now, below the kernel's ephemeral range: the kernel
// never hands it out for a bind to port 0 or an outgoing connection, so tests
// running beside this one cannot take it between this probe and the bind that
// follows. (A port 0 pick released again could be: and a listener with
// SO_REUSEPORT, like Canopy's, would then share it with theirs.)
inline std::uint16_t unused_port_below_ephemeral_range() {
  unsigned ephemeral_low = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeral_low;
  const unsigned low = 20000, high = std::max(low + 1, std::min(ephemeral_low, 32768u));
  std::mt19937 pick(std::random_device{}());
  boost::asio::io_context io;
  for (int tries = 0; tries < 200; ++tries) {
    const auto port = static_cast<std::uint16_t>(low + pick() % (high - low));
    boost::asio::ip::tcp::acceptor probe(io);
    boost::system::error_code ec;
    probe.open(boost::asio::ip::tcp::v4(), ec);
    if (!ec) probe.bind({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
    if (!ec) return port;
  }
  throw std::runtime_error("no unused port in 20000.." + std::to_string(high));
}

}  // namespace canopy::test
