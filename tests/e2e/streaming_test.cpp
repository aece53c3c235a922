// Flow control: a client that reads slowly slows Canopy's reading from the
// upstream; Canopy holds a few buffers per connection, never the body.
#include <gtest/gtest.h>

#include <boost/asio/read.hpp>
#include <fstream>
#include <string>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;

std::int64_t resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// Reads a whole response with Content-Length from `connection`; its body's size.
std::uint64_t drain_body(Connection& connection) {
  std::string head;
  std::array<char, 64 * 1024> chunk;
  std::size_t header_end = std::string::npos;
  while (header_end == std::string::npos) {
    head.append(chunk.data(), connection.socket().read_some(asio::buffer(chunk)));
    header_end = head.find("\r\n\r\n");
  }
  const auto length_at = head.find("Content-Length: ");
  if (length_at == std::string::npos || length_at > header_end) throw std::runtime_error("no Content-Length: " + head.substr(0, header_end));
  const std::uint64_t length = std::stoull(head.substr(length_at + 16));
  std::uint64_t body = head.size() - (header_end + 4);
  while (body < length) body += connection.socket().read_some(asio::buffer(chunk));
  return body;
}

TEST(Streaming, ASlowReaderSlowsTheUpstreamAndCanopyNeverHoldsTheBody) {
  constexpr std::uint64_t size = 32ull << 20;
  DemoUpstreams upstreams{{"big"}};
  Canopy canopy{upstream_sections({"big"}) + "[[routes]]\nupstream = \"big\"\ntimeout = \"60s\"\n", &upstreams};
  const auto rss_before = resident_kib(canopy.process().pid());
  Connection reader(canopy.port());
  reader.send("GET /?bytes=" + std::to_string(size) + " HTTP/1.1\r\nHost: h\r\n\r\n");
  std::this_thread::sleep_for(1s);  // reads nothing: on loopback the upstream would finish in far less
  const auto rss_stalled = resident_kib(canopy.process().pid());
  std::printf("32 MiB response, reader stalled 1 s: canopy RSS %lld -> %lld KiB\n", static_cast<long long>(rss_before),
              static_cast<long long>(rss_stalled));
  EXPECT_EQ(upstreams.stats("big").at("responses_sent"), 0) << "the upstream could write it all: something buffered the body";
  EXPECT_LT(rss_stalled - rss_before, 8 * 1024) << "KiB grown while the reader stalled";
  EXPECT_EQ(drain_body(reader), size) << "once the reader reads, all of it arrives";
  EXPECT_TRUE(wait_counter(upstreams, "big", "responses_sent", 1));
}

}  // namespace
}  // namespace canopy::test
