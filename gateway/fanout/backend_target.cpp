#include "gateway/fanout/backend_target.hpp"

#include <boost/json/serialize.hpp>
#include <cctype>

#include "gateway/routing/router.hpp"

namespace canopy::gateway {

namespace json = boost::json;

namespace {

// A scalar field of an object, as text; nullopt for a missing field, an object, an array or null.
std::optional<std::string> field_text(const json::value* value, const std::vector<std::string>& field) {
  for (const auto& name : field) {
    const auto* object = value ? value->if_object() : nullptr;
    value = object ? object->if_contains(name) : nullptr;
  }
  if (!value) return std::nullopt;
  if (const auto* s = value->if_string()) return std::string(*s);
  if (const auto* i = value->if_int64()) return std::to_string(*i);
  if (const auto* u = value->if_uint64()) return std::to_string(*u);
  if (const auto* b = value->if_bool()) return *b ? "true" : "false";
  if (value->is_double()) return json::serialize(*value);
  return std::nullopt;
}

std::string placeholder(const config::TemplatePart& part) {
  switch (part.kind) {
    case config::TemplatePart::Kind::path_param: return "{path." + part.text + "}";
    case config::TemplatePart::Kind::query_param: return "{query." + part.text + "}";
    case config::TemplatePart::Kind::header: return "{header." + part.text + "}";
    default: {
      std::string name;
      for (const auto& f : part.field) name += (name.empty() ? "" : ".") + f;
      return "field " + name + " of backends[" + std::to_string(part.backend) + "]";
    }
  }
}

}  // namespace

std::optional<std::string_view> query_param(std::string_view query, std::string_view name) noexcept {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

void append_percent_encoded(std::string& out, std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  for (const unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
}

FilledTarget fill_backend_target(const config::PathTemplate& path, const IncomingValues& incoming,
                                 const json::value* earlier) {
  FilledTarget filled;
  filled.target.reserve(path.source.size() + incoming.query.size());
  using Kind = config::TemplatePart::Kind;
  for (const auto& part : path.parts) {
    switch (part.kind) {
      case Kind::literal: filled.target += part.text; break;
      case Kind::query: filled.target += incoming.query; break;
      case Kind::rest: filled.target += incoming.rest; break;
      case Kind::path_param: filled.target += path_param(incoming.route_pattern, incoming.path, part.text); break;
      case Kind::query_param: {
        auto value = query_param(incoming.query, part.text);
        if (!value) return {{}, placeholder(part)};
        filled.target += *value;
        break;
      }
      case Kind::header: {
        const auto* field = incoming.request ? incoming.request->find(part.text) : nullptr;
        if (!field) return {{}, placeholder(part)};
        append_percent_encoded(filled.target, field->value);
        break;
      }
      case Kind::backend_field: {
        auto value = field_text(earlier, part.field);
        if (!value) return {{}, placeholder(part)};
        append_percent_encoded(filled.target, *value);
        break;
      }
    }
  }
  return filled;
}

}  // namespace canopy::gateway
