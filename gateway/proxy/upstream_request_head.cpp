#include "gateway/proxy/upstream_request_head.hpp"

#include <boost/beast/core/string.hpp>
#include <algorithm>
#include <cstring>

#include "gateway/proxy/deadline_header.hpp"
#include "gateway/proxy/headers.hpp"

namespace canopy::gateway {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::string_view crlf = "\r\n";
constexpr std::string_view forwarded_for = "X-Forwarded-For";

char* put(char* out, std::string_view text) noexcept {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

bool named(std::string_view name, std::string_view other) noexcept {
  return name.size() == other.size() && beast::iequals(name, other);
}

}  // namespace

UpstreamRequestHead::UpstreamRequestHead(const http::request_header<>& client_head, std::string_view client_ip,
                                         const config::RouteConfig& route, core::Clock::time_point deadline,
                                         const std::vector<config::DeadlineHeader>& deadline_headers)
    : client_(client_head), edits_(route.request_headers) {
  // The target changes only with a rewrite (or a target that is not a path).
  if (route.strip_prefix || route.prefix_rewrite || !client_head.target().starts_with('/')) {
    target_ = upstream_target(client_head.target(), route);
  }
  bool has_connection = false;
  for (const auto& field : client_head) {
    if (field.name() == http::field::connection) has_connection = true;
    else if (named(field.name_string(), forwarded_for)) forwarded_for_.append(field.value()).append(", ");
  }
  if (has_connection) {
    for (const auto& field : client_head) {
      if (field.name() != http::field::connection) continue;
      for_each_connection_option(field.value(),
                                 [&](std::string_view option) { named_in_connection_.push_back(option); });
    }
  }
  forwarded_for_.append(client_ip);

  append(forwarded_for, forwarded_for_);
  append("X-Forwarded-Proto", "http");
  if (const std::string_view host = client_head[http::field::host]; !host.empty()) append("X-Forwarded-Host", host);
  appended_.erase(std::remove_if(appended_.begin(), appended_.end(),
                                 [&](const Field& f) {
                                   return std::any_of(edits_.remove.begin(), edits_.remove.end(),
                                                      [&](const auto& n) { return named(f.name, n); });
                                 }),
                  appended_.end());
  for (const auto& [name, value] : edits_.set) append(name, value);
  for (const auto header : deadline_headers) {
    auto& value = deadline_values_[static_cast<std::size_t>(header)];
    value = deadline_header_value(header, deadline);
    append(deadline_header_name(header), value);
  }
}

void UpstreamRequestHead::append(std::string_view name, std::string_view value) {
  const auto same_name = [&](const Field& f) { return named(f.name, name); };
  appended_.erase(std::remove_if(appended_.begin(), appended_.end(), same_name), appended_.end());
  appended_.push_back({name, value});
}

bool UpstreamRequestHead::forwards(const http::fields::value_type& field) const noexcept {
  if (is_hop_by_hop(field.name()) || field.name() == http::field::expect) return false;  // Expect: answered here
  const std::string_view name = field.name_string();
  const auto is_name = [&](std::string_view other) { return named(name, other); };
  if (is_name(forwarded_for)) return false;  // sent again with the client appended
  if (std::any_of(appended_.begin(), appended_.end(), [&](const Field& f) { return is_name(f.name); })) return false;
  if (std::any_of(edits_.remove.begin(), edits_.remove.end(), is_name)) return false;
  return std::none_of(named_in_connection_.begin(), named_in_connection_.end(), is_name);
}

std::size_t UpstreamRequestHead::size() const noexcept {
  const std::string_view target = target_.empty() ? std::string_view(client_.target()) : std::string_view(target_);
  std::size_t size = client_.method_string().size() + 1 + target.size() + std::string_view(" HTTP/1.1\r\n").size();
  for (const auto& field : client_) {
    if (forwards(field)) size += field.name_string().size() + 2 + field.value().size() + crlf.size();
  }
  for (const auto& field : appended_) size += field.name.size() + 2 + field.value.size() + crlf.size();
  return size + crlf.size();
}

char* UpstreamRequestHead::write(char* out) const noexcept {
  out = put(out, client_.method_string());
  *out++ = ' ';
  out = put(out, target_.empty() ? std::string_view(client_.target()) : std::string_view(target_));
  out = put(out, " HTTP/1.1\r\n");
  for (const auto& field : client_) {
    if (!forwards(field)) continue;
    out = put(out, field.name_string());
    out = put(out, ": ");
    out = put(out, field.value());
    out = put(out, crlf);
  }
  for (const auto& field : appended_) {
    out = put(out, field.name);
    out = put(out, ": ");
    out = put(out, field.value);
    out = put(out, crlf);
  }
  return put(out, crlf);
}

std::string UpstreamRequestHead::text() const {
  std::string text(size(), '\0');
  write(text.data());
  return text;
}

}  // namespace canopy::gateway
