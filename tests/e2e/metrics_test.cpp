// The admin listener: /metrics that promtool accepts and whose counters move
// exactly as they should, /debug/tasks, /readyz during a drain.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"
#include "tests/e2e/support/metrics_text.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

const std::string admin = "[admin]\nlisten = \"127.0.0.1:0\"\n";

std::string routes_for(const std::string& upstream) {
  return "[[routes]]\nname = \"api\"\nmatch = { path_prefix = \"/api\" }\nupstream = \"" + upstream + "\"\n"
         "[[routes]]\nname = \"fan\"\nmatch = { path = \"/fan\" }\ntimeout = \"30s\"\n"
         "aggregate = { backends = [ { upstream = \"" + upstream + "\", path = \"/?delay=20000\", key = \"slow\" },"
         " { upstream = \"" + upstream + "\", path = \"/?delay=20000\", key = \"slower\" } ] }\n";
}

// promtool's verdict on a scrape: "" when it has nothing to say.
std::string promtool_check(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("canopy-metrics-" + std::to_string(::getpid()) + ".txt");
  std::ofstream(path) << text;
  auto result = run_command({"/bin/sh", "-c", "promtool check metrics < " + path.string() + " 2>&1"});
  std::filesystem::remove(path);
  return result.status == 0 ? result.out : "exit " + std::to_string(result.status) + ": " + result.out;
}

TEST(Metrics, PromtoolAcceptsTheScrapeAndRequestsAreCountedByRouteMethodAndClass) {
  DemoUpstreams upstreams{{"echo"}};
  // Two workers: each request's connection lands on either; the scrape counts them as one gateway.
  Canopy canopy{"workers = 2\n" + admin + upstream_sections({"echo"}) + routes_for("echo"), &upstreams};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(get(canopy.port(), "/api/x").result_int(), 200u);
  EXPECT_EQ(get(canopy.port(), "/api/x?status=503").result_int(), 503u);
  EXPECT_EQ(get(canopy.port(), "/nowhere").result_int(), 404u);
  const auto text = scrape_when(canopy.admin_port(), [](const std::string& t) {
    return metric(t, "canopy_requests_total") == 5;  // the last of the five answers is counted
  });
  EXPECT_EQ(promtool_check(text), "");
  EXPECT_EQ(metric(text, "canopy_requests_total", {{"route", "api"}, {"method", "GET"}, {"code_class", "2xx"}}), 3);
  EXPECT_EQ(metric(text, "canopy_requests_total", {{"route", "api"}, {"code_class", "5xx"}}), 1);
  EXPECT_EQ(metric(text, "canopy_requests_total", {{"route", "unmatched"}, {"code_class", "4xx"}}), 1);
  EXPECT_EQ(metric(text, "canopy_request_duration_seconds_count", {{"route", "api"}}), 4);
  EXPECT_EQ(metric(text, "canopy_upstream_requests_total", {{"upstream", "echo"}, {"outcome", "2xx"}}), 3);
  EXPECT_EQ(metric(text, "canopy_upstream_requests_total", {{"upstream", "echo"}, {"outcome", "5xx"}}), 1);
  const auto idle = metric(text, "canopy_upstream_connections", {{"upstream", "echo"}, {"state", "idle"}});
  EXPECT_GE(idle, 1);
  EXPECT_LE(idle, 2) << "one keep-alive connection per worker, reused for every call";
  EXPECT_EQ(metric(text, "canopy_workers"), 2);
  EXPECT_EQ(metric(text, "canopy_build_info"), 1);
  EXPECT_GT(metric(text, "process_resident_memory_bytes"), 0);
}

TEST(Metrics, EveryClientThatLeavesIsCountedOnceAndNothingIsOrphaned) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{admin + upstream_sections({"slow"}) + routes_for("slow"), &upstreams};
  constexpr int leavers = 5;
  for (int i = 0; i < leavers; ++i) {
    Connection client(canopy.port());
    client.send("GET /api/wait?delay=20000 HTTP/1.1\r\nHost: h\r\n\r\n");
    ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", i + 1));
    client.close();
    ASSERT_NE(wait_abandoned(upstreams, "slow", i + 1), 0);
  }
  canopy.access_log(leavers, 5s);  // every request has ended
  const auto text = scrape(canopy.admin_port());
  EXPECT_EQ(metric(text, "canopy_cancellations_total", {{"reason", "client_disconnect"}}), leavers);
  EXPECT_EQ(metric(text, "canopy_requests_cancelled_total", {{"route", "api"}, {"reason", "client_disconnect"}}), leavers);
  EXPECT_EQ(metric(text, "canopy_upstream_requests_total", {{"upstream", "slow"}, {"outcome", "cancelled"}}), leavers);
  EXPECT_EQ(metric(text, "canopy_requests_total", {{"route", "api"}, {"code_class", "4xx"}}), leavers) << "499s";
  EXPECT_EQ(metric(text, "canopy_tasks_orphaned_total"), 0);
  EXPECT_EQ(metric(text, "canopy_inflight_requests"), 0);
}

// An upstream whose accept queue is full: a connect to it gets no answer (the
// kernel drops the SYN), so it lasts until something cancels it.
class UnansweredConnects {
 public:
  UnansweredConnects() : acceptor_(io_), filler_(io_) {
    acceptor_.open(boost::asio::ip::tcp::v4());
    acceptor_.bind({boost::asio::ip::address_v4::loopback(), 0});
    acceptor_.listen(0);  // room for one connection, taken at once
    filler_.connect(acceptor_.local_endpoint());
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::socket filler_;
};

TEST(Metrics, AConnectCutByTheRouteDeadlineIsCountedAsCancelledNotAsAConnectFailure) {
  UnansweredConnects stuck;
  Canopy canopy{admin + "[upstreams.stuck]\nendpoints = [\"127.0.0.1:" + std::to_string(stuck.port()) +
                    "\"]\nconnect_timeout = \"5s\"\n[[routes]]\nname = \"stuck\"\nupstream = \"stuck\"\n"
                    "timeout = \"200ms\"\n",
                nullptr};
  EXPECT_EQ(get(canopy.port(), "/").result_int(), 504u);
  const auto text = scrape_when(canopy.admin_port(), [](const std::string& t) {
    return metric(t, "canopy_upstream_requests_total", {{"upstream", "stuck"}}) > 0;
  });
  EXPECT_EQ(metric(text, "canopy_upstream_requests_total", {{"upstream", "stuck"}, {"outcome", "cancelled"}}), 1);
  EXPECT_EQ(metric(text, "canopy_upstream_requests_total", {{"upstream", "stuck"}, {"outcome", "connect_failed"}}), 0);
}

TEST(Metrics, AConnectThatOutlastsConnectTimeoutFailsAsAConnectTimeout) {
  UnansweredConnects stuck;
  Canopy canopy{admin + "[upstreams.stuck]\nendpoints = [\"127.0.0.1:" + std::to_string(stuck.port()) +
                    "\"]\nconnect_timeout = \"200ms\"\n[[routes]]\nname = \"stuck\"\nupstream = \"stuck\"\n"
                    "timeout = \"5s\"\n",
                nullptr};
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(get(canopy.port(), "/").result_int(), 502u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s) << "the connect outlived connect_timeout";
  const auto text = scrape_when(canopy.admin_port(), [](const std::string& t) {
    return metric(t, "canopy_upstream_requests_total", {{"upstream", "stuck"}}) > 0;
  });
  EXPECT_EQ(metric(text, "canopy_upstream_requests_total", {{"upstream", "stuck"}, {"outcome", "connect_timeout"}}), 1);
}

// The nursery named `name` anywhere in a /debug/tasks tree.
const json::object* find_task(const json::array& tasks, const std::string& name) {
  for (const auto& task : tasks) {
    if (task.at("name") == name.c_str()) return &task.as_object();
    if (const auto* found = find_task(task.at("children").as_array(), name)) return found;
  }
  return nullptr;
}

TEST(DebugTasks, ShowsAFanOutsBackendCallsWhileItRunsAndNothingAfter) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{admin + upstream_sections({"slow"}) + routes_for("slow"), &upstreams};
  Connection client(canopy.port());
  client.send("GET /fan HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 2));
  auto during = json::parse(get(canopy.admin_port(), "/debug/tasks").body()).as_object();
  const auto* request = find_task(during.at("tasks").as_array(), "fan");
  ASSERT_NE(request, nullptr) << json::serialize(during);
  EXPECT_EQ(request->at("kind"), "nursery");
  EXPECT_GT(request->at("age_ms").as_double(), 0);
  const auto* fan_out = find_task(request->at("children").as_array(), "fan-out");
  ASSERT_NE(fan_out, nullptr) << json::serialize(*request);
  EXPECT_NE(find_task(fan_out->at("children").as_array(), "slow"), nullptr);
  EXPECT_NE(find_task(fan_out->at("children").as_array(), "slower"), nullptr);

  client.close();
  ASSERT_NE(wait_abandoned(upstreams, "slow", 2), 0);
  canopy.access_log(1, 5s);
  auto after = json::parse(get(canopy.admin_port(), "/debug/tasks").body()).as_object();
  EXPECT_EQ(find_task(after.at("tasks").as_array(), "fan"), nullptr) << json::serialize(after);
}

TEST(Admin, ReadyzTurns503WhileDrainingAndHealthzStays200) {
  DemoUpstreams upstreams{{"slow"}};
  Canopy canopy{admin + upstream_sections({"slow"}) + routes_for("slow"), &upstreams};
  EXPECT_EQ(get(canopy.admin_port(), "/readyz").result_int(), 200u);
  Connection client(canopy.port());
  client.send("GET /api/wait?delay=500 HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(wait_counter(upstreams, "slow", "requests", 1));
  ::kill(canopy.process().pid(), SIGTERM);
  std::this_thread::sleep_for(100ms);  // the drain has begun; the slow request holds it open
  EXPECT_EQ(get(canopy.admin_port(), "/readyz").result_int(), 503u);
  EXPECT_EQ(get(canopy.admin_port(), "/healthz").result_int(), 200u);
  const auto text = scrape(canopy.admin_port());
  EXPECT_EQ(metric(text, "canopy_draining"), 1);
  EXPECT_EQ(metric(text, "canopy_inflight_requests"), 1);
  EXPECT_EQ(metric(text, "canopy_downstream_connections"), 1);
  auto answered = client.read_response();
  ASSERT_TRUE(answered);
  EXPECT_EQ(answered->result_int(), 200u) << "the request in flight still completes";
  EXPECT_EQ(canopy.process().wait(), 0);
}

TEST(Admin, TheConfigEndpointNamesTheRunningConfigByHash) {
  DemoUpstreams upstreams{{"echo"}};
  Canopy canopy{admin + upstream_sections({"echo"}) + routes_for("echo"), &upstreams};
  auto config = json::parse(get(canopy.admin_port(), "/config").body()).as_object();
  EXPECT_EQ(config.at("hash").as_string().size(), 16u);
  EXPECT_EQ(config.at("routes"), 2);
  const auto text = scrape(canopy.admin_port());
  EXPECT_EQ(metric(text, "canopy_config_info", {{"hash", std::string(config.at("hash").as_string())}}), 1);
  EXPECT_NE(text.find("canopy_config_reloads_total{result=\"failure\"} 0"), std::string::npos) << "exported from the start";
}

// Every metric name in `text` that Canopy may export (canopy_*, process_*).
std::set<std::string> metric_names_in(const std::string& text) {
  // Not std::regex: GCC 12 warns inside <regex> under ASan (-Wmaybe-uninitialized).
  auto is_name_char = [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; };
  std::set<std::string> names;
  for (const std::string prefix : {"canopy_", "process_"}) {
    for (auto at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
      if (at > 0 && (is_name_char(text[at - 1]) || std::isdigit(static_cast<unsigned char>(text[at - 1])))) continue;
      auto end = at;
      while (end < text.size() && is_name_char(text[end])) ++end;
      std::string found = text.substr(at, end - at);
      for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
        if (found.ends_with(suffix) && found.find("_seconds") != std::string::npos) found.resize(found.size() - suffix.size());
      }
      names.insert(found);
    }
  }
  return names;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(Deploy, EveryMetricTheAlertsAndTheDashboardUseIsExported) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{admin + "[upstreams.pair]\nendpoints = [\"127.0.0.1:{port:a}\", \"127.0.0.1:{port:b}\"]\n" +
                    "health_check = { interval = \"10s\" }\n" + routes_for("pair") +
                    "[[routes]]\nmatch = { path = \"/hedged\" }\nupstream = \"pair\"\nhedge = {}\n",
                &upstreams};
  const auto text = scrape(canopy.admin_port());
  std::set<std::string> exported;
  for (const auto& name : metric_names_in(text)) exported.insert(name);
  std::size_t checked = 0;
  for (const std::string file : {"/deploy/prometheus/alerts.yml", "/deploy/grafana/canopy.json"}) {
    const auto used = metric_names_in(file_text(CANOPY_SOURCE_DIR + file));
    EXPECT_GE(used.size(), 3u) << file;
    for (const auto& name : used) {
      EXPECT_TRUE(exported.contains(name)) << file << " uses " << name << ", which /metrics does not export";
      ++checked;
    }
  }
  EXPECT_GE(checked, 10u);
}

}  // namespace
}  // namespace canopy::test
