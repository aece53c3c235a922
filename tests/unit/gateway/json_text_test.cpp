#include "gateway/log/json_text.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cstdio>

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

TEST(JsonText, WritesCleanAndEscapedStringsInAnyOrderWithEveryDelimiter) {
  std::string out;
  JsonText line(out);
  line.begin();
  line.field("a", std::string_view("clean"));
  line.field("b", std::string_view(""));
  line.field("c", 7u);
  line.field("d", std::string_view("needs \"escape\""));
  line.field("e", std::string_view("clean again, and longer than one word"));
  line.end_line();
  EXPECT_EQ(out,
            "{\"a\":\"clean\",\"b\":\"\",\"c\":7,\"d\":\"needs \\\"escape\\\"\","
            "\"e\":\"clean again, and longer than one word\"}\n");
  const auto parsed = boost::json::parse(out).as_object();
  EXPECT_EQ(parsed.at("d").as_string(), "needs \"escape\"");
  EXPECT_EQ(parsed.size(), 5u);
}

TEST(JsonText, AppendsToWhatIsAlreadyBuffered) {
  std::string out = "{\"earlier\":1}\n";
  JsonText line(out);
  line.begin();
  line.field("k", std::string_view("v"));
  line.end_line();
  EXPECT_EQ(out, "{\"earlier\":1}\n{\"k\":\"v\"}\n");
}

TEST(JsonText, GrowsForFieldsLongerThanAUsualLineAndKeepsNoUnwrittenBytes) {
  std::string out = "{\"earlier\":1}\n";
  const std::string long_clean(2000, 'x');
  const std::string long_escaped(700, '\n');
  {
    JsonText line(out);
    line.begin();
    line.field("a", std::string_view(long_clean));
    line.field("b", std::string_view(long_escaped));
    line.field("c", 1u);
    line.end_line();
    EXPECT_EQ(out.size(), 14 + 6 + 2000 + 1 + 6 + 6 * 700 + 1 + 6 + 2);  // no room left over after the line
  }
  const auto second = out.find('\n') + 1;
  const auto parsed = boost::json::parse(std::string_view(out).substr(second)).as_object();
  EXPECT_EQ(parsed.at("a").as_string(), long_clean);
  EXPECT_EQ(parsed.at("b").as_string(), long_escaped);
  EXPECT_EQ(parsed.at("c").as_int64(), 1);
}

// The access log hands its buffer to write() and clears it while the line's
// JsonText is still in scope.
TEST(JsonText, LeavesTheTextAloneOnceTheLineHasEnded) {
  std::string out;
  {
    JsonText line(out);
    line.begin();
    line.field("k", std::string_view("v"));
    line.end_line();
    out.clear();
  }
  EXPECT_EQ(out, "");
}

TEST(JsonText, ALineLeftUnfinishedLeavesOnlyTheFieldsWritten) {
  std::string out;
  {
    JsonText line(out);
    line.begin();
    line.field("k", std::string_view("v"));
  }
  EXPECT_EQ(out, "{\"k\":\"v\"");
}

// The escaper checks eight bytes at a time; a byte to escape must be found in
// any lane of a word and in the tail, at any length, whatever the bytes around it.
TEST(JsonText, EscapesEveryByteThatNeedsItWhereverItStands) {
  const auto one_at_a_time = [](std::string_view text) {
    std::string out;
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20) {
        char escape[8];
        std::snprintf(escape, sizeof escape, "\\u%04x", byte);
        out += escape;
      } else if (c == '"' || c == '\\') {
        out += '\\';
        out += c;
      } else {
        out += c;
      }
    }
    return out;
  };
  for (const char filler : {'a', '\x7f', '\x80', '\xff', '!', '#', '[', ']'}) {
    for (std::size_t length = 1; length <= 19; ++length) {  // shorter than a word, a word, words and a tail
      for (std::size_t at = 0; at < length; ++at) {
        for (int value = 0; value < 256; ++value) {
          std::string text(length, filler);
          text[at] = static_cast<char>(value);
          std::string out;
          append_json_escaped(out, text);
          ASSERT_EQ(out, one_at_a_time(text))
              << "byte " << value << " at " << at << " of " << length << " among " << int(filler);
          std::string line_text;
          JsonText line(line_text);
          line.begin();
          line.field("k", std::string_view(text));
          line.end_line();
          ASSERT_EQ(line_text, "{\"k\":\"" + one_at_a_time(text) + "\"}\n")
              << "byte " << value << " at " << at << " of " << length << " among " << int(filler);
        }
      }
    }
  }
}

}  // namespace
}  // namespace canopy::gateway
