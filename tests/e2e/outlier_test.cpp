// Passive health: an endpoint that keeps failing is left out of balancing for
// a while, traffic goes on to the others, and it comes back afterwards.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <thread>

#include "tests/e2e/support/canopy_under_test.hpp"
#include "tests/e2e/support/http_client.hpp"
#include "tests/e2e/support/metrics_text.hpp"

namespace canopy::test {
namespace {

using namespace std::chrono_literals;

TEST(Outlier, AFailingEndpointIsEjectedTrafficGoesOnAndItReturnsAfterTheEjection) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{"workers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\n[upstreams.pair]\n"
                "endpoints = [\"127.0.0.1:{port:a}\", \"127.0.0.1:{port:b}\"]\n"
                "outlier = { consecutive_failures = 3, ejection = \"500ms\" }\n[[routes]]\nupstream = \"pair\"\n",
                &upstreams};
  // Round robin: a, b, a, b, a — the third failure of a ejects it; from then on only b answers.
  int failed = 0;
  for (int i = 0; i < 12; ++i) failed += get(canopy.port(), "/?only=a&status=503").result_int() == 503 ? 1 : 0;
  EXPECT_EQ(failed, 3) << "only the failures before the ejection reach the client";
  auto ejected = canopy.next_event("endpoint_ejected", 2s);
  ASSERT_TRUE(ejected);
  EXPECT_EQ(ejected->at("upstream"), "pair");
  const auto text = scrape(canopy.admin_port());
  EXPECT_EQ(metric(text, "canopy_upstream_endpoint_ejected", {{"upstream", "pair"}}), 1);
  EXPECT_EQ(metric(text, "canopy_upstream_ejections_total", {{"upstream", "pair"}}), 1);

  const auto a_before = upstreams.stats("a").at("requests").as_int64();
  std::this_thread::sleep_for(600ms);  // the ejection ends
  for (int i = 0; i < 4; ++i) EXPECT_EQ(get(canopy.port(), "/").result_int(), 200u);
  EXPECT_GT(upstreams.stats("a").at("requests").as_int64(), a_before) << "a came back into balancing";
}

TEST(Outlier, NoMoreThanTheAllowedShareIsEjectedAndTrafficAlwaysFlows) {
  DemoUpstreams upstreams{{"a", "b"}};
  Canopy canopy{"workers = 1\n[admin]\nlisten = \"127.0.0.1:0\"\n[upstreams.pair]\n"
                "endpoints = [\"127.0.0.1:{port:a}\", \"127.0.0.1:{port:b}\"]\n"
                "outlier = { consecutive_failures = 2, ejection = \"30s\" }\n[[routes]]\nupstream = \"pair\"\n",
                &upstreams};
  for (int i = 0; i < 10; ++i) get(canopy.port(), "/?status=503");  // both endpoints fail
  // The default 50 % of two endpoints: one may be out, the other stays in.
  EXPECT_EQ(metric(scrape(canopy.admin_port()), "canopy_upstream_endpoint_ejected", {{"upstream", "pair"}}), 1);
  EXPECT_EQ(get(canopy.port(), "/").result_int(), 200u);
  EXPECT_EQ(get(canopy.port(), "/").result_int(), 200u);
}

}  // namespace
}  // namespace canopy::test
