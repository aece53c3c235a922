#pragma once
// A Connection (or Proxy-Connection) field value as Beast reads it: a comma-
// separated list of tokens, empty elements allowed (RFC 9110 §5.6.1), of which
// `close` and `keep-alive` decide whether the connection stays open.

#include <boost/beast/core/string.hpp>
#include <string_view>

#include "gateway/http/char_classes.hpp"

namespace canopy::gateway {

struct ConnectionOptions {
  bool close = false;
  bool keep_alive = false;

  // Notes the options of `value`; false when it is not a list of tokens.
  bool take(std::string_view value) noexcept {
    while (true) {
      const auto comma = value.find(',');
      const auto option = trim_ows(value.substr(0, comma));
      if (!all_of_class(option, token_char)) return false;
      if (boost::beast::iequals(option, "close")) close = true;
      if (boost::beast::iequals(option, "keep-alive")) keep_alive = true;
      if (comma == std::string_view::npos) return true;
      value.remove_prefix(comma + 1);
    }
  }

  // Whether a message of `version` (10, 11) with these options keeps its
  // connection open, its body permitting: HTTP/1.1 unless `close`, HTTP/1.0
  // only with `keep-alive` (Beast's keep_alive()).
  bool keep_alive_for(unsigned version) const noexcept { return version >= 11 ? !close : keep_alive; }
};

}  // namespace canopy::gateway
