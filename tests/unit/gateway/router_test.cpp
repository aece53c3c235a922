#include "gateway/routing/router.hpp"

#include <gtest/gtest.h>

#include "config/load.hpp"

namespace canopy::gateway {
namespace {

config::Config routes_config() {
  return config::parse_config(R"(
[[routes]]
name = "catch-all"
static = { status = 200 }

[[routes]]
name = "api"
match = { path_prefix = "/api" }
static = {}

[[routes]]
name = "users"
match = { path_prefix = "/api/users", methods = ["GET", "POST"] }
static = {}

[[routes]]
name = "users-delete"
match = { path_prefix = "/api/users", methods = ["DELETE"] }
static = {}

[[routes]]
name = "exact"
match = { path = "/api/users/me" }
static = {}

[[routes]]
name = "admin-host"
match = { path_prefix = "/", host = "admin.example.com" }
static = {}

[[routes]]
name = "user-dashboard"
match = { path = "/api/users/{id}/dashboard" }
static = {}

[[routes]]
name = "only-get"
match = { path = "/report", methods = ["GET"] }
static = {}
)", "routes.toml");
}

class RouterTest : public ::testing::Test {
 protected:
  config::Config config = routes_config();
  Router router{config.routes};

  std::string pick(std::string_view host, std::string_view method, std::string_view path) {
    auto d = router.route(host, method, path);
    if (d.kind == RouteMatchKind::not_found) return "404";
    if (d.kind == RouteMatchKind::method_not_allowed) return "405 " + d.allow;
    return config.routes[d.route].name;
  }
};

TEST_F(RouterTest, TheLongestPrefixWins) {
  EXPECT_EQ(pick("x", "GET", "/api/users/42"), "users");
  EXPECT_EQ(pick("x", "GET", "/api/orders"), "api");
  EXPECT_EQ(pick("x", "GET", "/other"), "catch-all");
}

TEST_F(RouterTest, PrefixesMatchWholeSegmentsOnly) {
  EXPECT_EQ(pick("x", "GET", "/api/usersX"), "api");
  EXPECT_EQ(pick("x", "GET", "/apix"), "catch-all");
  EXPECT_EQ(pick("x", "GET", "/api"), "api");
}

TEST_F(RouterTest, AnExactPathBeatsAnyPrefix) { EXPECT_EQ(pick("x", "PUT", "/api/users/me"), "exact"); }

TEST_F(RouterTest, AHostRouteBeatsRoutesWithoutHostAndIgnoresCaseAndPort) {
  EXPECT_EQ(pick("Admin.Example.com:8080", "GET", "/api/users/me"), "admin-host");
  EXPECT_EQ(pick("other.example.com", "GET", "/api/users/me"), "exact");
}

TEST_F(RouterTest, MethodsChooseAmongEquallySpecificRoutes) {
  EXPECT_EQ(pick("x", "DELETE", "/api/users/1"), "users-delete");
  EXPECT_EQ(pick("x", "POST", "/api/users/1"), "users");
}

TEST_F(RouterTest, AMatchingPathWithTheWrongMethodIs405WithAllow) {
  EXPECT_EQ(pick("x", "PATCH", "/api/users/1"), "405 GET, POST, DELETE");
  EXPECT_EQ(pick("x", "POST", "/report"), "405 GET");
}

TEST(RouterWithoutCatchAll, AnUnmatchedPathIs404) {
  auto config = config::parse_config("[[routes]]\nmatch = { path_prefix = \"/a\" }\nstatic = {}\n", "r.toml");
  Router router(config.routes);
  EXPECT_EQ(router.route("h", "GET", "/b").kind, RouteMatchKind::not_found);
  EXPECT_EQ(router.route("h", "GET", "/a/b").kind, RouteMatchKind::matched);
}

TEST_F(RouterTest, APathParameterMatchesExactlyOneNonEmptySegment) {
  EXPECT_EQ(pick("x", "GET", "/api/users/42/dashboard"), "user-dashboard");
  EXPECT_EQ(pick("x", "GET", "/api/users//dashboard"), "users");  // empty segment: falls to the prefix
  EXPECT_EQ(pick("x", "GET", "/api/users/4/2/dashboard"), "users");
  EXPECT_EQ(pick("x", "GET", "/api/users/42/dashboard/x"), "users");
}

TEST_F(RouterTest, AnExactPathBeatsAParameterisedOne) {
  EXPECT_EQ(pick("x", "GET", "/api/users/me"), "exact");
}

TEST(PathParam, ReturnsTheSegmentItsNameMatched) {
  EXPECT_EQ(path_param("/a/{x}/b/{y}", "/a/1/b/two", "x"), "1");
  EXPECT_EQ(path_param("/a/{x}/b/{y}", "/a/1/b/two", "y"), "two");
  EXPECT_EQ(path_param("/a/{x}/b/{y}", "/a/1/b/two", "z"), "");
}

}  // namespace
}  // namespace canopy::gateway
