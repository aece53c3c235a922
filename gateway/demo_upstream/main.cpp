// canopy-upstream: demo and test upstreams. One process serves one or more
// named listeners:  canopy-upstream --listen 127.0.0.1:9001=users --listen 127.0.0.1:0=orders
// Prints one JSON line per listener once it accepts connections (with the real
// port when 0 was asked), then serves until SIGINT or SIGTERM.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "gateway/demo_upstream/upstream_server.hpp"
#include "gateway/net/sockets.hpp"

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr const char* usage =
    "usage: canopy-upstream --listen HOST:PORT[=NAME] [--listen ...]\n"
    "A demo HTTP upstream for Canopy's quick start, tests and benchmarks.\n"
    "Query parameters on any path: status=N delay=MS bytes=N chunked=1 reset_after=N reset=1 only=A,B; GET /_stats for counters.\n";

struct Listen {
  std::string host, port, name;
};

bool parse_listen(const std::string& arg, Listen& out) {
  const auto eq = arg.find('=');
  const std::string address = arg.substr(0, eq);
  out.name = eq == std::string::npos ? "upstream" : arg.substr(eq + 1);
  const auto colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  out.host = address.substr(0, colon);
  out.port = address.substr(colon + 1);
  if (out.host.size() > 2 && out.host.front() == '[') out.host = out.host.substr(1, out.host.size() - 2);
  return !out.port.empty();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Listen> listens;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 0;
    }
    Listen listen;
    if (arg == "--listen" && i + 1 < argc && parse_listen(argv[++i], listen)) {
      listens.push_back(listen);
      continue;
    }
    std::cerr << "canopy-upstream: bad argument \"" << arg << "\"\n" << usage;
    return 2;
  }
  if (listens.empty()) listens.push_back({"127.0.0.1", "9001", "upstream"});

  asio::io_context io{1};
  std::vector<std::unique_ptr<canopy::demo::UpstreamServer>> servers;
  try {
    for (const auto& listen : listens) {
      tcp::endpoint endpoint(asio::ip::make_address(listen.host), static_cast<unsigned short>(std::stoi(listen.port)));
      canopy::gateway::TcpAcceptor acceptor(io, endpoint);
      acceptor.listen(asio::socket_base::max_listen_connections);
      const auto bound = acceptor.local_endpoint();
      std::printf("{\"event\":\"listening\",\"name\":\"%s\",\"address\":\"%s:%u\"}\n", listen.name.c_str(),
                  bound.address().to_string().c_str(), bound.port());
      servers.push_back(std::make_unique<canopy::demo::UpstreamServer>(std::move(acceptor), listen.name));
    }
  } catch (const std::exception& e) {
    std::cerr << "canopy-upstream: " << e.what() << "\n";
    return 1;
  }
  std::fflush(stdout);

  for (auto& server : servers) asio::co_spawn(io, server->serve(), asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](auto, int) { io.stop(); });
  io.run();
  return 0;
}
