#include "gateway/proxy/headers.hpp"

#include <boost/beast/core/string.hpp>

#include "gateway/routing/router.hpp"

namespace canopy::gateway {

namespace beast = boost::beast;
namespace http = beast::http;

bool is_hop_by_hop(http::field name) {
  switch (name) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::te:
    case http::field::trailer:
    case http::field::upgrade:
    case http::field::proxy_authorization:
    case http::field::proxy_authenticate: return true;
    default: return false;
  }
}

std::string upstream_target(std::string_view target, const config::RouteConfig& route) {
  const auto q = target.find('?');
  std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q);
  std::string out;
  if (route.strip_prefix && path_has_prefix(path, *route.strip_prefix)) {
    out = std::string(path.substr(route.strip_prefix->size()));
  } else if (route.prefix_rewrite && route.match.path_prefix && path_has_prefix(path, *route.match.path_prefix)) {
    out = *route.prefix_rewrite + std::string(path.substr(route.match.path_prefix->size()));
    if (out.size() > 1 && out.starts_with("//")) out.erase(0, 1);
  } else {
    out = std::string(path);
  }
  if (out.empty() || out.front() != '/') out.insert(out.begin(), '/');
  return out + std::string(query);
}

}  // namespace canopy::gateway
