#include "gateway/net/ip_text.hpp"

#include <gtest/gtest.h>

namespace canopy::gateway {
namespace {

namespace ip = boost::asio::ip;

TEST(IpText, WritesEveryIpv4AddressAsAsioDoes) {
  // Every octet value in every position, and the usual addresses.
  for (unsigned v = 0; v < 256; ++v) {
    for (unsigned position = 0; position < 4; ++position) {
      ip::address_v4::bytes_type bytes{1, 20, 255, 0};
      bytes[position] = static_cast<unsigned char>(v);
      const ip::address address(ip::address_v4{bytes});
      ASSERT_EQ(ip_text(address), address.to_string());
    }
  }
  EXPECT_EQ(ip_text(ip::make_address("127.0.0.1")), "127.0.0.1");
  EXPECT_EQ(ip_text(ip::make_address("255.255.255.255")), "255.255.255.255");
  EXPECT_EQ(ip_text(ip::make_address("0.0.0.0")), "0.0.0.0");
}

TEST(IpText, LeavesIpv6ToAsio) {
  EXPECT_EQ(ip_text(ip::make_address("::1")), "::1");
  EXPECT_EQ(ip_text(ip::make_address("2001:db8::7")), "2001:db8::7");
}

}  // namespace
}  // namespace canopy::gateway
