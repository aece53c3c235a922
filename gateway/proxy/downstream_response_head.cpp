#include "gateway/proxy/downstream_response_head.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <algorithm>
#include <cstring>

#include "gateway/http/message_head.hpp"
#include "gateway/proxy/headers.hpp"

namespace canopy::gateway {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr std::string_view crlf = "\r\n";

}  // namespace

DownstreamResponseHead::DownstreamResponseHead(const UpstreamResponseParser& upstream, const config::HeaderEdits& edits,
                                               unsigned client_version, bool keep_alive)
    : version_(client_version), status_(upstream.status() % 1000), reason_(upstream.reason()),
      chunked_(upstream.chunked()), keep_alive_(keep_alive) {
  if (reason_.empty()) reason_ = http::obsolete_reason(static_cast<http::status>(status_));
  const bool http10 = client_version < 11;
  const bool unchunk = http10 && chunked_;
  // A body that ends with the upstream's connection: an HTTP/1.1 client gets it
  // chunk-coded (its connection can stay open); an HTTP/1.0 client, by the close.
  const bool rechunk = upstream.need_eof() && !http10;
  if (unchunk || (upstream.need_eof() && http10)) keep_alive_ = false;
  chunked_ = (chunked_ && !unchunk) || rechunk;

  boost::container::small_vector<std::string_view, 4> named_in_connection;
  for (const auto& field : upstream.fields()) {
    if (field.id == http::field::connection) {
      for_each_connection_option(field.value, [&](std::string_view option) { named_in_connection.push_back(option); });
    }
  }
  const auto is_named = [](const auto& names, std::string_view name) {
    return std::any_of(names.begin(), names.end(), [&](const auto& other) { return same_field_name(name, other); });
  };
  for (const auto& field : upstream.fields()) {
    if (is_hop_by_hop(field.id) || is_named(named_in_connection, field.name)) continue;
    if (is_named(edits.remove, field.name)) continue;
    const auto replaced = [&](const auto& set) { return same_field_name(field.name, set.first); };
    if (std::any_of(edits.set.begin(), edits.set.end(), replaced)) continue;
    if (field.id == http::field::transfer_encoding && (unchunk || rechunk)) {
      // Every Transfer-Encoding field as one, without "chunked" (an HTTP/1.0
      // client) or with it added (a body the upstream ends by closing).
      for_each_connection_option(field.value, [&](std::string_view coding) {
        if (same_field_name(coding, "chunked")) return;
        if (!unchunked_encodings_.empty()) unchunked_encodings_ += ", ";
        unchunked_encodings_ += coding;
      });
      continue;
    }
    fields_.push_back({field.name, field.value});
  }
  if (rechunk) {
    if (!unchunked_encodings_.empty()) unchunked_encodings_ += ", ";
    unchunked_encodings_ += "chunked";
  }
  if (!unchunked_encodings_.empty()) {
    fields_.push_back({"Transfer-Encoding", unchunked_encodings_});
  }
  for (const auto& [name, value] : edits.set) fields_.push_back({name, value});
  if (!http10 && !keep_alive_) fields_.push_back({"Connection", "close"});
  if (http10 && keep_alive_) fields_.push_back({"Connection", "keep-alive"});

  size_ = std::string_view("HTTP/1.1 200 ").size() + reason_.size() + crlf.size() + crlf.size();
  for (const auto& field : fields_) size_ += field_wire_size(field.name, field.value);
}

char* DownstreamResponseHead::write(char* out) const noexcept {
  out = write_text(out, version_ < 11 ? "HTTP/1.0 " : "HTTP/1.1 ");
  *out++ = static_cast<char>('0' + status_ / 100);
  *out++ = static_cast<char>('0' + status_ / 10 % 10);
  *out++ = static_cast<char>('0' + status_ % 10);
  *out++ = ' ';
  out = write_text(out, reason_);
  out = write_text(out, crlf);
  for (const auto& field : fields_) out = write_field(field.name, field.value, out);
  return write_text(out, crlf);
}

}  // namespace canopy::gateway
