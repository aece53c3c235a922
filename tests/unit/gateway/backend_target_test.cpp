#include "gateway/fanout/backend_target.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "config/load.hpp"
#include "tests/unit/gateway/parsed_request.hpp"

namespace canopy::gateway {
namespace {

// The compiled template of the last backend of a one-route config.
config::PathTemplate template_of(const std::string& match, const std::string& first, const std::string& second = "") {
  const auto config = config::parse_config(
      "[upstreams.u]\nendpoints = [\"127.0.0.1:1\"]\n[[routes]]\nmatch = " + match +
          "\naggregate = { backends = [ { upstream = \"u\", key = \"user\", path = \"" + first + "\" }" +
          (second.empty() ? "" : ", { upstream = \"u\", key = \"next\", path = \"" + second + "\" }") + " ] }\n",
      "t.toml");
  return config.routes[0].aggregate->backends.back().path;
}

TEST(BackendTarget, FillsValuesOfTheIncomingRequest) {
  const ParsedRequest request("GET /api/users/42?v=7&sort=asc HTTP/1.1\r\nX-Tenant: acme/corp ü\r\n\r\n");
  const IncomingValues incoming{.path = "/api/users/42", .query = "v=7&sort=asc", .route_pattern = "/api/users/{id}",
                                .rest = "", .request = &request.parser()};
  auto path = template_of("{ path = \"/api/users/{id}\" }", "/u/{path.id}?{query}&t={header.x-tenant}&s={query.sort}");
  auto filled = fill_backend_target(path, incoming, nullptr);
  EXPECT_EQ(filled.missing, "");
  EXPECT_EQ(filled.target, "/u/42?v=7&sort=asc&t=acme%2Fcorp%20%C3%BC&s=asc");
}

TEST(BackendTarget, FillsScalarFieldsOfAnEarlierAnswerAndNamesWhatIsMissing) {
  const IncomingValues incoming{.path = "/", .query = ""};
  auto path = template_of("{ path = \"/\" }", "/", "/o/{user.account.id}/{user.active}");
  const auto user = boost::json::parse(R"({"account": {"id": 17}, "active": true, "list": [1]})");
  EXPECT_EQ(fill_backend_target(path, incoming, &user).target, "/o/17/true");
  const auto without = boost::json::parse(R"({"account": {}, "active": true})");
  EXPECT_EQ(fill_backend_target(path, incoming, &without).missing, "field account.id of backends[0]");
  auto list = template_of("{ path = \"/\" }", "/", "/o/{user.list}");
  EXPECT_EQ(fill_backend_target(list, incoming, &user).missing, "field list of backends[0]") << "arrays are not scalars";
}

TEST(BackendTarget, AMissingQueryParameterOrHeaderIsMissing) {
  const ParsedRequest request("GET /?a=1 HTTP/1.1\r\nX-Empty:\r\n\r\n");
  const IncomingValues incoming{.path = "/", .query = "a=1", .request = &request.parser()};
  EXPECT_EQ(fill_backend_target(template_of("{ path = \"/\" }", "/{query.b}"), incoming, nullptr).missing, "{query.b}");
  EXPECT_EQ(fill_backend_target(template_of("{ path = \"/\" }", "/{header.x}"), incoming, nullptr).missing, "{header.x}");
  EXPECT_EQ(fill_backend_target(template_of("{ path = \"/\" }", "/e{header.x-empty}"), incoming, nullptr).target, "/e")
      << "a header sent empty is there";
}

TEST(QueryParam, FindsRawValuesAndEmptyOnes) {
  EXPECT_EQ(query_param("a=1&b=2&flag", "b"), "2");
  EXPECT_EQ(query_param("a=1&b=2&flag", "flag"), "");
  EXPECT_FALSE(query_param("a=1", "ab"));
}

}  // namespace
}  // namespace canopy::gateway
