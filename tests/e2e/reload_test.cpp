// SIGHUP reload: new requests get the new config, requests in flight finish on
// the one they started with, a broken file changes nothing, and reloads under
// load lose no request.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"
#include "tests/e2e/support/ports.hpp"
#include "tests/e2e/support/metrics_text.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::string prefix = "[admin]\nlisten = \"127.0.0.1:0\"\n" + upstream_sections({"a", "b"});

std::string route_to(const std::string& upstream) { return prefix + "[[routes]]\nupstream = \"" + upstream + "\"\n"; }

std::string answered_by(const Response& response) {
  return std::string(json::parse(response.body()).as_object().at("upstream").as_string());
}

TEST(Reload, NewRequestsGetTheNewConfigWhileARequestInFlightFinishesOnTheOld) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{route_to("a"), &upstreams};
  Connection slow(canopy.port());
  slow.send("GET /?delay=500 HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(wait_counter(upstreams, "a", "requests", 1));

  canopy.rewrite_config(route_to("b"));
  ::kill(canopy.process().pid(), SIGHUP);
  auto reloaded = canopy.next_event("config_reloaded", 5s);
  ASSERT_TRUE(reloaded);
  EXPECT_NE(reloaded->at("hash"), reloaded->at("previous_hash"));

  EXPECT_EQ(answered_by(get(canopy.port(), "/")), "b");
  auto old = slow.read_response();
  ASSERT_TRUE(old);
  EXPECT_EQ(old->result_int(), 200u);
  EXPECT_EQ(answered_by(*old), "a") << "the request in flight keeps the config it started with";
  // The same keep-alive connection moves to the new config with its next request.
  slow.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  auto next = slow.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(answered_by(*next), "b");
  EXPECT_EQ(metric(scrape(canopy.admin_port()), "canopy_config_reloads_total", {{"result", "success"}}), 1);
}

TEST(Reload, ABrokenFileIsReportedWithItsPlaceAndTheRunningConfigKeepsServing) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{route_to("a"), &upstreams};
  canopy.rewrite_config(prefix + "[[routes]]\nupstream = \"nope\"\n");
  ::kill(canopy.process().pid(), SIGHUP);
  auto failed = canopy.next_event("reload_failed", 5s);
  ASSERT_TRUE(failed);
  const std::string error(failed->at("error").as_string());
  EXPECT_NE(error.find(".toml:10:12: routes[0].upstream: no upstream named \"nope\""), std::string::npos) << error;
  EXPECT_EQ(answered_by(get(canopy.port(), "/")), "a");
  EXPECT_EQ(metric(scrape(canopy.admin_port()), "canopy_config_reloads_total", {{"result", "failure"}}), 1);
}

// At max_connections the old listener's accept loop waits for a slot when the
// reload moves the listener; the new one must wait too, not accept past the limit.
TEST(Reload, AMovedListenerAtMaxConnectionsWaitsForASlotLikeTheOldOne) {
  const std::string one_slot = "workers = 1\nmax_connections = 1\n[[routes]]\nstatic = { body = \"hi\" }\n";
  Canopy canopy{one_slot, nullptr};
  Connection holder(canopy.port());  // takes the one slot
  holder.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(holder.read_response());

  const std::uint16_t moved = unused_port_below_ephemeral_range();
  canopy.rewrite_config(one_slot, "127.0.0.1:" + std::to_string(moved));
  ::kill(canopy.process().pid(), SIGHUP);
  ASSERT_TRUE(canopy.next_event("config_reloaded", 5s));
  Connection waiting(moved);
  waiting.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_FALSE(waiting.read_response(300ms)) << "the new listener accepted past max_connections";
  holder.close();  // frees the slot: the old loop takes it and retires, then the new one
  auto answered = waiting.read_response(5s);
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->body(), "hi");
  EXPECT_TRUE(canopy.next_event("listener_retired", 5s));
}

TEST(Reload, AListenAddressByHostNameFailsTheReloadAndTheGatewayKeepsServing) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{route_to("a"), &upstreams};
  canopy.rewrite_config(route_to("b"), "localhost:0");
  ::kill(canopy.process().pid(), SIGHUP);
  auto failed = canopy.next_event("reload_failed", 5s);
  ASSERT_TRUE(failed);
  const std::string error(failed->at("error").as_string());
  EXPECT_NE(error.find("cannot listen on localhost:0: the host must be a numeric address"), std::string::npos) << error;
  EXPECT_EQ(answered_by(get(canopy.port(), "/")), "a");
}

TEST(Reload, AMovedListenerServesOnTheNewAddressWithoutDroppingOpenConnections) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{route_to("a"), &upstreams};
  Connection kept(canopy.port());
  kept.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(kept.read_response());

  const std::uint16_t moved = unused_port_below_ephemeral_range();
  canopy.rewrite_config(route_to("a"), "127.0.0.1:" + std::to_string(moved));
  ::kill(canopy.process().pid(), SIGHUP);
  auto reloaded = canopy.next_event("config_reloaded", 5s);
  ASSERT_TRUE(reloaded);
  EXPECT_EQ(reloaded->at("listen").as_string(), ("127.0.0.1:" + std::to_string(moved)).c_str());
  ASSERT_TRUE(canopy.next_event("listener_retired", 5s));
  EXPECT_EQ(get(moved, "/").result_int(), 200u);
  kept.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  auto on_old = kept.read_response();
  ASSERT_TRUE(on_old) << "a connection open on the old listener was dropped";
  EXPECT_EQ(on_old->result_int(), 200u);
  // Each worker retires its own old listener (one listener_retired line each): the old address
  // refuses once the last one is closed.
  bool refused = false;
  for (const auto until = std::chrono::steady_clock::now() + 2s; !refused && std::chrono::steady_clock::now() < until;) {
    try {
      Connection probe(canopy.port());
      std::this_thread::sleep_for(5ms);
    } catch (const std::exception&) {
      refused = true;
    }
  }
  EXPECT_TRUE(refused) << "the old address still accepts";

  // An address that is taken fails the reload; the running listener keeps serving.
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor squatter(io, {boost::asio::ip::make_address("127.0.0.1"), 0}, /*reuse_addr=*/false);
  const auto taken = std::to_string(squatter.local_endpoint().port());
  canopy.rewrite_config(route_to("b"), "127.0.0.1:" + taken);
  ::kill(canopy.process().pid(), SIGHUP);
  auto failed = canopy.next_event("reload_failed", 5s);
  ASSERT_TRUE(failed);
  const std::string error(failed->at("error").as_string());
  EXPECT_NE(error.find("server.listen: cannot listen on 127.0.0.1:" + taken), std::string::npos) << error;
  EXPECT_EQ(answered_by(get(moved, "/")), "a") << "the failed reload changed the running config";
}

TEST(Reload, TenReloadsUnderLoadLoseNoRequest) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{route_to("a"), &upstreams};
  // Thousands of access-log lines: keep reading them, or canopy's stdout pipe fills and it stalls.
  std::atomic<bool> load_done = false;
  std::size_t logged = 0;
  std::thread access_log_reader([&] {
    while (!load_done) logged += canopy.access_log(1, 100ms).size();
  });
  const auto out = std::filesystem::temp_directory_path() / ("canopy-wrk-" + std::to_string(canopy.port()) + ".txt");
  ChildProcess wrk({"/bin/sh", "-c",
                    "wrk -t1 -c16 -d3s http://127.0.0.1:" + std::to_string(canopy.port()) + "/ > " + out.string()});
  std::this_thread::sleep_for(300ms);
  int reloaded = 0;
  for (int i = 0; i < 10; ++i) {
    canopy.rewrite_config(route_to(i % 2 == 0 ? "b" : "a"));
    ::kill(canopy.process().pid(), SIGHUP);
    reloaded += canopy.next_event("config_reloaded", 5s) ? 1 : 0;
    std::this_thread::sleep_for(150ms);
  }
  EXPECT_EQ(wrk.wait(), 0);
  load_done = true;
  access_log_reader.join();
  EXPECT_GT(logged, 100u);
  std::ifstream in(out);
  const std::string report((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(out);
  EXPECT_EQ(reloaded, 10);
  EXPECT_NE(report.find("requests in"), std::string::npos) << report;
  EXPECT_EQ(report.find("Non-2xx"), std::string::npos) << report;
  EXPECT_EQ(report.find("Socket errors"), std::string::npos) << report;
}

}  // namespace
}  // namespace canopy::test
