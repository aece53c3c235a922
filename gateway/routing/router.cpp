#include "gateway/routing/router.hpp"

#include <algorithm>
#include <cctype>

namespace canopy::gateway {

namespace {

bool is_template(std::string_view path) { return path.find('{') != std::string_view::npos; }

// Calls visit(pattern_segment, path_segment) for each segment pair while it
// returns true; whether both ran out together.
template <typename Visit>
bool walk_segments(std::string_view pattern, std::string_view path, Visit visit) {
  for (;;) {
    const auto p_end = pattern.find('/'), q_end = path.find('/');
    if (!visit(pattern.substr(0, p_end), path.substr(0, q_end))) return false;
    if (p_end == std::string_view::npos || q_end == std::string_view::npos) return p_end == q_end;
    pattern.remove_prefix(p_end + 1);
    path.remove_prefix(q_end + 1);
  }
}

bool is_param(std::string_view segment) { return segment.starts_with('{'); }

bool template_matches(std::string_view pattern, std::string_view path) {
  return walk_segments(pattern, path, [](std::string_view p, std::string_view q) {
    return is_param(p) ? !q.empty() : p == q;
  });
}

int rank_of(const config::RouteMatch& m) {
  int rank = 0;
  if (m.path && is_template(*m.path)) rank = 1'500'000 + static_cast<int>(m.path->size());
  else if (m.path) rank = 2'000'000 + static_cast<int>(m.path->size());
  else if (m.path_prefix) rank = 1'000'000 + static_cast<int>(m.path_prefix->size());
  if (m.host) rank += 4'000'000;
  return rank;
}

bool host_matches(const config::RouteMatch& m, std::string_view host) {
  if (!m.host) return true;
  if (const auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
    host = host.substr(0, colon);
  }
  return host.size() == m.host->size() &&
         std::equal(host.begin(), host.end(), m.host->begin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

bool path_matches(const config::RouteMatch& m, std::string_view path) {
  if (m.path) return is_template(*m.path) ? template_matches(*m.path, path) : path == *m.path;
  if (m.path_prefix) return path_has_prefix(path, *m.path_prefix);
  return true;
}

bool method_allowed(const config::RouteMatch& m, std::string_view method) {
  return m.methods.empty() || std::find(m.methods.begin(), m.methods.end(), method) != m.methods.end();
}

}  // namespace

bool path_has_prefix(std::string_view path, std::string_view prefix) noexcept {
  if (prefix == "/") return path.starts_with('/');
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

std::string_view path_param(std::string_view pattern, std::string_view path, std::string_view name) noexcept {
  std::string_view found;
  walk_segments(pattern, path, [&](std::string_view p, std::string_view q) {
    if (is_param(p) && p.substr(1, p.size() - 2) == name) {
      found = q;
      return false;
    }
    return true;
  });
  return found;
}

Router::Router(const std::vector<config::RouteConfig>& routes) {
  for (std::size_t i = 0; i < routes.size(); ++i) entries_.push_back({i, rank_of(routes[i].match), &routes[i].match});
  std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.rank > b.rank; });
}

RouteDecision Router::route(std::string_view host, std::string_view method, std::string_view path) const {
  RouteDecision decision;
  std::vector<std::string_view> allowed;
  std::optional<int> best_rank;
  for (const Entry& e : entries_) {
    if (best_rank && e.rank != *best_rank) break;
    if (!host_matches(*e.match, host) || !path_matches(*e.match, path)) continue;
    best_rank = e.rank;
    if (method_allowed(*e.match, method)) return {RouteMatchKind::matched, e.index, {}};
    for (const auto& m : e.match->methods) {
      if (std::find(allowed.begin(), allowed.end(), m) == allowed.end()) allowed.push_back(m);
    }
  }
  if (!best_rank) return decision;
  decision.kind = RouteMatchKind::method_not_allowed;
  for (auto m : allowed) decision.allow += (decision.allow.empty() ? "" : ", ") + std::string(m);
  return decision;
}

}  // namespace canopy::gateway
