#include "gateway/http/upstream_response_parser.hpp"

namespace canopy::gateway {

namespace http = boost::beast::http;

namespace {

// Whether `value` lies in the parsed bytes right after `name`'s colon and
// optional whitespace, as Beast hands out a value that had no obs-fold; an
// unfolded value lives in a buffer of Beast's own that is gone after the call.
bool follows_its_name(std::string_view name, std::string_view value) {
  const char* at = name.data() + name.size();
  if (*at != ':') return false;
  ++at;
  while (at != value.data() && (*at == ' ' || *at == '\t')) ++at;
  return at == value.data();
}

}  // namespace

void UpstreamResponseParser::on_response_impl(int code, boost::beast::string_view reason, int version,
                                              boost::beast::error_code& ec) {
  status_ = static_cast<unsigned>(code);
  reason_ = reason;
  version_ = static_cast<unsigned>(version);
  ec = {};
}

void UpstreamResponseParser::on_field_impl(http::field id, boost::beast::string_view name,
                                           boost::beast::string_view value, boost::beast::error_code& ec) {
  std::string_view kept = value;
  if (!value.empty() && !follows_its_name(name, value)) kept = unfolded_.emplace_front(value);
  fields_.push_back(Field{id, name, kept});
  ec = {};
}

}  // namespace canopy::gateway
