// Config of the request tree's shapes: backend path templates and sequential
// steps, race and hedge, deadline headers and deadline-aware admission.
#include <gtest/gtest.h>

#include "config/load.hpp"
#include "tests/unit/config/error_of.hpp"

namespace canopy::config {
namespace {

const std::string two_upstreams = R"(
[upstreams.users]
endpoints = ["127.0.0.1:9001", "127.0.0.1:9002"]
[upstreams.orders]
endpoints = ["127.0.0.1:9003"]
)";

TEST(FanOutConfig, ABackendPathIsCompiledIntoPartsAndAStepKnowsWhatItFollows) {
  const auto config = parse_config(two_upstreams + R"(
[[routes]]
match = { path = "/api/users/{id}/dashboard" }
aggregate = { forward_headers = ["Authorization"], backends = [
  { upstream = "users", path = "/users/{path.id}?t={header.X-Tenant}", key = "user", shield = "300ms" },
  { upstream = "orders", path = "/orders/{user.account.id}", key = "orders" },
] }
)", "f.toml");
  const auto& aggregate = *config.routes[0].aggregate;
  EXPECT_EQ(aggregate.forward_headers, std::vector<std::string>{"authorization"});
  using Kind = TemplatePart::Kind;
  const auto& user = aggregate.backends[0];
  ASSERT_EQ(user.path.parts.size(), 4u);
  EXPECT_EQ(user.path.parts[0].kind, Kind::literal);
  EXPECT_EQ(user.path.parts[0].text, "/users/");
  EXPECT_EQ(user.path.parts[1].kind, Kind::path_param);
  EXPECT_EQ(user.path.parts[1].text, "id");
  EXPECT_EQ(user.path.parts[3].kind, Kind::header);
  EXPECT_EQ(user.path.parts[3].text, "x-tenant");
  EXPECT_EQ(user.shield, Duration(300ms));
  EXPECT_FALSE(user.after);
  const auto& orders = aggregate.backends[1];
  EXPECT_EQ(orders.after, 0u);
  ASSERT_EQ(orders.path.parts.size(), 2u);
  EXPECT_EQ(orders.path.parts[1].kind, Kind::backend_field);
  EXPECT_EQ(orders.path.parts[1].field, (std::vector<std::string>{"account", "id"}));
}

TEST(FanOutConfig, TemplateMistakesSayWhatIsWrongAndWhere) {
  const std::string route = two_upstreams + "[[routes]]\nmatch = { path = \"/u/{id}\" }\n";
  auto backends = [&](const std::string& list) { return route + "aggregate = { backends = [" + list + "] }\n"; };
  EXPECT_EQ(error_of(backends("{ upstream = \"users\", path = \"/{path.name}\" }")),
            "canopy.toml:8:56: routes[0].aggregate.backends[0].path: {path.name} needs a segment {name} in the "
            "route's match.path");
  EXPECT_EQ(error_of(backends("{ upstream = \"users\", path = \"/{orders.id}\", key = \"users\" }, "
                              "{ upstream = \"orders\", path = \"/\", key = \"orders\" }")),
            "canopy.toml:8:56: routes[0].aggregate.backends[0].path: {orders.id}: no earlier backend has key "
            "\"orders\" (a backend may use fields of a backend listed before it)");
  EXPECT_EQ(error_of(backends("{ upstream = \"users\", path = \"/{rest}\" }")),
            "canopy.toml:8:56: routes[0].aggregate.backends[0].path: {rest} needs the route to match a path_prefix");
  EXPECT_EQ(error_of(backends("{ upstream = \"users\", path = \"/{nope}\" }")),
            "canopy.toml:8:56: routes[0].aggregate.backends[0].path: unknown placeholder {nope}; use {query}, {rest}, "
            "{path.NAME}, {query.NAME}, {header.NAME} or {KEY.FIELD} of an earlier backend");
  EXPECT_EQ(error_of(backends("{ upstream = \"users\", path = \"/{query\" }")),
            "canopy.toml:8:56: routes[0].aggregate.backends[0].path: unclosed \"{\" at offset 1");
  EXPECT_EQ(error_of(two_upstreams + "[[routes]]\nmatch = { path = \"/u/x{id}\" }\nstatic = {}\n"),
            "canopy.toml:7:18: routes[0].match.path: a path parameter is a whole segment \"{name}\" (letters, digits, "
            "_ and -), not \"x{id}\"");
}

TEST(FanOutConfig, ReadsRaceAndHedge) {
  const auto config = parse_config(two_upstreams + R"(
[[routes]]
match = { path = "/race" }
upstream = "users"
race = { attempts = 2 }
[[routes]]
match = { path = "/hedge" }
upstream = "users"
hedge = { delay = "20ms", budget_percent = 5 }
)", "r.toml");
  EXPECT_EQ(config.routes[0].attempts->mode, AttemptsMode::race);
  EXPECT_EQ(config.routes[0].attempts->max_attempts, 2u);
  const auto& hedge = *config.routes[1].attempts;
  EXPECT_EQ(hedge.mode, AttemptsMode::hedge);
  EXPECT_EQ(hedge.delay, Duration(20ms));
  EXPECT_EQ(hedge.budget_percent, 5u);
  EXPECT_EQ(hedge.max_attempts, 2u);
}

TEST(FanOutConfig, RaceAndHedgeNeedAnUpstreamWithEnoughEndpoints) {
  EXPECT_EQ(error_of(two_upstreams + "[[routes]]\nupstream = \"orders\"\nrace = { attempts = 2 }\n"),
            "canopy.toml:8:8: routes[0].race: 2 attempts need as many endpoints; upstream \"orders\" has 1");
  EXPECT_EQ(error_of(two_upstreams + "[[routes]]\nstatic = {}\nhedge = {}\n"),
            "canopy.toml:8:9: routes[0].hedge: hedge needs `upstream = \"name\"`: it sends the request to several of "
            "its endpoints");
  EXPECT_EQ(error_of(two_upstreams + "[[routes]]\nupstream = \"users\"\nhedge = { delay = \"1ms\", budget = 5 }\n"),
            "canopy.toml:8:26: unknown key \"budget\" in routes[0].hedge");
}

TEST(FanOutConfig, DeadlineHeadersAndMinBudget) {
  const auto config = parse_config(two_upstreams + R"(
[upstreams.grpc]
endpoints = ["127.0.0.1:50051"]
deadline_headers = ["grpc-timeout", "X-Canopy-Deadline-Ms"]
[upstreams.quiet]
endpoints = ["127.0.0.1:50052"]
deadline_headers = []
[[routes]]
upstream = "grpc"
timeout = "1s"
min_budget = "50ms"
)", "d.toml");
  EXPECT_EQ(config.upstreams.at("grpc").deadline_headers,
            (std::vector<DeadlineHeader>{DeadlineHeader::grpc_timeout, DeadlineHeader::canopy}));
  EXPECT_TRUE(config.upstreams.at("quiet").deadline_headers.empty());
  EXPECT_EQ(config.upstreams.at("users").deadline_headers, std::vector<DeadlineHeader>{DeadlineHeader::canopy});
  EXPECT_EQ(config.routes[0].min_budget, Duration(50ms));
  EXPECT_EQ(error_of(two_upstreams + "[[routes]]\nupstream = \"users\"\ntimeout = \"1s\"\nmin_budget = \"2s\"\n"),
            "canopy.toml:9:14: routes[0].min_budget: must be shorter than the route's timeout");
  EXPECT_EQ(error_of("[upstreams.g]\nendpoints = [\"127.0.0.1:1\"]\ndeadline_headers = [\"grpc\"]\n" + std::string(R"(
[[routes]]
upstream = "g"
)")),
            "canopy.toml:3:21: upstreams.g.deadline_headers: unknown header \"grpc\"; expected \"X-Canopy-Deadline-Ms\" "
            "or \"grpc-timeout\"");
}

TEST(Retries, ReadsConditionsAndRejectsWhatCannotWork) {
  const auto config = parse_config(two_upstreams + R"(
[[routes]]
upstream = "users"
retries = { attempts = 3, on = ["connect-failure", "timeout", "503"], per_try_timeout = "250ms", budget_percent = 5 }
)", "r.toml");
  const auto& retries = *config.routes[0].retries;
  EXPECT_EQ(retries.attempts, 3u);
  EXPECT_TRUE(retries.on_connect_failure);
  EXPECT_FALSE(retries.on_reset);
  EXPECT_TRUE(retries.on_timeout);
  EXPECT_EQ(retries.on_status, std::vector<unsigned>{503});
  EXPECT_EQ(retries.per_try_timeout, Duration(250ms));
  EXPECT_EQ(retries.budget_percent, 5u);
  EXPECT_EQ(error_of(two_upstreams + "[[routes]]\nupstream = \"users\"\nretries = { on = [\"timeout\"] }\n"),
            "canopy.toml:8:18: routes[0].retries.on: \"timeout\" needs per_try_timeout");
  EXPECT_EQ(error_of(two_upstreams + "[[routes]]\nupstream = \"users\"\nretries = { on = [\"404\"] }\n"),
            "canopy.toml:8:18: routes[0].retries.on: unknown condition \"404\"; expected connect-failure, reset, "
            "timeout, 5xx or a status 500-599");
  EXPECT_EQ(error_of(two_upstreams + "[[routes]]\nupstream = \"users\"\nhedge = {}\nretries = {}\n"),
            "canopy.toml:9:11: routes[0].retries: use either retries or race/hedge: their attempts already go to "
            "other endpoints");
}

TEST(RouteLimits, ARouteMayHaveItsOwnAdmissionLimits) {
  const auto config = parse_config(two_upstreams + R"(
[[routes]]
upstream = "users"
limits = { max_inflight = 10, queue = 0, queue_timeout = "20ms" }
)", "l.toml");
  ASSERT_TRUE(config.routes[0].limits);
  EXPECT_EQ(config.routes[0].limits->max_inflight, 10u);
  EXPECT_EQ(config.routes[0].limits->queue, 0u);
  EXPECT_EQ(config.routes[0].limits->queue_timeout, Duration(20ms));
  EXPECT_EQ(error_of(two_upstreams + "[[routes]]\nupstream = \"users\"\nlimits = { max_inflight = 0 }\n"),
            "canopy.toml:8:27: routes[0].limits.max_inflight: must be between 1 and 10000000, got 0");
}

}  // namespace
}  // namespace canopy::config
