#include "config/load.hpp"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/config/error_of.hpp"

namespace canopy::config {
namespace {

const std::string minimal_route = R"(
[[routes]]
match = { path = "/health" }
static = { status = 200, body = "ok" }
)";

TEST(ConfigLoad, ReadsDesignSketchKeysAndDefaults) {
  const auto config = parse_config(R"(
[server]
listen = "0.0.0.0:8080"
workers = 0
header_timeout = "10s"
idle_timeout = "60s"
drain_timeout = "30s"
max_connections = 10000

[admin]
listen = "127.0.0.1:9901"

[limits]
max_inflight = 5000
queue = 1000
queue_timeout = "100ms"

[upstreams.users]
endpoints = ["127.0.0.1:9001", "127.0.0.1:9002"]
balance = "least_request"
max_connections = 256
connect_timeout = "1s"

[[routes]]
match = { path_prefix = "/api/users", methods = ["GET", "POST"] }
upstream = "users"
timeout = "2s"
)", "design.toml");
  EXPECT_EQ(config.server.listen, (Address{"0.0.0.0", 8080}));
  EXPECT_EQ(config.server.header_timeout, 10s);
  EXPECT_EQ(config.admin.listen, (Address{"127.0.0.1", 9901}));
  EXPECT_EQ(config.limits.queue_timeout, 100ms);
  ASSERT_EQ(config.upstreams.size(), 1u);
  const auto& users = config.upstreams.at("users");
  EXPECT_EQ(users.endpoints.size(), 2u);
  EXPECT_EQ(users.balance, Balance::least_request);
  ASSERT_EQ(config.routes.size(), 1u);
  EXPECT_EQ(config.routes[0].name, "/api/users/*");
  EXPECT_EQ(config.routes[0].match.methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(config.routes[0].timeout, 2s);
  EXPECT_EQ(config.routes[0].place.line, 24u);  // the [[routes]] header
  EXPECT_EQ(config.server.max_body_bytes, 10u * 1024 * 1024);  // a default
}

TEST(ConfigLoad, ReadsStaticRoutesHeaderEditsAndRewrites) {
  const auto config = parse_config(R"(
[upstreams.api]
endpoints = ["127.0.0.1:9001"]

[[routes]]
name = "legacy"
match = { path_prefix = "/v1/", host = "API.example.com" }
upstream = "api"
prefix_rewrite = "/v2"
request_headers = { set = { "X-Env" = "prod" }, remove = ["Cookie"] }
response_headers = { remove = ["Server"] }

[[routes]]
match = { path = "/health" }
static = { status = 204, headers = { "Cache-Control" = "no-store" } }
)", "c.toml");
  const auto& legacy = config.routes[0];
  EXPECT_EQ(legacy.name, "legacy");
  EXPECT_EQ(legacy.match.path_prefix, "/v1");
  EXPECT_EQ(legacy.match.host, "api.example.com");
  EXPECT_EQ(legacy.prefix_rewrite, "/v2");
  EXPECT_EQ(legacy.request_headers.set, (HeaderList{{"X-Env", "prod"}}));
  EXPECT_EQ(legacy.request_headers.remove, (std::vector<std::string>{"cookie"}));
  EXPECT_EQ(legacy.response_headers.remove, (std::vector<std::string>{"server"}));
  ASSERT_TRUE(config.routes[1].static_response);
  EXPECT_EQ(config.routes[1].static_response->status, 204u);
  EXPECT_EQ(config.routes[1].name, "/health");
}

TEST(ConfigErrors, ATomlSyntaxErrorGivesFileLineAndColumn) {
  EXPECT_EQ(error_of("[server]\nlisten = \"0.0.0.0:8080\nworkers = 2\n").substr(0, 16), "canopy.toml:2:23");
}

TEST(ConfigErrors, AnUnknownKeySuggestsTheClosestOne) {
  EXPECT_EQ(error_of("[server]\nheader_timout = \"5s\"\n" + minimal_route),
            "canopy.toml:2:1: unknown key \"header_timout\" in server; did you mean \"header_timeout\"?");
  EXPECT_EQ(error_of("[sever]\n" + minimal_route),
            "canopy.toml:1:2: unknown key \"sever\" in the top level; did you mean \"server\"?");
  EXPECT_EQ(error_of("[server]\ncolour = 1\n" + minimal_route), "canopy.toml:2:1: unknown key \"colour\" in server");
}

TEST(ConfigErrors, ABadDurationNamesTheKeyAndShowsTheValue) {
  EXPECT_EQ(error_of("[server]\nidle_timeout = \"10 seconds\"\n" + minimal_route),
            "canopy.toml:2:16: server.idle_timeout: expected a positive duration such as \"150ms\", \"2s\" or \"1m\", "
            "got \"10 seconds\"");
  EXPECT_EQ(error_of("[server]\nidle_timeout = 10\n" + minimal_route),
            "canopy.toml:2:16: server.idle_timeout: expected a string, got integer");
}

TEST(ConfigErrors, ABadAddressSizeOrNumberNamesTheKey) {
  EXPECT_EQ(error_of("[server]\nlisten = \"8080\"\n" + minimal_route),
            "canopy.toml:2:10: server.listen: expected an address such as \"127.0.0.1:8080\" or \"[::1]:8080\", got "
            "\"8080\"");
  EXPECT_EQ(error_of("[server]\nmax_body_bytes = \"10 MB\"\n" + minimal_route),
            "canopy.toml:2:18: server.max_body_bytes: expected a size such as 65536, \"64KiB\" or \"10MB\", got "
            "\"10 MB\"");
  EXPECT_EQ(error_of("[server]\nworkers = -1\n" + minimal_route),
            "canopy.toml:2:11: server.workers: must be between 0 and 1024, got -1");
}

TEST(ConfigErrors, ARouteNamingAMissingUpstreamIsAnError) {
  EXPECT_EQ(error_of("[upstreams.users]\nendpoints = [\"127.0.0.1:9001\"]\n[[routes]]\nupstream = \"user\"\n"),
            "canopy.toml:4:12: routes[0].upstream: no upstream named \"user\"; did you mean \"users\"?");
  EXPECT_EQ(error_of("[[routes]]\nupstream = \"orders\"\n"),
            "canopy.toml:2:12: routes[0].upstream: no upstream named \"orders\"; define it as [upstreams.orders]");
}

TEST(ConfigErrors, ARouteNeedsExactlyOneAction) {
  EXPECT_EQ(error_of("[[routes]]\nmatch = { path = \"/\" }\n"),
            "canopy.toml:1:1: routes[0]: a route needs exactly one of `upstream = \"name\"`, a `static` response or an "
            "`aggregate`");
}

TEST(ConfigErrors, MatchValuesAreChecked) {
  EXPECT_EQ(error_of("[[routes]]\nmatch = { path = \"api\" }\nstatic = {}\n"),
            "canopy.toml:2:18: routes[0].match.path: must start with \"/\"");
  EXPECT_EQ(error_of("[[routes]]\nmatch = { path = \"/a\", path_prefix = \"/a\" }\nstatic = {}\n"),
            "canopy.toml:2:38: routes[0].match.path_prefix: use either path (exact) or path_prefix, not both");
  EXPECT_EQ(error_of("[[routes]]\nmatch = { methods = [\"get\"] }\nstatic = {}\n"),
            "canopy.toml:2:21: routes[0].match.methods: \"get\" is not a method; write methods in upper case, e.g. "
            "\"GET\"");
  EXPECT_EQ(error_of("[[routes]]\nmatch = { path = \"/\", metods = [\"GET\"] }\nstatic = {}\n"),
            "canopy.toml:2:23: unknown key \"metods\" in routes[0].match; did you mean \"methods\"?");
}

TEST(ConfigErrors, AnUnknownBalanceListsTheChoices) {
  EXPECT_EQ(error_of("[upstreams.a]\nendpoints = [\"127.0.0.1:1\"]\nbalance = \"random\"\n" + minimal_route),
            "canopy.toml:3:11: upstreams.a.balance: unknown value \"random\"; expected one of round_robin, "
            "least_request, power_of_two_choices");
}

TEST(ConfigErrors, AnUpstreamNeedsEndpointsWithPorts) {
  EXPECT_EQ(error_of("[upstreams.a]\nendpoints = []\n" + minimal_route),
            "canopy.toml:2:13: upstreams.a.endpoints: an upstream needs at least one endpoint, e.g. "
            "[\"127.0.0.1:9001\"]");
  EXPECT_EQ(error_of("[upstreams.a]\nendpoints = [\"127.0.0.1:1\", \"localhost\"]\n" + minimal_route),
            "canopy.toml:2:29: upstreams.a.endpoints: expected an address such as \"127.0.0.1:9001\", got "
            "\"localhost\"");
}

TEST(ConfigErrors, DuplicateRouteNamesAreRejected) {
  EXPECT_EQ(error_of(minimal_route + minimal_route),
            "canopy.toml:6:1: routes[1]: another route is already named \"/health\"; give one of them a `name`");
}

TEST(ConfigErrors, AFileWithoutRoutesOrThatCannotBeReadIsAnError) {
  EXPECT_EQ(error_of("[server]\n"), "canopy.toml:1:1: no routes: add at least one [[routes]] table");
  try {
    load_config_file("/nonexistent/canopy.toml");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/canopy.toml:1:1: cannot read the file");
  }
}

TEST(ConfigLoad, ReadsAggregateRoutes) {
  const auto config = parse_config(R"(
[upstreams.users]
endpoints = ["127.0.0.1:9001"]
[upstreams.orders]
endpoints = ["127.0.0.1:9002"]
[[routes]]
match = { path = "/dashboard" }
aggregate = { policy = "quorum", quorum = 1, errors_in_body = true, backends = [
  { upstream = "users", path = "/me", key = "user", required = true, timeout = "200ms" },
  { upstream = "orders", method = "POST", path = "/orders?{query}" },
] }
)", "a.toml");
  const auto& aggregate = *config.routes[0].aggregate;
  EXPECT_EQ(aggregate.policy, AggregatePolicy::quorum);
  EXPECT_EQ(aggregate.quorum, 1u);
  EXPECT_TRUE(aggregate.errors_in_body);
  ASSERT_EQ(aggregate.backends.size(), 2u);
  EXPECT_EQ(aggregate.backends[0].timeout, Duration(200ms));
  EXPECT_TRUE(aggregate.backends[0].required);
  EXPECT_EQ(aggregate.backends[1].method, "POST");
  EXPECT_EQ(aggregate.backends[1].key, "");
}

TEST(ConfigErrors, AggregateMistakesNameTheBackend) {
  const std::string upstream = "[upstreams.users]\nendpoints = [\"127.0.0.1:9001\"]\n[[routes]]\n";
  EXPECT_EQ(error_of(upstream + "aggregate = { backends = [ { upstream = \"usr\", path = \"/\" } ] }\n"),
            "canopy.toml:4:41: routes[0].aggregate.backends[0].upstream: no upstream named \"usr\"; did you mean "
            "\"users\"?");
  EXPECT_EQ(error_of(upstream + "aggregate = { policy = \"quorum\", quorum = 3, backends = [ { upstream = \"users\", "
                                "path = \"/\" } ] }\n"),
            "canopy.toml:4:43: routes[0].aggregate.quorum: policy \"quorum\" needs quorum between 1 and the number of "
            "backends");
  EXPECT_EQ(error_of(upstream + "aggregate = { backends = [ { upstream = \"users\", path = \"x\" } ] }\n"),
            "canopy.toml:4:57: routes[0].aggregate.backends[0].path: a backend needs a path starting with \"/\"");
  EXPECT_EQ(error_of(upstream + "upstream = \"users\"\naggregate = { backends = [ { upstream = \"users\", path = \"/\" } ] }\n"),
            "canopy.toml:3:1: routes[0]: a route needs exactly one of `upstream = \"name\"`, a `static` response or an "
            "`aggregate`");
}

}  // namespace
}  // namespace canopy::config
