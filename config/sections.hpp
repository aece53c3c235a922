#pragma once
// One reader per top-level section of the TOML file. Internal to config/.

#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace canopy::config {

ServerConfig read_server(const toml::table& table);
AdminConfig read_admin(const toml::table& table);
LimitsConfig read_limits(const toml::table& table, const std::string& context);  // [limits] or a route's limits
UpstreamConfig read_upstream(const std::string& name, const toml::table& table);
RouteConfig read_route(const toml::table& table, std::size_t index);

// Parts of a route, read by read_route.
AggregateConfig read_aggregate(TableReader& route, const std::vector<std::string>& path_params, bool has_prefix);
AttemptsConfig read_attempts(TableReader& route, std::string_view key);  // key: "race" or "hedge"
RetryConfig read_retries(TableReader& route);

}  // namespace canopy::config
