#pragma once
// Events: one JSON object per line on stderr, written at once (they are rare,
// and tests and operators read them as they happen). Access lines: access_log.hpp.

#include <boost/json/object.hpp>
#include <string_view>


namespace canopy::gateway {

void log_event(std::string_view level, std::string_view event, boost::json::object fields);

}  // namespace canopy::gateway
