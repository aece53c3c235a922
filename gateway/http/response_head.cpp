#include "gateway/http/response_head.hpp"

#include <boost/beast/http/field.hpp>

#include "gateway/http/char_classes.hpp"

namespace canopy::gateway {

namespace http = boost::beast::http;

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// HTTP/1.x SP 3DIGIT [SP reason]: an upstream that leaves out the reason's
// space is taken too (Beast took it).
boost::system::error_code take_status_line(std::string_view line, UpstreamResponseParser& parser) {
  if (line.size() < 8 || !line.starts_with("HTTP/1.") || !is_digit(line[7])) return http::error::bad_version;
  if (line.size() < 12 || line[8] != ' ' || !is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11]) ||
      (line.size() > 12 && line[12] != ' ')) {
    return http::error::bad_status;
  }
  const auto reason = line.size() > 13 ? line.substr(13) : std::string_view();
  if (!all_of_class(reason, field_value_char)) return http::error::bad_reason;
  const auto status = static_cast<unsigned>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
  parser.set_status_line(10 + static_cast<unsigned>(line[7] - '0'), status, reason);
  return {};
}

}  // namespace

boost::system::error_code take_response_head(std::string_view head, UpstreamResponseParser& parser) {
  bool first = true;
  while (!head.empty()) {
    const auto lf = head.find('\n');
    if (lf == std::string_view::npos || lf == 0 || head[lf - 1] != '\r') return http::error::bad_line_ending;
    const auto line = head.substr(0, lf - 1);
    head.remove_prefix(lf + 1);
    if (line.empty()) break;  // the end of the head
    if (first) {
      if (const auto ec = take_status_line(line, parser)) return ec;
      first = false;
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      // obs-fold: a proxy passes the value on one line (RFC 9112 §5.2).
      if (parser.fields().empty()) return http::error::bad_field;
      const auto more = trim_ows(line);
      if (!is_field_value(more)) return http::error::bad_value;
      parser.unfold_last_value(more);
      continue;
    }
    const auto colon = token_prefix(line);
    if (colon == 0 || colon == line.size() || line[colon] != ':') return http::error::bad_field;
    const auto name = line.substr(0, colon);
    const auto value = trim_ows(line.substr(colon + 1));
    if (!is_field_value(value)) return http::error::bad_value;
    parser.add_field(http::string_to_field(name), name, value);
  }
  return parser.frame_body();
}

}  // namespace canopy::gateway
