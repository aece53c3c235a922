#pragma once
// TOML → Config. Every problem is reported as one ConfigError whose message is
// "file:line:col: what is wrong", naming the key (with "did you mean" for a
// misspelt one). The first problem found is the one reported.

#include <stdexcept>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace canopy::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

Config load_config_file(const std::string& path);
Config parse_config(std::string_view toml_text, std::string_view source_name);

}  // namespace canopy::config
