// Several workers: one process, one address, a listener per worker thread
// (SO_REUSEPORT). Each request lives on one worker; signals, reloads and the
// admin endpoints speak for all of them.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <csignal>
#include <memory>
#include <string>
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

}  // namespace
}  // namespace canopy::test
