#include "gateway/proxy/upstream_request_head.hpp"

#include <boost/beast/core/string.hpp>
#include <algorithm>
#include <cstring>

#include "gateway/http/message_head.hpp"
#include "gateway/proxy/deadline_header.hpp"
#include "gateway/proxy/headers.hpp"

namespace canopy::gateway {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::string_view forwarded_for = "X-Forwarded-For";

}  // namespace

UpstreamRequestHead::UpstreamRequestHead(const ClientRequestParser& client_head, std::string_view client_ip,
                                         const config::RouteConfig& route, core::Clock::time_point deadline,
                                         const std::vector<config::DeadlineHeader>& deadline_headers)
    : method_(client_head.method_string()), target_(client_head.target()), client_fields_(client_head.fields()) {
  // The target changes only with a rewrite (or a target that is not a path).
  if (route.strip_prefix || route.prefix_rewrite || !target_.starts_with('/')) {
    rewritten_target_ = upstream_target(target_, route);
    target_ = rewritten_target_;
  }
  boost::container::small_vector<std::string_view, 4> named_in_connection;
  for (const auto& field : client_head.fields()) {
    if (field.id == http::field::connection) {
      for_each_connection_option(field.value,
                                 [&](std::string_view option) { named_in_connection.push_back(option); });
    } else if (field.id == http::field::transfer_encoding) {
      chunked_ = beast::iequals(field.value, "chunked");  // the only coding a request head may have (check_request_head)
    } else if (same_field_name(field.name, forwarded_for)) {
      forwarded_for_.append(field.value).append(", ");
    }
  }
  forwarded_for_.append(client_ip);

  const auto& edits = route.request_headers;
  const auto removed = [&](std::string_view name) {
    const auto is_name = [&](const auto& n) { return same_field_name(name, n); };
    return std::any_of(edits.remove.begin(), edits.remove.end(), is_name);
  };
  append(forwarded_for, forwarded_for_);
  append("X-Forwarded-Proto", "http");
  if (const std::string_view host = client_head[http::field::host]; !host.empty()) append("X-Forwarded-Host", host);
  appended_.erase(std::remove_if(appended_.begin(), appended_.end(), [&](const Field& f) { return removed(f.name); }),
                  appended_.end());
  for (const auto& [name, value] : edits.set) append(name, value);
  const auto left = deadline_headers.empty() ? std::chrono::milliseconds(0) : deadline_time_left(deadline);
  for (const auto header : deadline_headers) {
    auto& value = deadline_values_[static_cast<std::size_t>(header)];
    value = deadline_header_value(header, left);
    append(deadline_header_name(header), value);
  }

  for (std::size_t i = 0; i < client_fields_.size(); ++i) {
    const auto& field = client_fields_[i];
    if (is_hop_by_hop(field.id) || field.id == http::field::expect) continue;  // Expect: answered here
    const std::string_view name = field.name;
    const auto is_name = [&](std::string_view other) { return same_field_name(name, other); };
    if (is_name(forwarded_for)) continue;  // sent again with the client appended
    if (std::any_of(appended_.begin(), appended_.end(), [&](const Field& f) { return is_name(f.name); })) continue;
    if (removed(name) || std::any_of(named_in_connection.begin(), named_in_connection.end(), is_name)) continue;
    forwarded_.push_back(static_cast<std::uint32_t>(i));
  }
  size_ = method_.size() + 1 + target_.size() + std::string_view(" HTTP/1.1\r\n").size() + crlf.size();
  for (const auto i : forwarded_) size_ += field_wire_size(client_fields_[i].name, client_fields_[i].value);
  for (const auto& field : appended_) size_ += field_wire_size(field.name, field.value);
}

void UpstreamRequestHead::append(std::string_view name, std::string_view value) {
  const auto same_name = [&](const Field& f) { return same_field_name(f.name, name); };
  appended_.erase(std::remove_if(appended_.begin(), appended_.end(), same_name), appended_.end());
  appended_.push_back({name, value});
}

char* UpstreamRequestHead::write(char* out) const noexcept {
  out = write_text(out, method_);
  *out++ = ' ';
  out = write_text(out, target_);
  out = write_text(out, " HTTP/1.1\r\n");
  for (const auto i : forwarded_) out = write_field(client_fields_[i].name, client_fields_[i].value, out);
  for (const auto& field : appended_) out = write_field(field.name, field.value, out);
  return write_text(out, crlf);
}

}  // namespace canopy::gateway
