#include "gateway/proxy/deadline_header.hpp"

#include <gtest/gtest.h>

#include "gateway/proxy/attempt_budget.hpp"

namespace canopy::gateway {
namespace {

using namespace std::chrono_literals;

TEST(GrpcTimeout, ParsesEveryUnitAndRejectsWhatTheSpecForbids) {
  EXPECT_EQ(parse_grpc_timeout("250m"), core::Clock::duration(250ms));
  EXPECT_EQ(parse_grpc_timeout("3S"), core::Clock::duration(3s));
  EXPECT_EQ(parse_grpc_timeout("1H"), core::Clock::duration(1h));
  EXPECT_EQ(parse_grpc_timeout("2M"), core::Clock::duration(2min));
  EXPECT_EQ(parse_grpc_timeout("10u"), core::Clock::duration(10us));
  EXPECT_EQ(parse_grpc_timeout("99999999n"), core::Clock::duration(99999999ns));
  EXPECT_FALSE(parse_grpc_timeout("123456789m")) << "at most 8 digits";
  EXPECT_FALSE(parse_grpc_timeout("5"));
  EXPECT_FALSE(parse_grpc_timeout("5x"));
  EXPECT_FALSE(parse_grpc_timeout("-5m"));
  EXPECT_FALSE(parse_grpc_timeout("m"));
}

TEST(DeadlineHeaders, CarryTheTimeLeftInEachFormTheUpstreamTakes) {
  const auto left = deadline_time_left(core::Clock::now() + 1500ms);
  const auto ms = std::stoll(deadline_header_value(config::DeadlineHeader::canopy, left));
  EXPECT_GT(ms, 1000);
  EXPECT_LE(ms, 1500);
  const std::string grpc = deadline_header_value(config::DeadlineHeader::grpc_timeout, left);
  EXPECT_EQ(grpc, std::to_string(ms) + "m");
}

TEST(DeadlineHeaders, APassedDeadlineStillSaysOneMillisecond) {
  EXPECT_EQ(deadline_header_value(config::DeadlineHeader::canopy, deadline_time_left(core::Clock::now() - 1s)), "1");
}

TEST(RequestedDeadline, TheEarlierOfBothHeadersWinsAndGarbageIsIgnored) {
  const auto now = core::Clock::now();
  EXPECT_EQ(requested_deadline("500", "200m", now), now + 200ms);
  EXPECT_EQ(requested_deadline("500", "soon", now), now + 500ms);
  EXPECT_EQ(requested_deadline("", "1S", now), now + 1s);
  EXPECT_FALSE(requested_deadline("-3", "soon", now));
  EXPECT_FALSE(requested_deadline("", "", now)) << "neither header";
}

TEST(AttemptBudget, ExtraAttemptsStayWithinTheirShareOfRequests) {
  AttemptBudget budget(10);
  int granted = 0;
  for (int i = 0; i < 100; ++i) {
    budget.on_request();
    granted += budget.try_spend() ? 1 : 0;  // every request wants a hedge
  }
  EXPECT_EQ(granted, 10);
  EXPECT_EQ(budget.stats().refused, 90u);
}

TEST(AttemptBudget, AQuietRouteSavesUpOnlyABurst) {
  AttemptBudget budget(100);
  for (int i = 0; i < 1000; ++i) budget.on_request();
  int granted = 0;
  while (budget.try_spend()) ++granted;
  EXPECT_EQ(granted, 10);
}

}  // namespace
}  // namespace canopy::gateway
