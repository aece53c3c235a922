// [[routes]] aggregate = { policy, quorum, errors_in_body, max_backend_body_bytes,
//                          forward_headers, backends = [ { upstream, method, path,
//                          key, required, timeout, shield } ] }
#include <array>

#include "config/http_syntax.hpp"
#include "config/path_template.hpp"
#include "config/sections.hpp"

namespace canopy::config {

namespace {

AggregateBackend read_backend(TableReader& b, const BackendPathScope& scope) {
  static constexpr std::array<std::string_view, 7> keys{"upstream", "method", "path", "key", "required", "timeout",
                                                        "shield"};
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
  auto parsed = parse_backend_path(*path, scope);
  if (!parsed.error.empty()) b.fail("path", parsed.error);
  backend.path = std::move(parsed.path);
  backend.after = parsed.after;
  backend.key = b.string("key").value_or("");
  if (auto v = b.boolean("required")) backend.required = *v;
  backend.timeout = b.duration("timeout");
  backend.shield = b.duration("shield");
  b.finish(keys);
  return backend;
}

}  // namespace

AggregateConfig read_aggregate(TableReader& route, const std::vector<std::string>& path_params, bool has_prefix) {
  static constexpr std::array<std::string_view, 6> keys{"policy", "quorum", "errors_in_body", "max_backend_body_bytes",
                                                        "forward_headers", "backends"};
  static constexpr std::array<std::pair<std::string_view, AggregatePolicy>, 3> policies{{
      {"all", AggregatePolicy::all}, {"partial", AggregatePolicy::partial}, {"quorum", AggregatePolicy::quorum}}};
  TableReader r(*route.table("aggregate"), route.context() + ".aggregate");
  AggregateConfig aggregate;
  if (auto v = r.choice<AggregatePolicy>("policy", policies)) aggregate.policy = *v;
  if (auto v = r.integer("quorum", 1, 1000)) aggregate.quorum = static_cast<std::size_t>(*v);
  if (auto v = r.boolean("errors_in_body")) aggregate.errors_in_body = *v;
  if (auto v = r.size("max_backend_body_bytes")) aggregate.max_backend_body_bytes = *v;
  if (auto names = r.strings("forward_headers")) {
    for (auto& name : *names) {
      if (!is_token(name)) r.fail("forward_headers", "\"" + name + "\" is not a header name");
      aggregate.forward_headers.push_back(lower(name));
    }
  }
  const toml::array* backends = r.array("backends");
  if (!backends || backends->empty()) r.fail("backends", "an aggregate needs at least one backend");
  std::map<std::string, std::size_t, std::less<>> earlier_keys;
  const BackendPathScope scope{&path_params, has_prefix, &earlier_keys};
  for (std::size_t i = 0; i < backends->size(); ++i) {
    const auto* table = (*backends)[i].as_table();
    if (!table) r.fail_at((*backends)[i].source(), "backends", "expected a table { upstream = …, path = … }");
    TableReader b(*table, r.context() + ".backends[" + std::to_string(i) + "]");
    auto backend = read_backend(b, scope);
    if (!backend.key.empty() && !earlier_keys.emplace(backend.key, i).second) {
      b.fail("key", "another backend already uses key \"" + backend.key + "\"");
    }
    aggregate.backends.push_back(std::move(backend));
  }
  if (aggregate.policy == AggregatePolicy::quorum &&
      (aggregate.quorum == 0 || aggregate.quorum > aggregate.backends.size())) {
    r.fail("quorum", "policy \"quorum\" needs quorum between 1 and the number of backends");
  }
  r.finish(keys);
  return aggregate;
}

}  // namespace canopy::config
