#include "gateway/log/json_log.hpp"

#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace canopy::gateway {

namespace json = boost::json;

namespace {

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis));
  return text;
}

void write_line(std::FILE* to, const json::object& line) {
  std::string text = json::serialize(line);
  text += '\n';
  std::fwrite(text.data(), 1, text.size(), to);
  std::fflush(to);
}

}  // namespace

void log_event(std::string_view level, std::string_view event, json::object fields) {
  json::object line{{"ts", utc_now()}, {"level", level}, {"event", event}};
  for (auto& [key, value] : fields) line[key] = std::move(value);
  write_line(stderr, line);
}

}  // namespace canopy::gateway
