#pragma once
// A header field as views of the bytes it was read from, with Beast's constant
// for its name: what the gateway's parsers keep instead of a Beast field set.

#include <boost/beast/http/field.hpp>
#include <string_view>

namespace canopy::gateway {

struct FieldView {
  boost::beast::http::field id;  // field::unknown for a name Beast has no constant for
  std::string_view name;
  std::string_view value;
};

}  // namespace canopy::gateway
