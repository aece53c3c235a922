// Config of an upstream's resilience: passive outlier ejection, active health
// checks and circuit breakers.
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "tests/unit/config/error_of.hpp"

namespace canopy::config {
namespace {

TEST(Outlier, DefaultsAndOverrides) {
  const auto config = parse_config(R"(
[upstreams.a]
endpoints = ["127.0.0.1:1"]
[upstreams.b]
endpoints = ["127.0.0.1:2"]
outlier = { consecutive_failures = 2, ejection = "5s", max_ejected_percent = 10 }
[[routes]]
upstream = "a"
)", "o.toml");
  EXPECT_EQ(config.upstreams.at("a").outlier.consecutive_failures, 5u);
  EXPECT_EQ(config.upstreams.at("a").outlier.max_ejected_percent, 50u);
  EXPECT_EQ(config.upstreams.at("b").outlier.consecutive_failures, 2u);
  EXPECT_EQ(config.upstreams.at("b").outlier.ejection, Duration(5s));
  EXPECT_EQ(config.upstreams.at("b").outlier.max_ejected_percent, 10u);
}

TEST(HealthCheck, IsOffUnlessAskedForAndReadsEveryKey) {
  const auto config = parse_config(R"(
[upstreams.a]
endpoints = ["127.0.0.1:1"]
[upstreams.b]
endpoints = ["127.0.0.1:2"]
health_check = { path = "/ready?deep=1", host = "b.internal", interval = "2s", timeout = "300ms", unhealthy_threshold = 4, healthy_threshold = 1 }
[upstreams.c]
endpoints = ["127.0.0.1:3"]
health_check = {}
[[routes]]
upstream = "a"
)", "h.toml");
  EXPECT_FALSE(config.upstreams.at("a").health_check);
  const auto& b = *config.upstreams.at("b").health_check;
  EXPECT_EQ(b.path, "/ready?deep=1");
  EXPECT_EQ(b.host, "b.internal");
  EXPECT_EQ(b.interval, Duration(2s));
  EXPECT_EQ(b.timeout, Duration(300ms));
  EXPECT_EQ(b.unhealthy_threshold, 4u);
  EXPECT_EQ(b.healthy_threshold, 1u);
  const auto& c = *config.upstreams.at("c").health_check;
  EXPECT_EQ(c.path, "/health");
  EXPECT_EQ(c.interval, Duration(5s));
  EXPECT_EQ(c.timeout, Duration(1s));
  EXPECT_EQ(c.unhealthy_threshold, 3u);
  EXPECT_EQ(c.healthy_threshold, 2u);
}

TEST(HealthCheck, MistakesSayWhatIsWrongAndWhere) {
  const std::string head = "[upstreams.a]\nendpoints = [\"127.0.0.1:1\"]\n";
  const std::string route = "[[routes]]\nupstream = \"a\"\n";
  EXPECT_EQ(error_of(head + "health_check = { path = \"health\" }\n" + route),
            "canopy.toml:3:25: upstreams.a.health_check.path: expected a path such as \"/health\", got \"health\"");
  EXPECT_EQ(error_of(head + "health_check = { interval = \"0s\" }\n" + route),
            "canopy.toml:3:29: upstreams.a.health_check.interval: expected a positive duration such as \"150ms\", \"2s\" or \"1m\", got \"0s\"");
  EXPECT_EQ(error_of(head + "health_check = { unhealthy_threshold = 0 }\n" + route),
            "canopy.toml:3:40: upstreams.a.health_check.unhealthy_threshold: must be between 1 and 1000, got 0");
  const auto unknown = error_of(head + "health_check = { pth = \"/x\" }\n" + route);
  EXPECT_NE(unknown.find("did you mean \"path\""), std::string::npos) << unknown;
}

TEST(CircuitBreaker, HasEnvoysDefaultsAndReadsItsLimits) {
  const auto config = parse_config(R"(
[upstreams.a]
endpoints = ["127.0.0.1:1"]
[upstreams.b]
endpoints = ["127.0.0.1:2"]
circuit_breaker = { max_requests = 100, max_pending = 0 }
[[routes]]
upstream = "a"
)", "c.toml");
  EXPECT_EQ(config.upstreams.at("a").circuit_breaker.max_requests, 1024u);
  EXPECT_EQ(config.upstreams.at("a").circuit_breaker.max_pending, 1024u);
  EXPECT_EQ(config.upstreams.at("b").circuit_breaker.max_requests, 100u);
  EXPECT_EQ(config.upstreams.at("b").circuit_breaker.max_pending, 0u);
  EXPECT_EQ(error_of("[upstreams.a]\nendpoints = [\"127.0.0.1:1\"]\ncircuit_breaker = { max_requests = 0 }\n"
                     "[[routes]]\nupstream = \"a\"\n"),
            "canopy.toml:3:36: upstreams.a.circuit_breaker.max_requests: must be between 1 and 10000000, got 0");
}

}  // namespace
}  // namespace canopy::config
