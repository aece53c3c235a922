// [[routes]] race = { attempts }  |  hedge = { attempts, delay, budget_percent }
//            retries = { attempts, on, per_try_timeout, budget_percent }
#include <array>
#include <charconv>

#include "config/sections.hpp"

namespace canopy::config {

AttemptsConfig read_attempts(TableReader& route, std::string_view key) {
  static constexpr std::array<std::string_view, 1> race_keys{"attempts"};
  static constexpr std::array<std::string_view, 3> hedge_keys{"attempts", "delay", "budget_percent"};
  TableReader r(*route.table(key), route.context() + "." + std::string(key));
  AttemptsConfig attempts;
  attempts.mode = key == "race" ? AttemptsMode::race : AttemptsMode::hedge;
  if (auto v = r.integer("attempts", 2, 16)) attempts.max_attempts = static_cast<std::size_t>(*v);
  if (attempts.mode == AttemptsMode::race) {
    r.finish(race_keys);
    return attempts;
  }
  if (auto v = r.duration("delay")) attempts.delay = *v;
  if (auto v = r.integer("budget_percent", 0, 100)) attempts.budget_percent = static_cast<unsigned>(*v);
  r.finish(hedge_keys);
  return attempts;
}

RetryConfig read_retries(TableReader& route) {
  static constexpr std::array<std::string_view, 4> keys{"attempts", "on", "per_try_timeout", "budget_percent"};
  TableReader r(*route.table("retries"), route.context() + ".retries");
  RetryConfig retries;
  if (auto v = r.integer("attempts", 2, static_cast<std::int64_t>(max_retry_attempts))) retries.attempts = static_cast<std::size_t>(*v);
  if (auto on = r.strings("on")) {
    retries.on_connect_failure = retries.on_reset = retries.on_timeout = false;
    for (const auto& condition : *on) {
      unsigned status = 0;
      const auto [end, ec] = std::from_chars(condition.data(), condition.data() + condition.size(), status);
      if (condition == "connect-failure") retries.on_connect_failure = true;
      else if (condition == "reset") retries.on_reset = true;
      else if (condition == "timeout") retries.on_timeout = true;
      else if (condition == "5xx") for (unsigned s = 500; s < 600; ++s) retries.on_status.push_back(s);
      else if (ec == std::errc() && end == condition.data() + condition.size() && status >= 500 && status < 600) retries.on_status.push_back(status);
      else r.fail("on", "unknown condition \"" + condition + "\"; expected connect-failure, reset, timeout, 5xx or a status 500-599");
    }
  }
  retries.per_try_timeout = r.duration("per_try_timeout");
  if (auto v = r.integer("budget_percent", 0, 100)) retries.budget_percent = static_cast<unsigned>(*v);
  if (retries.on_timeout && !retries.per_try_timeout) r.fail("on", "\"timeout\" needs per_try_timeout");
  r.finish(keys);
  return retries;
}

}  // namespace canopy::config
