// Many clients trickling their request heads must not keep normal clients
// from being served, and are closed at the header timeout.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

TEST(Slowloris, TricklingClientsDoNotStopNormalOnesAndAreClosedAtTheHeaderTimeout) {
  DemoUpstreams upstreams{{"echo"}};
  Canopy canopy{"header_timeout = \"1s\"\n" + upstream_sections({"echo"}) + "[[routes]]\nupstream = \"echo\"\n",
                &upstreams};
  constexpr int tricklers = 300;
  std::vector<std::unique_ptr<Connection>> slow;
  for (int i = 0; i < tricklers; ++i) {
    slow.push_back(std::make_unique<Connection>(canopy.port()));
    slow.back()->send("GET / HTTP/1.1\r\nHo");
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& s : slow) s->send("s");  // a byte at a time, never finishing the head
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(get(canopy.port(), "/").result_int(), 200u);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "a normal client waited behind the trickle";
    std::this_thread::sleep_for(100ms);
  }
  int closed = 0;
  const auto until = std::chrono::steady_clock::now() + 3s;  // for all of them, not each
  for (auto& s : slow) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    closed += s->closed_by_peer(std::max(left, 0ms)) ? 1 : 0;
  }
  EXPECT_EQ(closed, tricklers) << "the header timeout bounds how long a trickling head may take";
}

}  // namespace
}  // namespace canopy::test
