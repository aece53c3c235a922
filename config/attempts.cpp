// [[routes]] race = { attempts }  |  hedge = { attempts, delay, budget_percent }
#include <array>

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

}  // namespace canopy::config
