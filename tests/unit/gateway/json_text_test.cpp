#include "gateway/log/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace canopy::gateway {
namespace {

TEST(JsonText, WritesOneObjectPerLineThatAJsonParserReadsBack) {
  std::string out;
  JsonText line(out);
  line.begin();
  line.field("target", std::string_view("/a\"b\\c\n\x01"));
  line.field("status", 200u);
  line.field("bytes", std::uint64_t{18446744073709551615ull});
  line.end_line();
  EXPECT_EQ(out, "{\"target\":\"/a\\\"b\\\\c\\u000a\\u0001\",\"status\":200,\"bytes\":18446744073709551615}\n");
  const auto parsed = boost::json::parse(out).as_object();
  EXPECT_EQ(parsed.at("target").as_string(), "/a\"b\\c\n\x01");
  EXPECT_EQ(parsed.at("bytes").as_uint64(), 18446744073709551615ull);
}

TEST(JsonText, AppendsToWhatIsAlreadyBuffered) {
  std::string out = "{\"earlier\":1}\n";
  JsonText line(out);
  line.begin();
  line.field("k", std::string_view("v"));
  line.end_line();
  EXPECT_EQ(out, "{\"earlier\":1}\n{\"k\":\"v\"}\n");
}

}  // namespace
}  // namespace canopy::gateway
