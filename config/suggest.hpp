#pragma once
// "did you mean …?" for a misspelt key or value.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace canopy::config {

// The closest candidate within a small edit distance, if any.
std::optional<std::string> closest_match(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace canopy::config
