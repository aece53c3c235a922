#pragma once
// Picks the route for a request: host, then the most specific path match, then
// the method. Exact paths beat paths with "{name}" segments (which match any one
// non-empty segment), which beat prefixes; longer beats shorter; routes with a
// host beat routes without; among equals, file order wins. A path that matches
// but not for this method gives 405 with the methods that would.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace canopy::gateway {

enum class RouteMatchKind {
  matched,             // route is set
  not_found,           // 404
  method_not_allowed,  // 405; allow lists the methods
};

struct RouteDecision {
  RouteMatchKind kind = RouteMatchKind::not_found;
  std::size_t route = 0;  // index into the routes given to the Router
  std::string allow;      // "GET, POST" for 405
};

class Router {
 public:
  explicit Router(const std::vector<config::RouteConfig>& routes);

  // `host` as sent (any case, may carry a port); `path` without the query.
  RouteDecision route(std::string_view host, std::string_view method, std::string_view path) const;

 private:
  struct Entry {
    std::size_t index;
    int rank;  // higher is more specific
    const config::RouteMatch* match;
  };
  std::vector<Entry> entries_;  // most specific first
};

// The segment of `path` that "{name}" in the route pattern matched; empty if none.
std::string_view path_param(std::string_view pattern, std::string_view path, std::string_view name) noexcept;

// Whether `path` is `prefix` or lies below it ("/api" covers "/api" and "/api/x", not "/apix").
bool path_has_prefix(std::string_view path, std::string_view prefix) noexcept;

}  // namespace canopy::gateway
