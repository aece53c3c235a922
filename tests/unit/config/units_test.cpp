#include "config/units.hpp"

#include <gtest/gtest.h>

namespace canopy::config {
namespace {

TEST(Durations, ParseEveryUnitAndFractions) {
  EXPECT_EQ(parse_duration("150ms"), Duration(150ms));
  EXPECT_EQ(parse_duration("2s"), Duration(2s));
  EXPECT_EQ(parse_duration("1m"), Duration(60s));
  EXPECT_EQ(parse_duration("1h"), Duration(3600s));
  EXPECT_EQ(parse_duration("1.5s"), Duration(1500ms));
  EXPECT_EQ(parse_duration("250us"), Duration(250us));
  EXPECT_EQ(parse_duration("10ns"), Duration(10ns));
}

TEST(Durations, RejectMissingOrUnknownUnitsAndJunk) {
  for (auto bad : {"10", "10 s", "s", "1.s", ".5s", "10sec", "-1s", "", "1e3ms", "10S"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(Durations, FormatAsTheShortestExactSpelling) {
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(2s), "2s");
  EXPECT_EQ(format_duration(120s), "2m");
  EXPECT_EQ(format_duration(Duration(7)), "7ns");
}

TEST(Sizes, ParseBinaryAndDecimalUnitsAndPlainBytes) {
  EXPECT_EQ(parse_size("64KiB"), 65536u);
  EXPECT_EQ(parse_size("10MB"), 10'000'000u);
  EXPECT_EQ(parse_size("1MiB"), 1048576u);
  EXPECT_EQ(parse_size("512B"), 512u);
  EXPECT_EQ(parse_size("512"), 512u);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  EXPECT_EQ(parse_size("64kb"), std::nullopt);
  EXPECT_EQ(parse_size("1.3B"), std::nullopt);
  EXPECT_EQ(parse_size("KiB"), std::nullopt);
}

TEST(Addresses, ParseHostPortAndBracketedIpv6) {
  EXPECT_EQ(parse_address("127.0.0.1:9001"), (Address{"127.0.0.1", 9001}));
  EXPECT_EQ(parse_address("localhost:80"), (Address{"localhost", 80}));
  EXPECT_EQ(parse_address("[::1]:8080"), (Address{"::1", 8080}));
  EXPECT_EQ(parse_address("0.0.0.0:0"), (Address{"0.0.0.0", 0}));
  EXPECT_EQ(to_string(Address{"::1", 8080}), "[::1]:8080");
}

TEST(Addresses, RejectMissingPortsAndBadHosts) {
  for (auto bad : {"127.0.0.1", ":80", "host:", "host:65536", "::1:80", "a b:80", "host:80x", "[::1]80"}) {
    EXPECT_EQ(parse_address(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace canopy::config
