#pragma once
// Reads one TOML table key by key and remembers which keys it read, so that
// finish() can reject the rest as unknown ("did you mean …?"). Internal to config/:
// it is the only header that exposes toml++.

#include <toml++/toml.h>

#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "config/config.hpp"
#include "config/load.hpp"

namespace canopy::config {

class TableReader {
 public:
  // `context` names the table in messages: "server", "upstreams.users", "routes[2]".
  TableReader(const toml::table& table, std::string context);

  std::optional<std::string> string(std::string_view key);
  std::optional<Duration> duration(std::string_view key);
  std::optional<std::size_t> size(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<Address> address(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::vector<std::string>> strings(std::string_view key);
  const toml::table* table(std::string_view key);
  const toml::array* array(std::string_view key);

  template <typename E>
  std::optional<E> choice(std::string_view key, std::span<const std::pair<std::string_view, E>> options);

  // Every key not read so far is an error; `known` are the keys this table
  // accepts, for the "did you mean" hint.
  void finish(std::span<const std::string_view> known);

  [[noreturn]] void fail_at(const toml::source_region& where, std::string_view key, const std::string& what) const;
  [[noreturn]] void fail(std::string_view key, const std::string& what) const;
  [[noreturn]] void fail_table(const std::string& what) const;

  const std::string& context() const noexcept { return context_; }
  SourcePlace place() const;
  const toml::table& raw() const noexcept { return table_; }

 private:
  const toml::node* take(std::string_view key);

  const toml::table& table_;
  std::string context_;
  std::set<std::string, std::less<>> read_;
};

[[noreturn]] void fail_at(const toml::source_region& where, const std::string& message);

template <typename E>
std::optional<E> TableReader::choice(std::string_view key, std::span<const std::pair<std::string_view, E>> options) {
  auto text = string(key);
  if (!text) return std::nullopt;
  for (const auto& [name, value] : options) {
    if (name == *text) return value;
  }
  std::string known;
  for (const auto& [name, value] : options) known += (known.empty() ? "" : ", ") + std::string(name);
  fail(key, "unknown value \"" + *text + "\"; expected one of " + known);
}

}  // namespace canopy::config
