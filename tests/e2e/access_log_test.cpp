// Access lines never hold up requests: a reader of stdout that falls behind
// (here: one that does not read at all for a while) costs nothing but buffer
// space, and every line arrives, in order, once it reads again.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

TEST(AccessLog, AStalledStdoutReaderNeitherBlocksRequestsNorLosesLines) {
  DemoUpstreams upstreams{{"a"}};
  Canopy canopy{upstream_sections({"a"}) + "[[routes]]\nupstream = \"a\"\n", &upstreams};
  // ~1,000 lines of ~250 bytes: four times what a pipe holds (64 KiB).
  constexpr int requests = 1000;
  Connection client(canopy.port());
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < requests; ++i) {
    client.send("GET /n/" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n");
    auto response = client.read_response(5s);
    ASSERT_TRUE(response) << "request " << i << " got no answer while nobody read stdout";
    ASSERT_EQ(response->result_int(), 200u);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 60s);  // liveness
  const auto lines = canopy.access_log(requests, 5s);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(requests));
  for (int i = 0; i < requests; ++i) {
    EXPECT_EQ(lines[i].at("target").as_string(), ("/n/" + std::to_string(i)).c_str()) << "line " << i;
    EXPECT_EQ(lines[i].at("status"), 200);
  }
}

// "2026-11-26T21:20:01.123Z" as a time point; nullopt when it is not that shape.
std::optional<std::chrono::system_clock::time_point> parse_stamp(const std::string& text) {
  std::tm tm{};
  int millis = -1;
  char zone = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &millis, &zone) != 8 ||
      zone != 'Z' || text.size() != 24) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return std::chrono::system_clock::from_time_t(timegm(&tm)) + std::chrono::milliseconds(millis);
}

TEST(AccessLog, EachLineIsStampedWithTheWallClockTimeItsRequestEnded) {
  DemoUpstreams upstreams{{"a"}};
  Canopy canopy{upstream_sections({"a"}) + "[[routes]]\nupstream = \"a\"\n", &upstreams};
  Connection client(canopy.port());
  struct Window {
    std::chrono::system_clock::time_point sent, answered;
  };
  std::vector<Window> windows;
  // Across two second boundaries at least: the stamp's second is formatted once a second.
  for (int i = 0; i < 5; ++i) {
    Window window{.sent = std::chrono::system_clock::now(), .answered = {}};
    client.send("GET /stamp/" + std::to_string(i) + " HTTP/1.1\r\nHost: h\r\n\r\n");
    auto response = client.read_response(5s);
    window.answered = std::chrono::system_clock::now();
    ASSERT_TRUE(response);
    windows.push_back(window);
    std::this_thread::sleep_for(550ms);
  }
  const auto lines = canopy.access_log(windows.size(), 5s);
  ASSERT_EQ(lines.size(), windows.size());
  for (std::size_t i = 0; i < windows.size(); ++i) {
    const std::string ts(lines[i].at("ts").as_string());
    const auto stamp = parse_stamp(ts);
    ASSERT_TRUE(stamp) << ts;
    // Milliseconds are cut, not rounded: the stamp may be up to 1 ms before the
    // request was sent. The gateway reads the end once the answer is out, so
    // the client may have it a little earlier (more on a loaded machine).
    EXPECT_GE(*stamp, windows[i].sent - 1ms) << "line " << i << ": " << ts;
    EXPECT_LE(*stamp, windows[i].answered + 250ms) << "line " << i << ": " << ts;
    const auto took = std::chrono::microseconds(lines[i].at("duration_us").as_int64());
    EXPECT_LE(took, windows[i].answered - windows[i].sent + 250ms) << "line " << i;
  }
}

// Voluntary context switches of the worker threads ("canopy-w0", …) of process
// `pid` so far: each is a wake-up from a wait. (Other threads are not the
// gateway's event loops: a sanitizer's runtime wakes its own.)
long wake_ups(pid_t pid) {
  long total = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) {
    std::string name;
    std::getline(std::ifstream(task.path() / "comm"), name);
    if (name.rfind("canopy-w", 0) != 0) continue;
    std::ifstream status(task.path() / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("voluntary_ctxt_switches:", 0) == 0) total += std::stol(line.substr(line.find(':') + 1));
    }
  }
  return total;
}

// The flusher waits for a line when there is none: an idle gateway is not woken
// every flush interval (50 ms: 40 wake-ups in 2 s per worker), and the first
// line after the idle spell still comes out.
TEST(AccessLog, AnIdleGatewaySleepsInsteadOfFlushingAnEmptyLog) {
  DemoUpstreams upstreams{{"a"}};
  Canopy canopy{"workers = 2\n" + upstream_sections({"a"}) + "[[routes]]\nupstream = \"a\"\n", &upstreams};
  Connection client(canopy.port());
  client.send("GET /before HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(client.read_response(5s));
  ASSERT_EQ(canopy.access_log(1, 5s).size(), 1u);
  const long before = wake_ups(canopy.process().pid());
  ASSERT_GT(before, 0) << "no worker thread named canopy-w… was found";
  std::this_thread::sleep_for(2s);
  const long idle = wake_ups(canopy.process().pid()) - before;
  EXPECT_LT(idle, 20) << "wake-ups of an idle gateway in 2 s";
  client.send("GET /after HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(client.read_response(5s));
  const auto lines = canopy.access_log(1, 5s);
  ASSERT_EQ(lines.size(), 1u) << "the line after the idle spell did not come out";
  EXPECT_EQ(lines[0].at("target").as_string(), "/after");
}

}  // namespace
}  // namespace canopy::test
