#pragma once
// Path templates: a route's `match.path` with "{name}" segments, and a backend's
// `path` with placeholders ({query}, {rest}, {path.NAME}, {query.NAME},
// {header.NAME}, {KEY.FIELD}). Internal to config/: checked once at load.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace canopy::config {

// The names of the "{name}" segments of a route path, in order; an error message
// if a brace does not make a whole segment, a name is not [A-Za-z0-9_]+, or a
// name repeats.
struct RoutePathParams {
  std::vector<std::string> names;
  std::string error;
};
RoutePathParams route_path_params(std::string_view path);

// What a backend path may refer to.
struct BackendPathScope {
  const std::vector<std::string>* path_params;                 // of the route's match.path
  bool has_prefix;                                              // the route matches a path_prefix ({rest})
  const std::map<std::string, std::size_t, std::less<>>* earlier_keys;  // key → index of earlier backends
};

struct ParsedBackendPath {
  PathTemplate path;
  std::optional<std::size_t> after;  // the one earlier backend it uses a field of
  std::string error;                 // non-empty: what is wrong
};
ParsedBackendPath parse_backend_path(std::string_view text, const BackendPathScope& scope);

}  // namespace canopy::config
