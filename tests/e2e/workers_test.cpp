// Several workers: one process, one address, a listener per worker thread
// (SO_REUSEPORT). Each request lives on one worker; signals, reloads and the
// admin endpoints speak for all of them.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string two_workers_to(const std::string& upstream) {
  return "workers = 2\n[admin]\nlisten = \"127.0.0.1:0\"\n" + upstream_sections({"a", "b"}) +
         "[[routes]]\nupstream = \"" + upstream + "\"\ntimeout = \"30s\"\n";
}

std::string answered_by(const Response& response) {
  return std::string(json::parse(response.body()).as_object().at("upstream").as_string());
}

// How many tasks named `name` are in a /debug/tasks subtree.
int count_tasks(const json::array& tasks, const std::string& name) {
  int n = 0;
  for (const auto& task : tasks) {
    n += task.at("name") == name.c_str() ? 1 : 0;
    n += count_tasks(task.at("children").as_array(), name);
  }
  return n;
}

TEST(Workers, EveryWorkerServesConnectionsOnTheSameAddress) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{two_workers_to("a"), &upstreams};
  // 16 kept-open connections: the kernel puts all of them on one listener with odds of 1 in 32,768.
  std::vector<std::unique_ptr<Connection>> clients;
  for (int i = 0; i < 16; ++i) {
    clients.push_back(std::make_unique<Connection>(canopy.port()));
    clients.back()->send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    auto response = clients.back()->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->result_int(), 200u);
  }
  const auto tree = json::parse(get(canopy.admin_port(), "/debug/tasks").body()).as_object();
  int connections = 0;
  int workers = 0;
  for (const auto& node : tree.at("tasks").as_array()) {
    if (node.at("kind") != "worker") continue;
    ++workers;
    const int on_this_one = count_tasks(node.at("children").as_array(), "connection");
    EXPECT_GT(on_this_one, 0) << node.at("name") << " got no connection: " << json::serialize(tree);
    connections += on_this_one;
  }
  EXPECT_EQ(workers, 2);
  EXPECT_EQ(connections, 16);
}

TEST(Workers, ClientsLeavingCancelTheirUpstreamCallsOnEveryWorker) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{two_workers_to("a"), &upstreams};
  auto clients = start_requests(canopy.port(), "/?delay=20000", 12);
  ASSERT_TRUE(wait_counter(upstreams, "a", "requests", 12));
  for (auto& client : clients) client->close();
  EXPECT_NE(wait_abandoned(upstreams, "a", 12), 0) << "every upstream call was closed";
  EXPECT_EQ(canopy.process().stop(SIGTERM, 10s), 0);
  EXPECT_EQ(canopy.stopped_tasks(5s), std::pair(std::int64_t{0}, std::int64_t{0})) << "live, orphaned";
}

TEST(Workers, ADrainWaitsForTheRequestsOfEveryWorkerAndEndsWithNoTaskLeft) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{two_workers_to("a"), &upstreams};
  auto clients = start_requests(canopy.port(), "/?delay=500", 12);
  ASSERT_TRUE(wait_counter(upstreams, "a", "requests", 12));
  ::kill(canopy.process().pid(), SIGTERM);
  int ok = 0;
  for (auto& client : clients) {
    auto response = client->read_response(5s);
    ok += response && response->result_int() == 200 ? 1 : 0;
  }
  EXPECT_EQ(ok, 12);
  EXPECT_EQ(canopy.process().stop(0, 10s), 0);
  auto drained = canopy.next_event("drained", 1s);
  ASSERT_TRUE(drained);
  EXPECT_EQ(drained->at("requests_finished"), 12) << "summed over both workers";
  EXPECT_EQ(drained->at("requests_cut"), 0);
  EXPECT_EQ(canopy.stopped_tasks(5s), std::pair(std::int64_t{0}, std::int64_t{0})) << "live, orphaned";
}

TEST(Workers, AReloadSwitchesEveryWorker) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{two_workers_to("a"), &upstreams};
  canopy.rewrite_config(two_workers_to("b"));
  ::kill(canopy.process().pid(), SIGHUP);
  ASSERT_TRUE(canopy.next_event("config_reloaded", 5s));
  for (int i = 0; i < 16; ++i) EXPECT_EQ(answered_by(get(canopy.port(), "/")), "b") << "request " << i;
}

TEST(Workers, OneWorkerRunsTheHealthChecksAndEveryWorkerAvoidsWhatTheyFind) {
  DemoUpstreams a{{"a"}};
  DemoUpstreams b{{"b"}};
  Canopy canopy{"workers = 2\n[upstreams.pair]\nendpoints = [\"127.0.0.1:" + std::to_string(a.port("a")) +
                    "\", \"127.0.0.1:" + std::to_string(b.port("b")) + "\"]\n"
                    "health_check = { path = \"/health?status=503&only=b\", interval = \"100ms\", unhealthy_threshold = 1 }\n"
                    "[[routes]]\nupstream = \"pair\"\n",
                nullptr};
  ASSERT_TRUE(canopy.next_event("endpoint_unhealthy", 3s));
  std::this_thread::sleep_for(100ms);  // the change reaches the other worker in microseconds
  // New connections: SO_REUSEPORT spreads them over both workers.
  for (int i = 0; i < 20; ++i) EXPECT_EQ(answered_by(get(canopy.port(), "/")), "a") << "request " << i;

  // b now gets nothing but probes: about ten a second from one worker, twenty if both probed.
  const auto before = b.stats("b").at("requests").as_int64();
  std::this_thread::sleep_for(1s);
  const auto probes = b.stats("b").at("requests").as_int64() - before;
  EXPECT_LE(probes, 14) << "every worker probes";
  EXPECT_GE(probes, 3) << "the checks stopped";
  EXPECT_FALSE(canopy.next_event("endpoint_unhealthy", 200ms)) << "a second worker found it again";
}

}  // namespace
}  // namespace canopy::test
