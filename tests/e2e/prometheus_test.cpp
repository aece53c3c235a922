// A real Prometheus server (Debian's package, on 127.0.0.1 with throw-away
// storage) scrapes a running canopy under traffic; its query API must see the
// counters Canopy exports.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json/parse.hpp>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"
#include "tests/e2e/support/ports.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

class PrometheusServer {
 public:
  explicit PrometheusServer(std::uint16_t target_port) : port_(unused_port_below_ephemeral_range()) {
    dir_ = std::filesystem::temp_directory_path() / ("canopy-prometheus-" + std::to_string(port_));
    std::filesystem::create_directories(dir_ / "data");
    std::ofstream(dir_ / "prometheus.yml") << "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: canopy\n"
                                              "    static_configs:\n      - targets: [\"127.0.0.1:"
                                           << target_port << "\"]\n";
    process_ = std::make_unique<ChildProcess>(std::vector<std::string>{
        "prometheus", "--config.file=" + (dir_ / "prometheus.yml").string(),
        "--storage.tsdb.path=" + (dir_ / "data").string(), "--web.listen-address=127.0.0.1:" + std::to_string(port_)});
  }
  ~PrometheusServer() {
    process_.reset();
    std::filesystem::remove_all(dir_);
  }

  // The value of a scalar-valued instant query, once it has one (up to `timeout`).
  std::optional<double> query_until(const std::string& promql, double wanted, std::chrono::seconds timeout) {
    std::optional<double> last;
    for (const auto until = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < until;
         std::this_thread::sleep_for(250ms)) {
      try {
        auto response = get(port_, "/api/v1/query?query=" + encode(promql));
        if (response.result_int() != 200) continue;
        const auto result = json::parse(response.body()).at("data").at("result").as_array();
        if (result.empty()) continue;
        last = std::stod(std::string(result[0].at("value").as_array()[1].as_string()));
        if (*last == wanted) return last;
      } catch (const std::exception&) {
        // not up yet
      }
    }
    return last;
  }

 private:
  static std::string encode(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
      if (std::isalnum(c) || c == '_' || c == '.') out += static_cast<char>(c);
      else {
        char hex[4];
        std::snprintf(hex, sizeof hex, "%%%02X", c);
        out += hex;
      }
    }
    return out;
  }

  std::uint16_t port_;
  std::filesystem::path dir_;
  std::unique_ptr<ChildProcess> process_;
};

TEST(Prometheus, ARealServerScrapesCanopyAndSeesItsRequestsAndCancellations) {
  DemoUpstreams upstreams{{"echo"}};
  Canopy canopy{"[admin]\nlisten = \"127.0.0.1:0\"\n" + upstream_sections({"echo"}) +
                    "[[routes]]\nname = \"api\"\nupstream = \"echo\"\n",
                &upstreams};
  PrometheusServer prometheus(canopy.admin_port());
  for (int i = 0; i < 10; ++i) ASSERT_EQ(get(canopy.port(), "/").result_int(), 200u);
  Connection leaver(canopy.port());
  leaver.send("GET /?delay=20000 HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(wait_counter(upstreams, "echo", "requests", 11));
  leaver.close();
  ASSERT_NE(wait_abandoned(upstreams, "echo", 1), 0);

  EXPECT_EQ(prometheus.query_until("up{job=\"canopy\"}", 1, 30s), 1);
  EXPECT_EQ(prometheus.query_until("sum(canopy_requests_total{route=\"api\",code_class=\"2xx\"})", 10, 30s), 10);
  EXPECT_EQ(prometheus.query_until("sum(canopy_cancellations_total{reason=\"client_disconnect\"})", 1, 30s), 1);
  EXPECT_EQ(prometheus.query_until("sum(canopy_tasks_orphaned_total)", 0, 30s), 0);
}

}  // namespace
}  // namespace canopy::test
