#pragma once
// An IP address as text, as Asio's address::to_string() writes it. An IPv4
// address is written here: glibc's inet_ntop formats it with sprintf, about
// 1,900 instructions, paid once per client connection.

#include <boost/asio/ip/address.hpp>
#include <string>

namespace canopy::gateway {

inline std::string ip_text(const boost::asio::ip::address& address) {
  if (!address.is_v4()) return address.to_string();
  const auto bytes = address.to_v4().to_bytes();
  char text[15];  // 255.255.255.255
  char* at = text;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) *at++ = '.';
    const unsigned octet = bytes[i];
    if (octet >= 100) *at++ = static_cast<char>('0' + octet / 100);
    if (octet >= 10) *at++ = static_cast<char>('0' + octet / 10 % 10);
    *at++ = static_cast<char>('0' + octet % 10);
  }
  return std::string(text, static_cast<std::size_t>(at - text));
}

}  // namespace canopy::gateway
