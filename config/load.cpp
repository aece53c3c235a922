#include "config/load.hpp"

#include <array>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "config/http_syntax.hpp"
#include "config/sections.hpp"
#include "config/suggest.hpp"
#include "config/units.hpp"

namespace canopy::config {

namespace {

constexpr std::array<std::string_view, 5> top_level_keys{"server", "admin", "limits", "upstreams", "routes"};

void check_routes_name_upstreams(const toml::table& root, const Config& config) {
  std::vector<std::string_view> names;
  for (const auto& [name, upstream] : config.upstreams) names.push_back(name);
  std::set<std::string> route_names;
  const auto& routes = *root.get_as<toml::array>("routes");
  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    const RouteConfig& route = config.routes[i];
    const auto& table = *routes[i].as_table();
    if (route.upstream && !config.upstreams.contains(*route.upstream)) {
      std::string message = "routes[" + std::to_string(i) + "].upstream: no upstream named \"" + *route.upstream + "\"";
      if (auto hint = closest_match(*route.upstream, names)) message += "; did you mean \"" + *hint + "\"?";
      else message += "; define it as [upstreams." + *route.upstream + "]";
      fail_at(table.get("upstream")->source(), message);
    }
    if (route.attempts && route.upstream && config.upstreams.at(*route.upstream).endpoints.size() < route.attempts->max_attempts) {
      const auto mode = route.attempts->mode == AttemptsMode::race ? "race" : "hedge";
      fail_at(table.get(mode)->source(), "routes[" + std::to_string(i) + "]." + mode + ": " +
                                             std::to_string(route.attempts->max_attempts) + " attempts need as many endpoints; upstream \"" +
                                             *route.upstream + "\" has " +
                                             std::to_string(config.upstreams.at(*route.upstream).endpoints.size()));
    }
    if (route.aggregate) {
      const auto& backends = *table.get_as<toml::table>("aggregate")->get_as<toml::array>("backends");
      for (std::size_t b = 0; b < route.aggregate->backends.size(); ++b) {
        const auto& name = route.aggregate->backends[b].upstream;
        if (config.upstreams.contains(name)) continue;
        std::string message = "routes[" + std::to_string(i) + "].aggregate.backends[" + std::to_string(b) +
                              "].upstream: no upstream named \"" + name + "\"";
        if (auto hint = closest_match(name, names)) message += "; did you mean \"" + *hint + "\"?";
        fail_at(backends[b].as_table()->get("upstream")->source(), message);
      }
    }
    if (!route_names.insert(route.name).second) {
      fail_at(table.source(), "routes[" + std::to_string(i) + "]: another route is already named \"" + route.name +
                                  "\"; give one of them a `name`");
    }
  }
}

}  // namespace

namespace {

// FNV-1a 64 of the file's bytes, as 16 hex digits: tells two configs apart in /config and metrics.
std::string text_hash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace

Config parse_config(std::string_view toml_text, std::string_view source_name) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    fail_at(e.source(), std::string(e.description()));
  }

  Config config;
  config.source = std::string(source_name);
  config.hash = text_hash(toml_text);
  config.loaded_at = std::chrono::system_clock::now();
  TableReader top(root, "the top level");
  if (const auto* t = top.table("server")) config.server = read_server(*t);
  if (const auto* t = top.table("admin")) config.admin = read_admin(*t);
  if (const auto* t = top.table("limits")) config.limits = read_limits(*t, "limits");
  if (const auto* t = top.table("upstreams")) {
    for (const auto& [name, node] : *t) {
      const auto* upstream = node.as_table();
      if (!upstream) fail_at(node.source(), "upstreams." + std::string(name.str()) + ": expected a table");
      config.upstreams.emplace(std::string(name.str()), read_upstream(std::string(name.str()), *upstream));
    }
  }
  if (const auto* routes = top.array("routes")) {
    for (std::size_t i = 0; i < routes->size(); ++i) {
      const auto* route = (*routes)[i].as_table();
      if (!route) fail_at((*routes)[i].source(), "routes[" + std::to_string(i) + "]: expected a table ([[routes]])");
      config.routes.push_back(read_route(*route, i));
    }
    check_routes_name_upstreams(root, config);
  }
  top.finish(top_level_keys);
  if (config.routes.empty()) {
    throw ConfigError(std::string(source_name) + ":1:1: no routes: add at least one [[routes]] table");
  }
  return config;
}

Config load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ":1:1: cannot read the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), path);
}

ServerConfig read_server(const toml::table& table) {
  static constexpr std::array<std::string_view, 11> keys{
      "listen", "workers", "header_timeout", "idle_timeout", "drain_timeout", "max_connections",
      "max_header_bytes", "max_uri_bytes", "max_body_bytes", "client_half_close", "trust_deadline_header"};
  static constexpr std::array<std::pair<std::string_view, HalfClose>, 2> half_close{
      {{"abort", HalfClose::abort}, {"continue", HalfClose::continue_}}};
  TableReader r(table, "server");
  ServerConfig s;
  if (auto v = r.address("listen")) s.listen = *v;
  if (auto v = r.integer("workers", 0, 1024)) s.workers = static_cast<unsigned>(*v);
  if (auto v = r.duration("header_timeout")) s.header_timeout = *v;
  if (auto v = r.duration("idle_timeout")) s.idle_timeout = *v;
  if (auto v = r.duration("drain_timeout")) s.drain_timeout = *v;
  if (auto v = r.integer("max_connections", 1, 1'000'000)) s.max_connections = static_cast<std::size_t>(*v);
  if (auto v = r.size("max_header_bytes")) s.max_header_bytes = *v;
  if (auto v = r.size("max_uri_bytes")) s.max_uri_bytes = *v;
  if (auto v = r.size("max_body_bytes")) s.max_body_bytes = *v;
  if (auto v = r.choice<HalfClose>("client_half_close", half_close)) s.client_half_close = *v;
  if (auto v = r.boolean("trust_deadline_header")) s.trust_deadline_header = *v;
  if (s.max_uri_bytes > s.max_header_bytes) r.fail("max_uri_bytes", "must not exceed max_header_bytes");
  r.finish(keys);
  return s;
}

AdminConfig read_admin(const toml::table& table) {
  static constexpr std::array<std::string_view, 1> keys{"listen"};
  TableReader r(table, "admin");
  AdminConfig a;
  a.listen = r.address("listen");
  r.finish(keys);
  return a;
}

LimitsConfig read_limits(const toml::table& table, const std::string& context) {
  static constexpr std::array<std::string_view, 3> keys{"max_inflight", "queue", "queue_timeout"};
  TableReader r(table, context);
  LimitsConfig l;
  if (auto v = r.integer("max_inflight", 1, 10'000'000)) l.max_inflight = static_cast<std::size_t>(*v);
  if (auto v = r.integer("queue", 0, 10'000'000)) l.queue = static_cast<std::size_t>(*v);
  if (auto v = r.duration("queue_timeout")) l.queue_timeout = *v;
  r.finish(keys);
  return l;
}

static HealthCheckConfig read_health_check(const toml::table& table, const std::string& context) {
  static constexpr std::array<std::string_view, 6> keys{"path", "host", "interval", "timeout", "unhealthy_threshold",
                                                        "healthy_threshold"};
  TableReader r(table, context);
  HealthCheckConfig h;
  if (auto v = r.string("path")) {
    if (v->empty() || v->front() != '/' || !is_origin_form(*v)) r.fail("path", "expected a path such as \"/health\", got \"" + *v + "\"");
    h.path = *v;
  }
  if (auto v = r.string("host")) {
    if (v->empty() || !is_header_value(*v)) r.fail("host", "expected a host name such as \"users.internal\"");
    h.host = *v;
  }
  if (auto v = r.duration("interval")) h.interval = *v;
  if (auto v = r.duration("timeout")) h.timeout = *v;
  if (auto v = r.integer("unhealthy_threshold", 1, 1000)) h.unhealthy_threshold = static_cast<std::size_t>(*v);
  if (auto v = r.integer("healthy_threshold", 1, 1000)) h.healthy_threshold = static_cast<std::size_t>(*v);
  r.finish(keys);
  return h;
}

UpstreamConfig read_upstream(const std::string& name, const toml::table& table) {
  static constexpr std::array<std::string_view, 9> keys{"endpoints", "balance", "max_connections", "connect_timeout",
                                                        "idle_timeout", "deadline_headers", "outlier", "health_check",
                                                        "circuit_breaker"};
  static constexpr std::array<std::string_view, 3> outlier_keys{"consecutive_failures", "ejection", "max_ejected_percent"};
  static constexpr std::array<std::pair<std::string_view, DeadlineHeader>, 2> deadline_headers{{
      {"x-canopy-deadline-ms", DeadlineHeader::canopy}, {"grpc-timeout", DeadlineHeader::grpc_timeout}}};
  static constexpr std::array<std::pair<std::string_view, Balance>, 3> balances{{
      {"round_robin", Balance::round_robin},
      {"least_request", Balance::least_request},
      {"power_of_two_choices", Balance::power_of_two_choices},
  }};
  TableReader r(table, "upstreams." + name);
  UpstreamConfig u;
  u.name = name;
  auto endpoints = r.strings("endpoints");
  if (!endpoints || endpoints->empty()) r.fail("endpoints", "an upstream needs at least one endpoint, e.g. [\"127.0.0.1:9001\"]");
  const auto* items = table.get_as<toml::array>("endpoints");
  for (std::size_t i = 0; i < endpoints->size(); ++i) {
    auto address = parse_address((*endpoints)[i]);
    if (!address || address->port == 0) {
      r.fail_at((*items)[i].source(), "endpoints",
                "expected an address such as \"127.0.0.1:9001\", got \"" + (*endpoints)[i] + "\"");
    }
    u.endpoints.push_back(*address);
  }
  if (auto v = r.choice<Balance>("balance", balances)) u.balance = *v;
  if (auto v = r.integer("max_connections", 1, 100'000)) u.max_connections = static_cast<std::size_t>(*v);
  if (auto v = r.duration("connect_timeout")) u.connect_timeout = *v;
  if (auto v = r.duration("idle_timeout")) u.idle_timeout = *v;
  if (auto names = r.strings("deadline_headers")) {
    u.deadline_headers.clear();
    const auto* list = table.get_as<toml::array>("deadline_headers");
    for (std::size_t i = 0; i < names->size(); ++i) {
      const auto wanted = lower((*names)[i]);
      const auto known = std::find_if(deadline_headers.begin(), deadline_headers.end(),
                                      [&](const auto& option) { return option.first == wanted; });
      if (known == deadline_headers.end()) {
        r.fail_at((*list)[i].source(), "deadline_headers",
                  "unknown header \"" + (*names)[i] + "\"; expected \"X-Canopy-Deadline-Ms\" or \"grpc-timeout\"");
      }
      u.deadline_headers.push_back(known->second);
    }
  }
  if (const auto* outlier = r.table("outlier")) {
    TableReader o(*outlier, r.context() + ".outlier");
    if (auto v = o.integer("consecutive_failures", 1, 1000)) u.outlier.consecutive_failures = static_cast<std::size_t>(*v);
    if (auto v = o.duration("ejection")) u.outlier.ejection = *v;
    if (auto v = o.integer("max_ejected_percent", 0, 100)) u.outlier.max_ejected_percent = static_cast<unsigned>(*v);
    o.finish(outlier_keys);
  }
  if (const auto* health = r.table("health_check")) u.health_check = read_health_check(*health, r.context() + ".health_check");
  if (const auto* breaker = r.table("circuit_breaker")) {
    static constexpr std::array<std::string_view, 2> breaker_keys{"max_requests", "max_pending"};
    TableReader b(*breaker, r.context() + ".circuit_breaker");
    if (auto v = b.integer("max_requests", 1, 10'000'000)) u.circuit_breaker.max_requests = static_cast<std::size_t>(*v);
    if (auto v = b.integer("max_pending", 0, 10'000'000)) u.circuit_breaker.max_pending = static_cast<std::size_t>(*v);
    b.finish(breaker_keys);
  }
  r.finish(keys);
  return u;
}

}  // namespace canopy::config
