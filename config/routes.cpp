#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "config/http_syntax.hpp"
#include "config/path_template.hpp"
#include "config/sections.hpp"

namespace canopy::config {

namespace {

HeaderList read_header_table(TableReader& owner, std::string_view key, const toml::table& table) {
  HeaderList headers;
  for (const auto& [name, node] : table) {
    auto value = node.value<std::string>();
    if (!is_token(name.str())) owner.fail_at(name.source(), key, "\"" + std::string(name.str()) + "\" is not a header name");
    if (!value || !is_header_value(*value)) owner.fail_at(node.source(), key, "expected a header value (a string without CR, LF or NUL)");
    headers.emplace_back(std::string(name.str()), *value);
  }
  return headers;
}

HeaderEdits read_header_edits(TableReader& route, std::string_view key) {
  static constexpr std::array<std::string_view, 2> keys{"set", "remove"};
  HeaderEdits edits;
  const toml::table* table = route.table(key);
  if (!table) return edits;
  TableReader r(*table, route.context() + "." + std::string(key));
  if (const auto* set = r.table("set")) edits.set = read_header_table(r, "set", *set);
  if (auto remove = r.strings("remove")) {
    for (auto& name : *remove) {
      if (!is_token(name)) r.fail("remove", "\"" + name + "\" is not a header name");
      edits.remove.push_back(lower(name));
    }
  }
  r.finish(keys);
  return edits;
}

RouteMatch read_match(TableReader& route, std::vector<std::string>& path_params) {
  static constexpr std::array<std::string_view, 4> keys{"path", "path_prefix", "methods", "host"};
  RouteMatch match;
  const toml::table* table = route.table("match");
  if (!table) return match;  // no match: every request
  TableReader r(*table, route.context() + ".match");
  match.path = r.string("path");
  match.path_prefix = r.string("path_prefix");
  if (match.path && match.path_prefix) r.fail("path_prefix", "use either path (exact) or path_prefix, not both");
  if (match.path && !match.path->starts_with('/')) r.fail("path", "must start with \"/\"");
  if (match.path) {
    auto params = route_path_params(*match.path);
    if (!params.error.empty()) r.fail("path", params.error);
    path_params = std::move(params.names);
  }
  if (match.path_prefix && !match.path_prefix->starts_with('/')) r.fail("path_prefix", "must start with \"/\"");
  if (match.path_prefix && match.path_prefix->size() > 1 && match.path_prefix->ends_with('/')) {
    match.path_prefix->pop_back();  // "/api/" and "/api" mean the same segment-aware prefix
  }
  if (auto methods = r.strings("methods")) {
    for (const auto& m : *methods) {
      if (!is_token(m) || m != [&] { std::string u = m; for (auto& c : u) c = static_cast<char>(std::toupper(c)); return u; }()) {
        r.fail("methods", "\"" + m + "\" is not a method; write methods in upper case, e.g. \"GET\"");
      }
    }
    match.methods = std::move(*methods);
  }
  if (auto host = r.string("host")) {
    if (host->empty() || host->find_first_of(" /:") != std::string::npos) r.fail("host", "expected a host name without port, e.g. \"api.example.com\"");
    match.host = lower(*host);
  }
  r.finish(keys);
  return match;
}

StaticResponse read_static(TableReader& route) {
  static constexpr std::array<std::string_view, 3> keys{"status", "headers", "body"};
  TableReader r(*route.table("static"), route.context() + ".static");
  StaticResponse response;
  if (auto status = r.integer("status", 200, 599)) response.status = static_cast<unsigned>(*status);
  if (const auto* headers = r.table("headers")) response.headers = read_header_table(r, "headers", *headers);
  if (auto body = r.string("body")) response.body = *body;
  r.finish(keys);
  return response;
}

std::string derived_name(const RouteConfig& route, std::size_t index) {
  std::string name = route.match.host ? *route.match.host : std::string();
  if (route.match.path) return name + *route.match.path;
  if (route.match.path_prefix) return name + *route.match.path_prefix + (route.match.path_prefix->ends_with('/') ? "*" : "/*");
  return name.empty() ? "route-" + std::to_string(index) : name + "/*";
}

}  // namespace

RouteConfig read_route(const toml::table& table, std::size_t index) {
  static constexpr std::array<std::string_view, 15> keys{
      "name", "match", "upstream", "static", "aggregate", "race", "hedge", "retries", "timeout", "min_budget", "limits",
      "strip_prefix", "prefix_rewrite", "request_headers", "response_headers"};
  TableReader r(table, "routes[" + std::to_string(index) + "]");
  RouteConfig route;
  route.place = r.place();
  std::vector<std::string> path_params;
  route.match = read_match(r, path_params);
  route.upstream = r.string("upstream");
  if (r.raw().get("static")) route.static_response = read_static(r);
  if (r.raw().get("aggregate")) route.aggregate = read_aggregate(r, path_params, route.match.path_prefix.has_value());
  const int actions = route.upstream.has_value() + route.static_response.has_value() + route.aggregate.has_value();
  if (actions != 1) {
    r.fail_table("a route needs exactly one of `upstream = \"name\"`, a `static` response or an `aggregate`");
  }
  for (std::string_view mode : {"race", "hedge"}) {
    if (!r.raw().get(mode)) continue;
    if (route.attempts) r.fail(mode, "use either race or hedge, not both");
    if (!route.upstream) r.fail(mode, std::string(mode) + " needs `upstream = \"name\"`: it sends the request to several of its endpoints");
    route.attempts = read_attempts(r, mode);
  }
  if (r.raw().get("retries")) {
    if (!route.upstream) r.fail("retries", "retries need `upstream = \"name\"`");
    if (route.attempts) r.fail("retries", "use either retries or race/hedge: their attempts already go to other endpoints");
    route.retries = read_retries(r);
  }
  if (auto v = r.duration("timeout")) route.timeout = *v;
  route.min_budget = r.duration("min_budget");
  if (const auto* limits = r.table("limits")) route.limits = read_limits(*limits, r.context() + ".limits");
  if (route.min_budget && *route.min_budget >= route.timeout) r.fail("min_budget", "must be shorter than the route's timeout");
  route.strip_prefix = r.string("strip_prefix");
  route.prefix_rewrite = r.string("prefix_rewrite");
  if (route.strip_prefix && !route.strip_prefix->starts_with('/')) r.fail("strip_prefix", "must start with \"/\"");
  if (route.prefix_rewrite && !route.prefix_rewrite->starts_with('/')) r.fail("prefix_rewrite", "must start with \"/\"");
  if (route.prefix_rewrite && !route.match.path_prefix) r.fail("prefix_rewrite", "needs match.path_prefix: it replaces the matched prefix");
  if (route.strip_prefix && route.prefix_rewrite) r.fail("prefix_rewrite", "use either strip_prefix or prefix_rewrite, not both");
  route.request_headers = read_header_edits(r, "request_headers");
  route.response_headers = read_header_edits(r, "response_headers");
  route.name = r.string("name").value_or(derived_name(route, index));
  r.finish(keys);
  return route;
}

}  // namespace canopy::config
