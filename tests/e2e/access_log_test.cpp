// Access lines never hold up requests: a reader of stdout that falls behind
// (here: one that does not read at all for a while) costs nothing but buffer
// space, and every line arrives, in order, once it reads again.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

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

}  // namespace
}  // namespace canopy::test
