#pragma once

#include <string>

#include "config/load.hpp"

namespace canopy::config {

// The message of the ConfigError that parsing `text` as "canopy.toml" throws, or "" if it parses.
inline std::string error_of(const std::string& text) {
  try {
    parse_config(text, "canopy.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace canopy::config
