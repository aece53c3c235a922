#include "config/path_template.hpp"

#include <algorithm>
#include <cctype>

namespace canopy::config {

namespace {

bool is_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

std::vector<std::string_view> split(std::string_view s, char by) {
  std::vector<std::string_view> parts;
  for (std::size_t at = 0;;) {
    const auto next = s.find(by, at);
    parts.push_back(s.substr(at, next - at));
    if (next == std::string_view::npos) return parts;
    at = next + 1;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One placeholder's meaning, or an error.
std::string resolve(std::string_view name, const BackendPathScope& scope, TemplatePart& part,
                    std::optional<std::size_t>& after) {
  const auto dot = name.find('.');
  const auto head = name.substr(0, dot);
  const auto tail = dot == std::string_view::npos ? std::string_view() : name.substr(dot + 1);
  if (name == "query") {
    part.kind = TemplatePart::Kind::query;
    return {};
  }
  if (name == "rest") {
    if (!scope.has_prefix) return "{rest} needs the route to match a path_prefix";
    part.kind = TemplatePart::Kind::rest;
    return {};
  }
  if (tail.empty() || !std::all_of(tail.begin(), tail.end(), [](char c) { return c != '{' && c != '/'; })) {
    return "unknown placeholder {" + std::string(name) +
           "}; use {query}, {rest}, {path.NAME}, {query.NAME}, {header.NAME} or {KEY.FIELD} of an earlier backend";
  }
  part.text = std::string(tail);
  if (head == "path") {
    const auto& params = *scope.path_params;
    if (std::find(params.begin(), params.end(), tail) == params.end()) {
      return "{path." + std::string(tail) + "} needs a segment {" + std::string(tail) + "} in the route's match.path";
    }
    part.kind = TemplatePart::Kind::path_param;
    return {};
  }
  if (head == "query") {
    part.kind = TemplatePart::Kind::query_param;
    return {};
  }
  if (head == "header") {
    part.kind = TemplatePart::Kind::header;
    part.text = lower(tail);
    return {};
  }
  const auto earlier = scope.earlier_keys->find(head);
  if (earlier == scope.earlier_keys->end()) {
    return "{" + std::string(name) + "}: no earlier backend has key \"" + std::string(head) +
           "\" (a backend may use fields of a backend listed before it)";
  }
  if (after && *after != earlier->second) return "a backend may use fields of one earlier backend only";
  after = earlier->second;
  part.kind = TemplatePart::Kind::backend_field;
  part.backend = earlier->second;
  part.text.clear();
  for (auto field : split(tail, '.')) {
    if (field.empty()) return "{" + std::string(name) + "}: empty field name";
    part.field.emplace_back(field);
  }
  return {};
}

}  // namespace

RoutePathParams route_path_params(std::string_view path) {
  RoutePathParams result;
  for (auto segment : split(path, '/')) {
    const bool opens = segment.find('{') != std::string_view::npos, closes = segment.find('}') != std::string_view::npos;
    if (!opens && !closes) continue;
    if (!segment.starts_with('{') || !segment.ends_with('}') || !is_name(segment.substr(1, segment.size() - 2))) {
      result.error = "a path parameter is a whole segment \"{name}\" (letters, digits, _ and -), not \"" +
                     std::string(segment) + "\"";
      return result;
    }
    std::string name(segment.substr(1, segment.size() - 2));
    if (std::find(result.names.begin(), result.names.end(), name) != result.names.end()) {
      result.error = "path parameter {" + name + "} appears twice";
      return result;
    }
    result.names.push_back(std::move(name));
  }
  return result;
}

ParsedBackendPath parse_backend_path(std::string_view text, const BackendPathScope& scope) {
  ParsedBackendPath result;
  result.path.source = std::string(text);
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) result.path.parts.push_back({TemplatePart::Kind::literal, std::move(literal), {}, 0});
    literal.clear();
  };
  for (std::size_t at = 0; at < text.size();) {
    if (text[at] == '}') {
      result.error = "unmatched \"}\" at offset " + std::to_string(at);
      return result;
    }
    if (text[at] != '{') {
      literal += text[at++];
      continue;
    }
    const auto close = text.find('}', at);
    if (close == std::string_view::npos) {
      result.error = "unclosed \"{\" at offset " + std::to_string(at);
      return result;
    }
    flush();
    TemplatePart part;
    result.error = resolve(text.substr(at + 1, close - at - 1), scope, part, result.after);
    if (!result.error.empty()) return result;
    result.path.parts.push_back(std::move(part));
    at = close + 1;
  }
  flush();
  return result;
}

}  // namespace canopy::config
