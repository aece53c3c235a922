#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "config/sections.hpp"

namespace canopy::config {

namespace {

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

bool is_header_value(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](unsigned char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

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

RouteMatch read_match(TableReader& route) {
  static constexpr std::array<std::string_view, 4> keys{"path", "path_prefix", "methods", "host"};
  RouteMatch match;
  const toml::table* table = route.table("match");
  if (!table) return match;  // no match: every request
  TableReader r(*table, route.context() + ".match");
  match.path = r.string("path");
  match.path_prefix = r.string("path_prefix");
  if (match.path && match.path_prefix) r.fail("path_prefix", "use either path (exact) or path_prefix, not both");
  if (match.path && !match.path->starts_with('/')) r.fail("path", "must start with \"/\"");
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

AggregateConfig read_aggregate(TableReader& route) {
  static constexpr std::array<std::string_view, 5> keys{"policy", "quorum", "errors_in_body", "max_backend_body_bytes",
                                                        "backends"};
  static constexpr std::array<std::string_view, 6> backend_keys{"upstream", "method", "path", "key", "required",
                                                                "timeout"};
  static constexpr std::array<std::pair<std::string_view, AggregatePolicy>, 3> policies{{
      {"all", AggregatePolicy::all}, {"partial", AggregatePolicy::partial}, {"quorum", AggregatePolicy::quorum}}};
  TableReader r(*route.table("aggregate"), route.context() + ".aggregate");
  AggregateConfig aggregate;
  if (auto v = r.choice<AggregatePolicy>("policy", policies)) aggregate.policy = *v;
  if (auto v = r.integer("quorum", 1, 1000)) aggregate.quorum = static_cast<std::size_t>(*v);
  if (auto v = r.boolean("errors_in_body")) aggregate.errors_in_body = *v;
  if (auto v = r.size("max_backend_body_bytes")) aggregate.max_backend_body_bytes = *v;
  const toml::array* backends = r.array("backends");
  if (!backends || backends->empty()) r.fail("backends", "an aggregate needs at least one backend");
  std::set<std::string> keys_seen;
  for (std::size_t i = 0; i < backends->size(); ++i) {
    const auto* table = (*backends)[i].as_table();
    if (!table) r.fail_at((*backends)[i].source(), "backends", "expected a table { upstream = …, path = … }");
    TableReader b(*table, r.context() + ".backends[" + std::to_string(i) + "]");
    AggregateBackend backend;
    auto upstream = b.string("upstream");
    if (!upstream) b.fail_table("a backend needs `upstream`");
    backend.upstream = *upstream;
    if (auto method = b.string("method")) {
      if (!is_token(*method)) b.fail("method", "\"" + *method + "\" is not a method");
      backend.method = *method;
    }
    auto path = b.string("path");
    if (!path || !path->starts_with('/')) b.fail("path", "a backend needs a path starting with \"/\"");
    backend.path = *path;
    backend.key = b.string("key").value_or("");
    if (!keys_seen.insert(backend.key).second && !backend.key.empty()) b.fail("key", "another backend already uses key \"" + backend.key + "\"");
    if (auto v = b.boolean("required")) backend.required = *v;
    backend.timeout = b.duration("timeout");
    b.finish(backend_keys);
    aggregate.backends.push_back(std::move(backend));
  }
  if (aggregate.policy == AggregatePolicy::quorum &&
      (aggregate.quorum == 0 || aggregate.quorum > aggregate.backends.size())) {
    r.fail("quorum", "policy \"quorum\" needs quorum between 1 and the number of backends");
  }
  r.finish(keys);
  return aggregate;
}

std::string derived_name(const RouteConfig& route, std::size_t index) {
  std::string name = route.match.host ? *route.match.host : std::string();
  if (route.match.path) return name + *route.match.path;
  if (route.match.path_prefix) return name + *route.match.path_prefix + (route.match.path_prefix->ends_with('/') ? "*" : "/*");
  return name.empty() ? "route-" + std::to_string(index) : name + "/*";
}

}  // namespace

RouteConfig read_route(const toml::table& table, std::size_t index) {
  static constexpr std::array<std::string_view, 10> keys{
      "name", "match", "upstream", "static", "aggregate", "timeout", "strip_prefix", "prefix_rewrite",
      "request_headers", "response_headers"};
  TableReader r(table, "routes[" + std::to_string(index) + "]");
  RouteConfig route;
  route.place = r.place();
  route.match = read_match(r);
  route.upstream = r.string("upstream");
  if (r.raw().get("static")) route.static_response = read_static(r);
  if (r.raw().get("aggregate")) route.aggregate = read_aggregate(r);
  const int actions = route.upstream.has_value() + route.static_response.has_value() + route.aggregate.has_value();
  if (actions != 1) {
    r.fail_table("a route needs exactly one of `upstream = \"name\"`, a `static` response or an `aggregate`");
  }
  if (auto v = r.duration("timeout")) route.timeout = *v;
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
