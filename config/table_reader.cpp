#include "config/table_reader.hpp"

#include <vector>

#include "config/suggest.hpp"
#include "config/units.hpp"

namespace canopy::config {

namespace {
std::string location(const toml::source_region& where) {
  std::string file = where.path ? *where.path : std::string("<config>");
  return file + ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column);
}

std::string quoted(const toml::node& node) {
  if (auto s = node.value<std::string>()) return "\"" + *s + "\"";
  return std::string(toml::impl::node_type_friendly_names[static_cast<int>(node.type())]);
}
}  // namespace

void fail_at(const toml::source_region& where, const std::string& message) {
  throw ConfigError(location(where) + ": " + message);
}

TableReader::TableReader(const toml::table& table, std::string context)
    : table_(table), context_(std::move(context)) {}

const toml::node* TableReader::take(std::string_view key) {
  const toml::node* node = table_.get(key);
  if (node) read_.emplace(key);
  return node;
}

void TableReader::fail_at(const toml::source_region& where, std::string_view key, const std::string& what) const {
  config::fail_at(where, context_ + "." + std::string(key) + ": " + what);
}

void TableReader::fail(std::string_view key, const std::string& what) const {
  const toml::node* node = table_.get(key);
  fail_at(node ? node->source() : table_.source(), key, what);
}

void TableReader::fail_table(const std::string& what) const { config::fail_at(table_.source(), context_ + ": " + what); }

SourcePlace TableReader::place() const {
  const auto& where = table_.source();
  return {where.path ? *where.path : std::string(), where.begin.line, where.begin.column};
}

std::optional<std::string> TableReader::string(std::string_view key) {
  const toml::node* node = take(key);
  if (!node) return std::nullopt;
  if (auto s = node->value<std::string>()) return s;
  fail(key, "expected a string, got " + quoted(*node));
}

std::optional<Duration> TableReader::duration(std::string_view key) {
  auto text = string(key);
  if (!text) return std::nullopt;
  if (auto d = parse_duration(*text); d && d->count() > 0) return d;
  fail(key, "expected a positive duration such as \"150ms\", \"2s\" or \"1m\", got \"" + *text + "\"");
}

std::optional<std::size_t> TableReader::size(std::string_view key) {
  const toml::node* node = take(key);
  if (!node) return std::nullopt;
  if (auto n = node->value<std::int64_t>(); n && *n >= 0 && node->is_integer()) return static_cast<std::size_t>(*n);
  if (auto s = node->value<std::string>()) {
    if (auto size = parse_size(*s)) return size;
  }
  fail(key, "expected a size such as 65536, \"64KiB\" or \"10MB\", got " + quoted(*node));
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
  const toml::node* node = take(key);
  if (!node) return std::nullopt;
  if (!node->is_integer()) fail(key, "expected an integer, got " + quoted(*node));
  const auto n = *node->value<std::int64_t>();
  if (n < min || n > max) {
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + std::to_string(n));
  }
  return n;
}

std::optional<Address> TableReader::address(std::string_view key) {
  auto text = string(key);
  if (!text) return std::nullopt;
  if (auto a = parse_address(*text)) return a;
  fail(key, "expected an address such as \"127.0.0.1:8080\" or \"[::1]:8080\", got \"" + *text + "\"");
}

std::optional<bool> TableReader::boolean(std::string_view key) {
  const toml::node* node = take(key);
  if (!node) return std::nullopt;
  if (auto b = node->value_exact<bool>()) return b;
  fail(key, "expected true or false, got " + quoted(*node));
}

std::optional<std::vector<std::string>> TableReader::strings(std::string_view key) {
  const toml::node* node = take(key);
  if (!node) return std::nullopt;
  const toml::array* items = node->as_array();
  if (!items) fail(key, "expected an array of strings, got " + quoted(*node));
  std::vector<std::string> out;
  for (const auto& item : *items) {
    auto s = item.value<std::string>();
    if (!s) fail_at(item.source(), key, "expected a string, got " + quoted(item));
    out.push_back(*s);
  }
  return out;
}

const toml::table* TableReader::table(std::string_view key) {
  const toml::node* node = take(key);
  if (!node) return nullptr;
  if (const auto* t = node->as_table()) return t;
  fail(key, "expected a table, got " + quoted(*node));
}

const toml::array* TableReader::array(std::string_view key) {
  const toml::node* node = take(key);
  if (!node) return nullptr;
  if (const auto* a = node->as_array()) return a;
  fail(key, "expected an array, got " + quoted(*node));
}

void TableReader::finish(std::span<const std::string_view> known) {
  for (const auto& [key, node] : table_) {
    if (read_.contains(key.str())) continue;
    std::string message = "unknown key \"" + std::string(key.str()) + "\" in " + context_;
    if (auto hint = closest_match(key.str(), known)) message += "; did you mean \"" + *hint + "\"?";
    config::fail_at(key.source(), message);
  }
}

}  // namespace canopy::config
